"""Abuse limits on sign-in: per address and per account, shared through Redis when set."""

import secrets

import pytest

from lms import create_app
from lms.extensions import db, limiter
from tests.conftest import csrf_token

REDIS_URL = "redis://127.0.0.1:6379/15"


_APPS = []


def limited_app(tmp_path, database_url, monkeypatch, **config):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "LMS_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "s" * 40,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            **config,
        }
    )
    with app.app_context():
        db.create_all()
    _APPS.append(app)
    return app


def wrong_login(client, email="nobody@example.org", address="192.0.2.1"):
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"email": email, "password": "wrong password", "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture(autouse=True)
def _reset_limits():
    yield
    limiter.enabled = False
    while _APPS:  # close every connection the apps opened
        with _APPS.pop().app_context():
            db.session.remove()
            db.engine.dispose()


def test_too_many_sign_ins_from_one_address_get_a_clear_429(tmp_path, database_url, monkeypatch):
    app = limited_app(
        tmp_path, database_url, monkeypatch, RATELIMIT_KEY_PREFIX=f"t{secrets.token_hex(4)}"
    )
    client = app.test_client()
    for n in range(10):
        assert wrong_login(client, email=f"user{n}@example.org").status_code == 401
    response = wrong_login(client, email="another@example.org")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many attempts. Please wait" in response.get_data(as_text=True)


def test_one_account_is_limited_across_addresses(tmp_path, database_url, monkeypatch):
    app = limited_app(
        tmp_path, database_url, monkeypatch, RATELIMIT_KEY_PREFIX=f"t{secrets.token_hex(4)}"
    )
    client = app.test_client()
    for n in range(10):
        assert wrong_login(client, address=f"198.51.100.{n}").status_code == 401
    assert wrong_login(client, address="203.0.113.9").status_code == 429


def test_two_app_servers_share_one_limit_through_redis(tmp_path, database_url, monkeypatch):
    """Two app processes (here: two apps) with one LMS_REDIS_URL count together."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    prefix = f"t{secrets.token_hex(4)}"
    config = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    first = limited_app(tmp_path / "a", database_url, monkeypatch, **config).test_client()
    for _ in range(6):
        assert wrong_login(first).status_code == 401
    second = limited_app(tmp_path / "b", database_url, monkeypatch, **config).test_client()
    for _ in range(4):
        assert wrong_login(second).status_code == 401
    assert wrong_login(second).status_code == 429
