"""Password reset: same answer for every address, signed single-use expiring links."""

import logging
import re

import pytest
import sqlalchemy as sa

from lms import mail
from lms.accounts import links as mail_links
from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.conftest import PASSWORD, install_mailbox, login, post_form

NEW_PASSWORD = "lathes and tulips 2026"


@pytest.fixture
def outbox(app, monkeypatch):
    """Mail is 'configured' and every message lands in this list as (to, body)."""
    return install_mailbox(app, monkeypatch, lambda m: (m["To"], mail.text_part(m)))


def ask_for_reset(client, email):
    return post_form(client, "/password/forgot", {"email": email}, token_from="/password/forgot")


def reset_link(outbox) -> str:
    assert outbox, "no mail was sent"
    return re.search(r"http://localhost(/password/reset/\S+)", outbox[-1][1]).group(1)


def page_text(response, *hide) -> str:
    """The page with the given strings and the CSRF token (signed per second) blanked."""
    html = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "csrf", response.get_data(as_text=True))
    for text in hide:
        html = html.replace(text, "X")
    return html


def events(app, kind):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.kind == kind)).all()


def test_sign_in_page_links_to_the_reset_form(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in html and "Forgot your password?" in html


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, make_user, outbox):
    _, email = make_user()
    known = ask_for_reset(client, email)
    unknown = ask_for_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert page_text(known, email) == page_text(unknown, "nobody@example.org")
    assert [to for to, _ in outbox] == [email]


def test_a_reset_link_sets_a_new_password_signs_in_and_ends_other_sessions(
    app, client, make_user, outbox
):
    user_id, email = make_user()
    other = app.test_client()
    login(other, email)
    ask_for_reset(client, email)
    link = reset_link(outbox)
    assert "Choose a new password" in client.get(link).get_data(as_text=True)
    response = post_form(
        client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, token_from=link
    )
    assert response.status_code == 302
    assert client.get("/me/learning").status_code == 200  # signed in fresh
    assert other.get("/me/learning").status_code == 302  # the other session ended
    post_form(client, "/logout", token_from="/")
    login(client, email, NEW_PASSWORD)
    assert [e.target for e in events(app, "password.reset")] == [f"user:{user_id}"]
    assert [e.target for e in events(app, "password.reset_requested")] == [f"user:{user_id}"]


def test_a_reset_link_works_only_once(client, make_user, outbox):
    _, email = make_user()
    ask_for_reset(client, email)
    link = reset_link(outbox)
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    post_form(client, link, data, token_from=link)
    post_form(client, "/logout", token_from="/")
    again = client.get(link)
    assert again.status_code == 400
    html = again.get_data(as_text=True)
    assert "This link no longer works" in html and 'href="/password/forgot"' in html


def test_a_reset_link_expires_after_an_hour(app, client, make_user, monkeypatch):
    user_id, _ = make_user()
    with app.test_request_context():
        token = mail_links.password_reset_token(db.session.get(User, user_id))
    monkeypatch.setattr(mail_links, "PASSWORD_RESET_MAX_AGE", -1)
    assert client.get(f"/password/reset/{token}").status_code == 400


def test_a_forged_or_mangled_link_gets_the_clear_page(client):
    for token in ("nonsense", "eyJ1IjoxLCJmIjoiMDAifQ.AAAA.BBBB", "x" * 500):
        response = client.get(f"/password/reset/{token}")
        assert response.status_code == 400
        assert "Ask for a new link" in response.get_data(as_text=True)


def test_the_new_password_follows_the_rules(client, make_user, outbox):
    _, email = make_user()
    ask_for_reset(client, email)
    link = reset_link(outbox)
    response = post_form(
        client, link, {"password": "password123", "confirm": "password123"}, token_from=link
    )
    assert response.status_code == 422
    assert "most common passwords" in response.get_data(as_text=True)


def test_a_disabled_account_gets_no_link(app, client, make_user, outbox):
    user_id, email = make_user()
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert ask_for_reset(client, email).status_code == 200
    assert outbox == []


def test_development_logs_the_link_when_no_mail_server_is_set(app, client, make_user, caplog):
    _, email = make_user()
    app.config["LMS_ENV"] = "development"
    with caplog.at_level(logging.INFO):
        ask_for_reset(client, email)
    assert "/password/reset/" in caplog.text


def test_production_never_logs_the_link(app, client, make_user, caplog):
    _, email = make_user()
    app.config["LMS_ENV"] = "production"
    with caplog.at_level(logging.DEBUG):
        ask_for_reset(client, email)
    assert "/password/reset/" not in caplog.text
    assert "no mail server" in caplog.text


def test_sign_in_failure_looks_the_same_for_unknown_wrong_and_disabled(app, client, make_user):
    user_id, email = make_user()
    _, disabled = make_user()
    with app.app_context():
        db.session.get(User, user_id + 1).active = False
        db.session.commit()
    pages = []
    for address, password in [
        ("nobody@example.org", PASSWORD),
        (email, "not the password"),
        (disabled, PASSWORD),
    ]:
        response = post_form(client, "/login", {"email": address, "password": password})
        assert response.status_code == 401
        pages.append(page_text(response, address))
    assert pages[0] == pages[1] == pages[2]
    assert "The email address or password is not right." in pages[0]
