"""The privacy page: what is stored, why, who sees it, how long, the rights, a contact."""

from tests.conftest import login


def test_the_privacy_page_is_public_and_says_what_why_who_how_long_and_rights(client):
    response = client.get("/privacy")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for heading in (
        "What we store",
        "Why",
        "Who sees it",
        "How long we keep it",
        "Your rights",
        "Contact",
    ):
        assert f"<h2>{heading}</h2>" in html, heading
    assert "performance of a contract" in html and "legitimate interest" in html
    assert 'href="mailto:contact@example.org"' in html


def test_the_contact_address_comes_from_the_configuration(app, client):
    app.config["LMS_CONTACT_EMAIL"] = "dpo@partner.example"
    assert "mailto:dpo@partner.example" in client.get("/privacy").get_data(as_text=True)


def test_every_page_links_to_the_privacy_page_and_signed_in_people_to_their_data(client, make_user):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/privacy"' in html and 'href="/account/data"' not in html
    _, email = make_user()
    login(client, email)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/privacy"' in html and 'href="/account/data"' in html
    assert 'href="/account/data"' in client.get("/privacy").get_data(as_text=True)
