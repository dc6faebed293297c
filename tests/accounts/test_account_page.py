"""The account page: name, language, password change; the header links to it."""

import sqlalchemy as sa

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.conftest import PASSWORD, login, post_form

NEW_PASSWORD = "lathes and tulips 2026"


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    data = {
        "password-current_password": current,
        "password-password": new,
        "password-confirm": confirm or new,
    }
    return post_form(client, "/account/password", data, token_from="/account")


def test_signed_in_people_find_their_account_page_in_the_header(learner_client):
    html = learner_client.get("/").get_data(as_text=True)
    assert 'href="/account"' in html
    page = learner_client.get("/account").get_data(as_text=True)
    assert "Your account" in page and "Your data" in page


def test_the_account_page_needs_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_name_and_language_are_saved(app, learner_client):
    response = post_form(
        learner_client,
        "/account",
        {"profile-name": "Ana Kovač", "profile-locale": "sl"},
        token_from="/account",
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, learner_client.user_id)
        assert (user.name, user.locale) == ("Ana Kovač", "sl")


def test_an_unknown_language_or_empty_name_is_refused_beside_the_field(learner_client):
    response = post_form(
        learner_client,
        "/account",
        {"profile-name": "", "profile-locale": "xx"},
        token_from="/account",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="profile-name-error"' in html and 'id="profile-locale-error"' in html


def test_only_languages_the_interface_speaks_are_offered(app, learner_client):
    """Choosing a language the operator does not offer would silently change nothing."""
    html = learner_client.get("/account").get_data(as_text=True)
    assert all(f'value="{code}"' in html for code in app.config["LMS_LANGUAGES"])
    app.config["LMS_LANGUAGES"] = {"en": "English", "sl": "Slovenščina"}  # LMS_LANGUAGES=sl
    html = learner_client.get("/account").get_data(as_text=True)
    assert 'value="sl"' in html and 'value="hr"' not in html


def test_changing_the_password_needs_the_current_one(learner_client):
    response = change_password(learner_client, current="not my password")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-current_password-error"' in html
    assert "This is not your current password." in html


def test_a_new_password_follows_the_rules(learner_client):
    response = change_password(learner_client, new="iloveyou123")
    assert response.status_code == 422
    assert "most common passwords" in response.get_data(as_text=True)


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, make_user):
    user_id, email = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, email)
    login(elsewhere, email)
    assert change_password(here).status_code == 302
    assert here.get("/me/learning").status_code == 200
    assert elsewhere.get("/me/learning").status_code == 302
    with app.app_context():
        kinds = db.session.scalars(
            sa.select(AuditEvent.kind).where(AuditEvent.target == f"user:{user_id}")
        ).all()
    assert "password.changed" in kinds
    login(elsewhere, email, NEW_PASSWORD)


def test_your_data_links_appear_when_the_privacy_feature_is_installed(app, learner_client):
    if "privacy.export" in app.view_functions:
        html = learner_client.get("/account").get_data(as_text=True)
        assert 'href="/account/data"' in html or "Download your data" in html
    else:
        html = learner_client.get("/account").get_data(as_text=True)
        assert "write to your facilitator" in html
