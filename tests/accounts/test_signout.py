"""Sign-out signs out (issue 12, item 2): on the server, for copies of the cookies too."""

import time

from tests.conftest import PASSWORD, csrf_token, post_form


def _remembered_login(client, email):
    response = post_form(
        client, "/login", {"email": email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is not None


def _copy_cookies(app, source):
    thief = app.test_client()
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def test_sign_out_clears_the_remember_me_cookie(client, make_user):
    _, email = make_user()
    _remembered_login(client, email)
    response = post_form(client, "/logout", token_from="/")
    assert any(
        h.startswith("remember_token=;") for h in response.headers.getlist("Set-Cookie")
    ), response.headers.getlist("Set-Cookie")
    assert client.get_cookie("remember_token") is None
    assert client.get("/me/learning").status_code == 302


def test_cookies_copied_before_sign_out_are_refused_afterwards(app, client, make_user):
    _, email = make_user()
    _remembered_login(client, email)
    thief = _copy_cookies(app, client)
    assert thief.get("/me/learning").status_code == 200  # the copy works while signed in
    token = csrf_token(thief, "/account")
    post_form(client, "/logout", token_from="/")
    # Reading: the copied session and remember-me cookies sign nobody in.
    response = thief.get("/me/learning")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # Writing: a form posted with the copied cookies is not accepted as that person.
    response = thief.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert thief.get("/account").status_code == 302


def test_other_sign_ins_of_the_account_stay_signed_in(app, client, make_user):
    _, email = make_user()
    other = app.test_client()
    _remembered_login(client, email)
    _remembered_login(other, email)
    post_form(client, "/logout", token_from="/")
    assert other.get("/me/learning").status_code == 200


def test_remember_me_cookies_expire_on_the_server(app, client, make_user, monkeypatch):
    _, email = make_user()
    _remembered_login(client, email)
    stored = _copy_cookies(app, client)
    days = app.config["REMEMBER_COOKIE_DURATION"].days
    later = time.time() + (days + 1) * 86400
    import lms.accounts.sessions as sessions

    class Later:
        @staticmethod
        def time():
            return later

    monkeypatch.setattr(sessions, "time", Later)
    # The browser would have dropped the cookie; one replayed by hand is refused too.
    response = stored.get("/me/learning")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remember_me_cookie_within_its_lifetime_still_works(app, client, make_user):
    _, email = make_user()
    _remembered_login(client, email)
    fresh = app.test_client()
    fresh.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert fresh.get("/me/learning").status_code == 200
