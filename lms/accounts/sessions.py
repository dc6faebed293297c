"""Signed-in sessions: a new identifier at every sign-in, idle and absolute timeouts.

Flask keeps the session in a signed cookie. Besides Flask-Login's keys it holds ``sid`` (a
random identifier, new at every sign-in), ``auth_at`` (when the person signed in) and
``seen_at`` (their last request), both Unix times. Ending every session of an account at once
(disabling it, a new password or role) is the user's ``session_version``: see ``models.py``.
"""

import secrets
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, redirect, request, session, url_for
from flask_login import login_user, logout_user, user_loaded_from_cookie

from lms.extensions import utcnow

#: ``seen_at`` is rewritten at most this often, so the cookie does not change on every click.
SEEN_RESOLUTION = 60
#: Why the last session ended, shown once on the sign-in page.
TIMED_OUT_KEY = "signed_out_reason"


def new_login_key() -> str:
    """A sign-in's key: its issue time (Unix) and a random part; part of the user id."""
    return f"{int(time.time())}.{secrets.token_urlsafe(12)}"


def login_key_well_formed(key: str) -> bool:
    """Whether a sign-in key is well formed and younger than the remember-me lifetime.
    Expired remember-me cookies are refused here, not only by the browser; whether the sign-in
    was ended (an :class:`EndedLogin`) the user loader asks together with the user."""
    issued_text, _, rest = key.partition(".")
    if not issued_text.isdigit() or not rest or len(key) > 40:
        return False
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
    age = time.time() - int(issued_text)
    return -300 <= age <= lifetime


def start_session(user, remember: bool = False) -> None:
    """Sign ``user`` in on a brand-new session: nothing of the previous one survives."""
    session.clear()
    user._login_key = new_login_key()
    login_user(user, remember=remember)
    _stamp(remember)
    user.last_seen_at = utcnow()


def end_session(user) -> None:
    """Sign out here: this sign-in ends on the server (its session cookie and remember-me
    cookie, even copies, are refused from now on) and both cookies are cleared.

    The caller commits. ``logout_user`` asks Flask-Login to clear the remember-me cookie
    through the session, so that instruction is put back after the session is emptied.
    """
    from lms.accounts.models import EndedLogin
    from lms.extensions import db

    key = getattr(user, "_login_key", None)
    if key:
        db.session.merge(EndedLogin(key=key, ended_at=utcnow()))
        lifetime = current_app.config["REMEMBER_COOKIE_DURATION"] + timedelta(days=1)
        db.session.execute(
            sa.delete(EndedLogin).where(EndedLogin.ended_at < utcnow() - lifetime)
        )
    logout_user()
    session.clear()
    session["_remember"] = "clear"


def _stamp(remember: bool) -> None:
    now = int(time.time())
    session["sid"] = secrets.token_urlsafe(24)
    session["auth_at"] = now
    session["seen_at"] = now
    session["remember"] = bool(remember)


def _restored_from_cookie(_app, user=None) -> None:
    """A remember-me cookie signed the person in again: that is a new session too."""
    for key in ("sid", "auth_at", "seen_at", TIMED_OUT_KEY):
        session.pop(key, None)
    _stamp(True)


def _expired_reason(now: int) -> str | None:
    config = current_app.config
    auth_at, seen_at = session.get("auth_at"), session.get("seen_at")
    if not isinstance(auth_at, int) or not isinstance(seen_at, int) or not session.get("sid"):
        return "idle"  # a session from before these rules, or not made by start_session
    if now - auth_at > config["LMS_SESSION_MAX_HOURS"] * 3600:
        return "max"
    if now - seen_at > config["LMS_SESSION_IDLE_MINUTES"] * 60:
        return "idle"
    return None


def enforce_timeouts():
    """Before each request: end a session that was idle or open too long."""
    if "_user_id" not in session or request.endpoint in ("static", "static_fingerprinted"):
        return None
    now = int(time.time())
    reason = _expired_reason(now)
    if reason is None:
        if now - session["seen_at"] >= SEEN_RESOLUTION:
            session["seen_at"] = now
        return None
    remembered = request.cookies.get(
        current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    )
    session.clear()
    if remembered:
        # "Keep me signed in": the remember-me cookie (valid LMS_REMEMBER_DAYS, ended with the
        # account's sessions) signs the person in again on a new session.
        return None
    session[TIMED_OUT_KEY] = reason
    from lms.errors import wants_json

    if (
        request.method in ("GET", "HEAD")
        and request.endpoint != "accounts.login"
        and not wants_json()
    ):
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    return None


def init_sessions(app) -> None:
    app.before_request(enforce_timeouts)
    user_loaded_from_cookie.connect(_restored_from_cookie, app)
