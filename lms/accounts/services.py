"""Account operations: create users, look them up. Flush, never commit."""

import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.accounts.models import ROLES, User
from lms.extensions import db, login_manager

#: Languages a person can choose as their preferred language (programme countries + English).
LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "it": "Italiano",
    "sl": "Slovenščina",
    "hr": "Hrvatski",
    "cs": "Čeština",
    "sk": "Slovenčina",
    "pl": "Polski",
    "hu": "Magyar",
}
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128


class AccountError(ValueError):
    """A user-caused problem with an account operation; the message is for people."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str, name: str, password: str, role: str = "learner", locale: str = "en"
) -> User:
    """Add a user; raises :class:`AccountError` when the email is taken or a value is bad."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(_l("Unknown role."))
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(_l("A password needs 10 to 128 characters."))
    if find_user_by_email(email) is not None:
        raise AccountError(_l("An account with this email address already exists."))
    user = User(
        email=email, name=name.strip(), role=role, locale=locale if locale in LANGUAGES else "en"
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or ``None`` (same answer either way)."""
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so that timing does not reveal accounts.
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


_DUMMY_HASH = (
    "scrypt:32768:8:1$0123456789abcdef$"
    "0f0e3a5f1e6e8b0f2f4b0e0d6c5c2e1e7c7f7e1b3c1f6f0a3a6d6a2e3b7a8c9d"
    "0f0e3a5f1e6e8b0f2f4b0e0d6c5c2e1e7c7f7e1b3c1f6f0a3a6d6a2e3b7a8c9d"
)


def create_invited_user(email: str, name: str, locale: str = "en") -> User:
    """A learner account that gets its password through a set-password link.

    ``locale`` is the cohort's language: the learner has not chosen one yet.
    """
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role="learner",
        locale=locale if locale in LANGUAGES else "en",
    )
    user.set_password(secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    return user


def _serializer():
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")


#: A set-password link works for this long, and only until a password is set with it.
SET_PASSWORD_MAX_AGE = 14 * 24 * 3600


def set_password_token(user: User) -> str:
    """Signed, expiring, single use: it names the current hash, which setting a password changes."""
    return _serializer().dumps({"u": user.id, "h": user.password_hash[-16:]})


def user_for_set_password_token(token: str) -> User | None:
    from itsdangerous import BadSignature

    try:
        data = _serializer().loads(token, max_age=SET_PASSWORD_MAX_AGE)
        user = db.session.get(User, int(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or not user.active or user.password_hash[-16:] != data.get("h"):
        return None
    return user


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


@login_manager.unauthorized_handler
def _unauthorized():
    """Pages send people to sign in; the API answers 401 JSON."""
    from flask import flash, redirect, request, url_for

    from lms.errors import render_error, wants_json

    if wants_json():
        return render_error(401, str(_l("Sign in first.")))
    flash(str(_l("Please sign in to see this page.")), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
