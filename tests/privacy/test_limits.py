"""Password checks on the deletion pages are rate limited per account."""

import secrets

from lms.accounts.services import create_user
from lms.extensions import db
from tests.accounts.test_limits import _reset_limits, limited_app  # noqa: F401 - fixture
from tests.conftest import PASSWORD, login
from tests.privacy.test_deletion import delete_own_account


def test_guessing_the_password_on_the_deletion_page_is_rate_limited(
    tmp_path, database_url, monkeypatch
):
    app = limited_app(
        tmp_path, database_url, monkeypatch, RATELIMIT_KEY_PREFIX=f"d{secrets.token_hex(4)}"
    )
    with app.app_context():
        create_user("guess@example.org", "Guess", PASSWORD)
        db.session.commit()
    client = app.test_client()
    login(client, "guess@example.org")
    wrong = {"password": "not my password", "confirm": "y"}
    for _ in range(5):
        assert delete_own_account(client, wrong).status_code == 401
    assert delete_own_account(client, wrong).status_code == 429
    assert delete_own_account(client).status_code == 429
    assert client.get("/account/delete").status_code == 200
