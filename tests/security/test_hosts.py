"""Links come from LMS_BASE_URL, never the request's Host (issue 12, item 3)."""

import re

import pytest

from lms import ConfigError, create_app
from tests.accounts.test_reset import ask_for_reset, outbox  # noqa: F401
from tests.conftest import csrf_token, login


def reset_link(mails) -> str:
    assert mails, "no mail was sent"
    return re.search(r"(https?://\S+/password/reset/\S+)", mails[-1][1]).group(1)


def test_a_request_for_a_foreign_host_is_refused_and_sends_nothing(app, client, make_user, outbox):  # noqa: F811
    _, email = make_user()
    token = csrf_token(client, "/password/forgot")
    for url in ("/password/forgot", "/", "/login", "/courses"):
        response = client.get(url, headers={"Host": "evil.example"})
        assert response.status_code == 400, url
    response = client.post(
        "/password/forgot",
        data={"csrf_token": token, "email": email},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 400
    assert outbox == []


def test_links_use_the_base_url_whatever_host_the_request_used(app, client, make_user, outbox):  # noqa: F811
    app.config["LMS_BASE_URL"] = "https://academy.example.org"
    app.config["TRUSTED_HOSTS"] = [*app.config["TRUSTED_HOSTS"], "alias.example"]
    _, email = make_user()
    ask_for_reset(client, email)
    assert reset_link(outbox).startswith("https://academy.example.org/password/reset/")

    outbox.clear()
    html = client.get("/password/forgot", base_url="http://alias.example").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post(
        "/password/forgot",
        data={"csrf_token": token, "email": email},
        base_url="http://alias.example",
    )
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    link = reset_link(outbox)
    assert link.startswith("https://academy.example.org/") and "alias.example" not in link


def test_every_absolute_link_on_the_pages_uses_the_base_url(app, make_user, make_cohort):
    """Join links, calendar feeds, check-in and certificate links: one base URL."""
    app.config["LMS_BASE_URL"] = "https://academy.example.org"
    fac_id, fac_email = make_user("facilitator")
    client = app.test_client()
    login(client, fac_email)
    cohort_id = make_cohort([fac_id], [])
    html = client.get(
        f"/facilitate/cohorts/{cohort_id}", headers={"X-Forwarded-Host": "evil.example"}
    ).get_data(as_text=True)
    absolute = re.findall(r"(https?://[^\s\"'<>/]+)", html)
    assert "evil.example" not in html
    assert absolute, "the cohort page shows its join link and feed address"
    assert "https://academy.example.org" in absolute and "http://localhost" not in absolute


def test_production_needs_a_base_url(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("LMS_SECRET_KEY", "x" * 48)
    monkeypatch.delenv("LMS_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="LMS_BASE_URL"):
        create_app()
    monkeypatch.setenv("LMS_BASE_URL", "https://academy.example.org/")
    monkeypatch.setenv("LMS_ALLOWED_HOSTS", "lms.internal, Other.Example")
    app = create_app()
    assert app.config["LMS_BASE_URL"] == "https://academy.example.org"
    assert set(app.config["TRUSTED_HOSTS"]) == {
        "academy.example.org",
        "lms.internal",
        "other.example",
    }
    with app.test_request_context("/", base_url="https://lms.internal"):
        from flask import url_for

        assert url_for("courses.catalogue", _external=True).startswith(
            "https://academy.example.org/"
        )
    with app.app_context():
        from flask import url_for

        assert url_for("courses.catalogue", _external=True).startswith(
            "https://academy.example.org/"
        )


def test_enable_refuses_a_deleted_account(app, make_user):
    from lms.accounts import services as accounts
    from lms.accounts.models import User
    from lms.extensions import db, utcnow

    admin_id, _ = make_user("admin")
    user_id, _ = make_user()
    with app.app_context():
        user = db.session.get(User, user_id)
        user.active, user.deleted_at = False, utcnow()
        db.session.commit()
        with pytest.raises(accounts.AccountError):
            accounts.set_active(user, True, db.session.get(User, admin_id))
        assert not db.session.get(User, user_id).is_active


def test_set_password_token_carries_no_part_of_the_hash(app, make_user):
    from itsdangerous import URLSafeTimedSerializer  # noqa: F401

    from lms.accounts import links as mail_links
    from lms.accounts.models import User
    from lms.extensions import db

    user_id, _ = make_user()
    with app.test_request_context():
        user = db.session.get(User, user_id)
        token = mail_links.set_password_token(user)
        payload = mail_links._serializer().loads(token)
        assert user.password_hash[-16:] not in token and "h" not in payload
        assert mail_links.user_for_set_password_token(token).id == user_id
