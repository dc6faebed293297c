"""Sign up, sign in, sign out, CSRF and password storage."""

import re

import sqlalchemy as sa

from lms.accounts.models import SignupRequest, User
from lms.extensions import db, utcnow
from tests.conftest import PASSWORD, csrf_token, login, post_form, signup_link

SIGNUP = {
    "name": "Mila Novak",
    "email": "Mila@Example.org",
    "password": "a long enough pass",
    "confirm": "a long enough pass",
    "locale": "sl",
}


def test_new_learner_confirms_the_address_and_is_signed_in(app, client):
    response, link = signup_link(client, SIGNUP)
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0  # not before the link
    # Opening the link (as a mail scanner might) creates nothing: its button does.
    page = client.get(link)
    assert page.status_code == 200 and "mila@example.org" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    response = post_form(client, link, {}, token_from=link)
    assert response.status_code == 302
    # She chose Slovenian: the welcome, and every page after it, is in Slovenian.
    html = client.get("/").get_data(as_text=True)
    assert "Dobrodošli, Mila Novak" in html and '<html lang="sl">' in html
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.email == "mila@example.org" and user.role == "learner" and user.locale == "sl"
        assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
        assert db.session.scalar(sa.select(sa.func.count(SignupRequest.id))) == 0
    # The link worked once.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    again = client.get(link)
    assert again.status_code == 400 and "This link no longer works" in again.get_data(as_text=True)
    assert login(client, "mila@example.org", SIGNUP["password"]).status_code == 302


def test_signup_errors_show_next_to_the_field(client, make_user):
    data = {**SIGNUP, "password": "short", "confirm": "other"}
    response = post_form(client, "/signup", data, token_from="/signup")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-error"' in html and "10 to 128 characters" in html
    assert 'aria-invalid="true"' in html


def test_signup_does_not_tell_whether_an_address_is_registered(app, client, make_user, mailbox):
    """Issue 12, item 6: the same answer for a known address (in any case or spacing) as for a
    new one; the owner of the known one gets an email saying someone tried."""
    make_user(email="taken@example.org", name="Tina Taken")

    def answer(email):
        response = post_form(client, "/signup", {**SIGNUP, "email": email}, token_from="/signup")
        html = response.get_data(as_text=True).replace(email.strip().lower(), "EMAIL")
        return response.status_code, re.sub(r'name="csrf_token"[^>]*>', "", html)

    new = answer("fresh@example.org")
    for variant in ("taken@example.org", " TAKEN@Example.ORG "):
        assert answer(variant) == new
    sent = {to: (subject, body) for to, subject, body in mailbox}
    assert "Confirm your email address" in sent["fresh@example.org"][0]
    assert "/signup/confirm/" in sent["fresh@example.org"][1]
    subject, body = sent["taken@example.org"]
    assert subject == "Someone tried to sign up with your email address"
    assert "Hello Tina Taken" in body and "/signup/confirm/" not in body and "/login" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1  # nobody new yet
        # and no pending sign-up waits for the taken address
        assert db.session.scalars(sa.select(SignupRequest.email)).all() == ["fresh@example.org"]


def test_a_sign_up_link_expires_after_a_day(app, client):
    from datetime import timedelta

    _, link = signup_link(client, SIGNUP)
    with app.app_context():
        db.session.execute(
            sa.update(SignupRequest).values(created_at=utcnow() - timedelta(hours=25))
        )
        db.session.commit()
    assert client.get(link).status_code == 400
    assert post_form(client, link, {}, token_from="/signup").status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_only_the_latest_link_for_an_address_works_and_a_taken_address_stops_it(app, client, make_user):
    _, first = signup_link(client, SIGNUP)
    _, second = signup_link(client, {**SIGNUP, "name": "Mila N."})
    assert first != second
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200
    # Meanwhile an admin made her account: the link no longer makes a second one.
    make_user(email="mila@example.org")
    assert post_form(client, second, {}, token_from="/signup").status_code == 400


def test_a_bad_or_overlong_link_is_a_clear_400(client):
    for token in ("nonsense", "x" * 500, "%00%0d%0a"):
        response = client.get(f"/signup/confirm/{token}")
        assert response.status_code == 400
        assert "This link no longer works" in response.get_data(as_text=True)


def test_sign_in_with_wrong_password_says_so_without_revealing_the_account(client, make_user):
    _, email = make_user()
    wrong = post_form(client, "/login", {"email": email, "password": "not the password"})
    unknown = post_form(client, "/login", {"email": "nobody@example.org", "password": "whatever12"})
    assert wrong.status_code == unknown.status_code == 401
    message = "The email address or password is not right."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_sign_in_follows_only_local_next_urls(client, make_user):
    _, email = make_user()
    response = post_form(
        client, "/login?next=/courses/sample-course/", {"email": email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/courses/sample-course/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = post_form(
        client, "/login?next=https://evil.example/x", {"email": email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/me/learning"


def test_forms_without_a_csrf_token_are_refused(client, make_user):
    _, email = make_user()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert "Sign out" not in client.get("/").get_data(as_text=True)


def test_sign_out_needs_a_post_with_csrf(client, make_user):
    _, email = make_user()
    login(client, email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert client.get("/me/learning").status_code == 302


def test_remember_me_sets_a_lasting_cookie(client, make_user):
    _, email = make_user()
    post_form(client, "/login", {"email": email, "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_disabled_account_cannot_sign_in(app, client, make_user):
    user_id, email = make_user()
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    response = post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 401


def test_users_create_command(app, runner):
    from lms.cli import main

    result = runner.invoke(
        main,
        [
            "users",
            "create",
            "--email",
            "Op@Example.org",
            "--name",
            "Op",
            "--role",
            "facilitator",
            "--password",
            "operator-password",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Created facilitator op@example.org" in result.output
    result = runner.invoke(
        main,
        [
            "users",
            "create",
            "--email",
            "op@example.org",
            "--name",
            "Op",
            "--password",
            "operator-password",
        ],
    )
    assert result.exit_code == 1 and "already exists" in result.output
