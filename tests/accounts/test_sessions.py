"""Sessions: a new one at every sign-in, idle and absolute timeouts, ended by account changes."""

import time

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.extensions import db
from tests.conftest import PASSWORD, csrf_token, login, post_form


def signed_in(client) -> bool:
    return client.get("/me/learning").status_code == 200


def test_signing_in_starts_a_new_session_and_drops_what_the_old_one_held(client, make_user):
    _, email = make_user()
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"
    login(client, email)
    with client.session_transaction() as sess:
        first_sid = sess["sid"]
        assert "planted" not in sess
    post_form(client, "/logout", token_from="/")
    login(client, email)
    with client.session_transaction() as sess:
        assert sess["sid"] != first_sid and len(sess["sid"]) >= 32


def test_an_idle_session_ends_with_a_friendly_message(client, make_user):
    _, email = make_user()
    login(client, email)
    with client.session_transaction() as sess:
        sess["seen_at"] -= 31 * 60
    response = client.get("/me/learning")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out after 30 minutes of inactivity" in html
    assert not signed_in(client)


def test_a_session_in_use_stays_open_within_the_idle_limit(client, make_user):
    _, email = make_user()
    login(client, email)
    with client.session_transaction() as sess:
        sess["seen_at"] -= 29 * 60
    assert signed_in(client)
    with client.session_transaction() as sess:
        assert time.time() - sess["seen_at"] < 5  # the request counted as activity


def test_the_idle_limit_follows_the_setting(app, client, make_user):
    app.config["LMS_SESSION_IDLE_MINUTES"] = 5
    _, email = make_user()
    login(client, email)
    with client.session_transaction() as sess:
        sess["seen_at"] -= 6 * 60
    assert not signed_in(client)


def test_a_session_ends_after_the_absolute_limit_even_when_active(client, make_user):
    _, email = make_user()
    login(client, email)
    with client.session_transaction() as sess:
        sess["auth_at"] -= 12 * 3600 + 60
    response = client.get("/me/learning", follow_redirects=True)
    assert "because you had been signed in for 12 hours" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_a_session_not_started_by_sign_in_is_refused(client, make_user):
    user_id, email = make_user()
    login(client, email)
    with client.session_transaction() as sess:
        del sess["sid"]
    assert not signed_in(client)


def test_keep_me_signed_in_survives_an_idle_timeout_on_a_new_session(client, make_user):
    _, email = make_user()
    post_form(client, "/login", {"email": email, "password": PASSWORD, "remember": "y"})
    with client.session_transaction() as sess:
        sess["seen_at"] -= 31 * 60
        old_sid = sess["sid"]
    assert signed_in(client)
    with client.session_transaction() as sess:
        assert sess["sid"] != old_sid


def test_disabling_an_account_ends_its_sessions_and_remember_me_cookies(app, make_user):
    user_id, email = make_user()
    browser, phone = app.test_client(), app.test_client()
    login(browser, email)
    post_form(phone, "/login", {"email": email, "password": PASSWORD, "remember": "y"})
    phone.delete_cookie("session")  # the browser was closed: only the remember-me cookie is left
    assert signed_in(browser) and signed_in(phone)
    phone.delete_cookie("session")
    with app.app_context():
        accounts.set_active(db.session.get(User, user_id), False, None)
        db.session.commit()
    assert not signed_in(browser)
    assert not signed_in(phone)
    with app.app_context():
        accounts.set_active(db.session.get(User, user_id), True, None)
        db.session.commit()
    assert not signed_in(phone)  # enabling again does not bring old cookies back


def test_a_role_change_ends_the_accounts_sessions(app, client, make_user):
    user_id, email = make_user("facilitator")
    make_user("admin")
    login(client, email)
    assert client.get("/facilitate").status_code == 200
    with app.app_context():
        accounts.set_role(db.session.get(User, user_id), "learner", None)
        db.session.commit()
    assert not signed_in(client)


def test_a_session_id_from_an_old_cookie_format_is_refused(client, make_user):
    user_id, email = make_user()
    login(client, email)
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user_id)  # no session version
    assert not signed_in(client)


def test_a_form_sent_after_the_idle_limit_leads_to_the_inactivity_message(client, make_user):
    _, email = make_user()
    login(client, email)
    token = csrf_token(client, "/account")
    with client.session_transaction() as sess:
        sess["seen_at"] -= 31 * 60
    response = client.post("/account", data={"profile-name": "X", "csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out after 30 minutes of inactivity" in html
    assert "Please sign in to see this page." not in html


def test_typing_in_a_quiz_keeps_the_session_open_past_the_idle_limit(client, make_user):
    """lms.js pings the keepalive route while a learner types; each ping counts as activity."""
    _, email = make_user()
    login(client, email)
    token = csrf_token(client, "/me/learning")
    for _ in range(3):  # 3 x 25 minutes of writing: longer than the 30-minute idle limit
        with client.session_transaction() as sess:
            sess["seen_at"] -= 25 * 60
        response = client.post("/session/keepalive", headers={"X-CSRFToken": token})
        assert response.status_code == 204
    assert signed_in(client)


def test_the_keepalive_needs_a_session_and_a_csrf_token(client, make_user):
    assert client.post("/session/keepalive").status_code in (302, 400)
    _, email = make_user()
    login(client, email)
    assert client.post("/session/keepalive").status_code == 400
    with client.session_transaction() as sess:
        sess["seen_at"] -= 31 * 60
    token = csrf_token(client, "/login")
    response = client.post("/session/keepalive", headers={"X-CSRFToken": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_form_sent_after_sign_out_returns_to_its_page_not_to_a_405(client, make_user):
    _, email = make_user()
    login(client, email)
    token = csrf_token(client, "/me/learning")
    with client.session_transaction() as sess:
        sess["seen_at"] -= 31 * 60
    page = "http://localhost/courses/sample-course/"
    response = client.post(
        "/courses/sample-course/first-steps/complete",
        data={"csrf_token": token},
        headers={"Referer": page},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=/courses/sample-course/")
    # A referrer from another site is never followed.
    response = client.post(
        "/courses/sample-course/first-steps/complete",
        data={"csrf_token": csrf_token(client, "/login")},
        headers={"Referer": "https://evil.example/courses/"},
    )
    assert response.status_code == 302 and "next=" not in response.headers["Location"]
