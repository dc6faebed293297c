"""Password rules: 10 to 128 characters, not common, not the email or name, everywhere."""

import pytest

from lms.accounts.passwords import common_passwords, password_problem
from lms.accounts.services import AccountError, create_user
from tests.conftest import post_form

SIGNUP = {
    "name": "Mila Novak",
    "email": "mila@example.org",
    "confirm": "",
    "locale": "en",
}


def signup(client, password):
    data = {**SIGNUP, "password": password, "confirm": password}
    return post_form(client, "/signup", data, token_from="/signup")


def test_the_shipped_list_holds_thirty_thousand_common_passwords():
    passwords = common_passwords()
    assert len(passwords) >= 10_000
    assert {"password", "qwertyuiop", "1234567890", "password123"} <= passwords


@pytest.mark.parametrize("password", ["qwertyuiop", "QwertyUiop", "Password123", "1234567890"])
def test_signup_refuses_a_common_password_whatever_its_case(client, password):
    response = signup(client, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-error"' in html and "most common passwords" in html


@pytest.mark.parametrize("password", ["MILA@example.org", "mila novak"])
def test_signup_refuses_the_email_or_the_name_as_password(client, password):
    response = signup(client, password)
    assert response.status_code == 422
    assert "must not be your email address or your name" in response.get_data(as_text=True)


@pytest.mark.parametrize("password", ["short", "x" * 129])
def test_signup_refuses_passwords_outside_10_to_128_characters(client, password):
    response = signup(client, password)
    assert response.status_code == 422
    assert "10 to 128 characters" in response.get_data(as_text=True)


def test_a_long_uncommon_password_of_128_characters_is_accepted(client):
    response = signup(client, "tulips and lathes " * 7 + "ab")
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)


def test_the_rules_hold_in_the_service_too(app):
    with app.app_context():
        with pytest.raises(AccountError):
            create_user("op@example.org", "Op", "iloveyou12", role="admin")
        with pytest.raises(AccountError):
            create_user("longaddress@example.org", "Op", "LongAddress@example.org")
        assert password_problem("tulips and lathes", "op@example.org", "Op") is None


def test_cli_refuses_a_common_password(runner):
    from lms.cli import main

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
            "1q2w3e4r5t",
        ],
    )
    assert result.exit_code == 1 and "most common passwords" in result.output
