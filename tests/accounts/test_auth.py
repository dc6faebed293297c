"""Sign up, sign in, sign out, CSRF and password storage."""

import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from tests.conftest import PASSWORD, csrf_token, login, post_form

SIGNUP = {
    "name": "Mila Novak",
    "email": "Mila@Example.org",
    "password": "a long enough pass",
    "confirm": "a long enough pass",
    "locale": "sl",
}


def test_new_learner_signs_up_and_is_signed_in(app, client):
    response = post_form(client, "/signup", SIGNUP, token_from="/signup")
    assert response.status_code == 302
    # She chose Slovenian: the welcome, and every page after it, is in Slovenian.
    html = client.get("/").get_data(as_text=True)
    assert "Dobrodošli, Mila Novak" in html and '<html lang="sl">' in html
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.email == "mila@example.org" and user.role == "learner" and user.locale == "sl"
        assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash


def test_signup_errors_show_next_to_the_field(client, make_user):
    make_user(email="taken@example.org")
    data = {**SIGNUP, "email": "taken@example.org", "password": "short", "confirm": "other"}
    response = post_form(client, "/signup", data, token_from="/signup")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-error"' in html and "already exists" in html
    assert 'id="password-error"' in html and "10 to 128 characters" in html
    assert 'aria-invalid="true"' in html


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
