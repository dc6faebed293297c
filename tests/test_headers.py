"""Security headers on every response, and the cookie settings."""

import re
from pathlib import Path

import pytest

from lms import create_app
from lms.config import load_config
from lms.extensions import db
from tests.conftest import login

LMS = Path(__file__).resolve().parent.parent / "lms"


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.strip() for d in policy.split(";") if d.strip()}


def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    policy = csp(client.get("/"))
    assert policy["default-src"] == "default-src 'self'"
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["form-action"] == "form-action 'self'"
    assert policy["base-uri"] == "base-uri 'self'"
    assert "unsafe-inline" not in client.get("/").headers["Content-Security-Policy"]


def test_framing_sniffing_referrers_and_browser_features_are_restricted(client):
    headers = client.get("/login").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]


def test_error_pages_and_the_api_carry_the_headers_too(client):
    for response in (client.get("/no-such-page"), client.get("/api/v1/courses")):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def trusted_proxy_app(tmp_path, monkeypatch, database_url, proxies):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "proxy-instance"))
    monkeypatch.setenv("LMS_TRUSTED_PROXIES", str(proxies))
    app = create_app(
        {
            "LMS_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "p" * 40,
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )
    with app.app_context():
        db.create_all()
    return app


@pytest.mark.parametrize("proxies, expected", [(1, True), (0, False)])
def test_hsts_behind_a_proxy_only_when_the_proxy_is_trusted(
    tmp_path, monkeypatch, database_url, proxies, expected
):
    app = trusted_proxy_app(tmp_path, monkeypatch, database_url, proxies)
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert ("Strict-Transport-Security" in response.headers) is expected
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_content_svgs_keep_their_own_sandbox_policy(client):
    with client.get("/courses/sample-course/assets/images/diagram.svg") as response:
        assert response.status_code == 200
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_templates_hold_no_inline_script_style_or_event_handler():
    """The policy forbids them: a template that needs one would break in the browser.

    Email bodies are the exception: no page serves them, and mail clients need inline styles
    (``notifications/mail.html`` and the HTML parts that extend it, issue 16)."""
    for template in LMS.rglob("*.html"):
        html = template.read_text(encoding="utf-8")
        if template.name == "mail.html" or '{% extends "notifications/mail.html" %}' in html:
            assert not re.search(r"<script\b|\son[a-z]+\s*=", html), template
            continue
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), template
        assert not re.search(r"<style\b", html), template
        assert not re.search(r"\sstyle=", html), template
        assert not re.search(r"\son[a-z]+\s*=", html), template


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    _, email = make_user()
    response = login(client, email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_remember_me_cookie_is_httponly_and_samesite_lax(client, make_user):
    from tests.conftest import PASSWORD, post_form

    _, email = make_user()
    response = post_form(client, "/login", {"email": email, "password": PASSWORD, "remember": "y"})
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure(tmp_path):
    config = load_config(str(tmp_path), {"LMS_ENV": "production"})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    development = load_config(str(tmp_path), {"LMS_ENV": "development"})
    assert not development["SESSION_COOKIE_SECURE"]


def test_signed_in_pages_and_the_progress_api_are_not_stored(client, make_user):
    from tests.conftest import login

    _, email = make_user()
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login(client, email)
    for url in ("/me/learning", "/account", "/courses", "/api/v1/me/progress"):
        response = client.get(url)
        assert "no-store" in response.headers.get("Cache-Control", ""), url
