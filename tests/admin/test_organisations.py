"""Admins keep the organisations and who works for them; the roles of the programme are
offered on the user page (issue 14, items 1 and 2)."""

import sqlalchemy as sa

from lms.extensions import db
from lms.organisations.models import Organisation, OrganisationStaff
from tests.conftest import login, post_form

NEW = {"name": "Creative Hub  Ljubljana", "short_name": "CHL", "country": "SI", "kind": "cci",
       "website": "https://chl.example.org", "is_partner": "y"}


def test_an_admin_adds_an_organisation_and_links_its_partner_manager(app, client, make_user):
    _, admin_email = make_user("admin")
    manager_id, manager_email = make_user("partner_manager", name="Pia Partner")
    login(client, admin_email)
    assert "No organisations yet" in client.get("/admin/organisations").get_data(as_text=True)
    response = post_form(client, "/admin/organisations/new", NEW, token_from="/admin/organisations/new")
    assert response.status_code == 302
    with app.app_context():
        organisation = db.session.scalar(sa.select(Organisation))
        assert (organisation.name, organisation.country, organisation.is_partner) == (
            "Creative Hub Ljubljana", "SI", True)
        organisation_id = organisation.id
    listing = client.get("/admin/organisations").get_data(as_text=True)
    assert "Creative Hub Ljubljana" in listing and "Slovenia" in listing
    page = f"/admin/organisations/{organisation_id}"
    unknown = post_form(client, f"{page}/staff", {"email": "nobody@example.org", "role": "manager"},
                        token_from=page)
    assert unknown.status_code == 422 and "No account uses this email address." in unknown.get_data(as_text=True)
    added = post_form(client, f"{page}/staff", {"email": manager_email.upper(), "role": "manager"},
                      token_from=page)
    assert added.status_code == 302
    assert "Pia Partner" in client.get(page).get_data(as_text=True)
    with app.app_context():
        link = db.session.scalar(sa.select(OrganisationStaff))
        assert (link.user_id, link.role) == (manager_id, "manager")
        link_id = link.id
    # The partner manager now organises events for it.
    manager = app.test_client()
    login(manager, manager_email)
    assert "Creative Hub Ljubljana" in manager.get("/organise/events/new").get_data(as_text=True)
    # Removing the link takes that away.
    assert post_form(client, f"{page}/staff/{link_id}/remove", {}, token_from=page).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OrganisationStaff.id))) == 0


def test_names_are_unique_and_errors_show_next_to_the_field(app, client, make_user):
    _, admin_email = make_user("admin")
    login(client, admin_email)
    post_form(client, "/admin/organisations/new", NEW, token_from="/admin/organisations/new")
    again = post_form(client, "/admin/organisations/new", {**NEW, "name": "creative hub ljubljana"},
                      token_from="/admin/organisations/new")
    assert again.status_code == 422 and "exists already" in again.get_data(as_text=True)
    bad = post_form(client, "/admin/organisations/new", {**NEW, "name": "", "website": "not a url"},
                    token_from="/admin/organisations/new")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="name-error"' in html and 'id="website-error"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 1


def test_only_admins_see_the_organisation_pages(app, client, make_user):
    _, manager_email = make_user("programme_manager")
    login(client, manager_email)
    assert client.get("/admin/organisations").status_code == 403
    assert client.get("/admin/organisations/1").status_code == 403


def test_the_programme_roles_can_be_given_on_the_user_page(app, client, make_user):
    _, admin_email = make_user("admin")
    person_id, _ = make_user("facilitator", name="Fran Facilitator")
    login(client, admin_email)
    page = client.get(f"/admin/users/{person_id}").get_data(as_text=True)
    assert 'value="partner_manager"' in page and 'value="programme_manager"' in page
    url = f"/admin/users/{person_id}/role"
    post_form(client, url, {"role": "programme_manager", "confirmed": "yes"}, token_from=f"/admin/users/{person_id}")
    html = client.get(f"/admin/users/{person_id}").get_data(as_text=True)
    assert "<dd>Programme manager</dd>" in html
