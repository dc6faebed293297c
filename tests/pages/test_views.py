"""The accessibility statement."""


def test_accessibility_statement_names_the_target_and_a_contact(client):
    response = client.get("/accessibility")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "WCAG 2.1" in html and "EN 301 549" in html
    assert 'href="mailto:contact@example.org"' in html


def test_accessibility_contact_comes_from_the_setting(app):
    app.config["LMS_CONTACT_EMAIL"] = "help@partner.example"
    html = app.test_client().get("/accessibility").get_data(as_text=True)
    assert 'href="mailto:help@partner.example"' in html


def test_every_page_links_to_the_accessibility_statement(client):
    for url in ("/", "/login", "/no-such-page"):
        assert 'href="/accessibility"' in client.get(url).get_data(as_text=True), url
