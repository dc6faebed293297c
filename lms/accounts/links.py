"""The links the platform mails to people: sign-up confirmation (a stored, hashed token),
set-password for invited accounts and password reset (signed, expiring tokens), each checked
once. Flush, never commit."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import SignupRequest, User
from lms.accounts.services import (
    check_new_password,
    find_user_by_email,
    normalise_email,
)
from lms.extensions import db
from lms.languages import LANGUAGES

#: A sign-up link works for this long, and only once.
SIGNUP_MAX_AGE = 24 * 3600


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class SignupOutcome:
    """What :func:`request_signup` did; the page shows the same in every case."""

    #: The link to send when the address is new (``None`` when it already has an account).
    token: str | None = None
    #: The existing account when the address is taken (it gets a "someone tried" email).
    existing: User | None = None


def request_signup(
    email: str, name: str, password: str, locale: str = "en", about: dict | None = None
) -> SignupOutcome:
    """Keep a sign-up until its address is confirmed; nothing tells whether it is taken.

    The password is checked and hashed in either case, so both take the same time. A new
    request for the same address replaces the previous one (and its link).
    """
    email = normalise_email(email)
    check_new_password(password, email, name)
    from werkzeug.security import generate_password_hash

    password_hash = generate_password_hash(password, method="scrypt")
    from lms.extensions import utcnow

    db.session.execute(
        sa.delete(SignupRequest).where(
            sa.or_(
                SignupRequest.email == email,
                SignupRequest.created_at < utcnow() - timedelta(seconds=SIGNUP_MAX_AGE),
            )
        )
    )
    existing = find_user_by_email(email)
    if existing is not None:
        return SignupOutcome(existing=existing)
    token = secrets.token_urlsafe(32)
    db.session.add(
        SignupRequest(
            token_hash=_token_hash(token),
            email=email,
            name=name.strip(),
            password_hash=password_hash,
            locale=locale if locale in LANGUAGES else "en",
            about=about or {},
        )
    )
    db.session.flush()
    return SignupOutcome(token=token)


def signup_request_for_token(token: str) -> SignupRequest | None:
    """The waiting sign-up a link was made for, or ``None`` (bad, expired, used or taken)."""
    from lms.extensions import utcnow

    if not token or len(token) > 100:
        return None
    pending = db.session.scalar(
        sa.select(SignupRequest).where(SignupRequest.token_hash == _token_hash(token))
    )
    if pending is None:
        return None
    if pending.created_at < utcnow() - timedelta(seconds=SIGNUP_MAX_AGE):
        return None
    if find_user_by_email(pending.email) is not None:
        return None  # someone confirmed another sign-up, or an admin made the account, first
    return pending


def confirm_signup(pending: SignupRequest) -> User:
    """Make the learner account of a confirmed sign-up (once: the request is removed)."""
    user = User(
        email=pending.email,
        name=pending.name,
        role="learner",
        locale=pending.locale,
        password_hash=pending.password_hash,
    )
    about = pending.about or {}
    from lms.organisations.models import Organisation

    organisation_id = about.get("organisation_id")
    if organisation_id and db.session.get(Organisation, organisation_id) is not None:
        user.organisation_id = organisation_id  # unless it was removed since
    user.organisation_name = about.get("organisation_name") or ""
    user.country = about.get("country") or ""
    user.gender = about.get("gender") or ""
    db.session.delete(pending)
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
    """Signed, expiring, single use: it names the current hash, which setting a password
    changes, and the account's session version, which :func:`retire_set_password_links` raises.

    Making a token changes nothing: every token made for the same state works.
    """
    return _serializer().dumps(
        {"u": user.id, "f": _hash_fingerprint(user), "v": user.session_version or 1}
    )


def retire_set_password_links(user: User) -> bool:
    """Make every earlier set-password link of an account that never signed in useless.

    Raising the session version ends no session (the account has none yet) and leaves the
    password alone. For an account that signs in, earlier links stay as they are (until used or
    expired): ending its sessions would sign the learner out. ``True`` when links were retired.
    """
    if user.last_seen_at is not None:
        return False
    user.end_sessions()
    db.session.flush()
    return True


#: Why a set-password link does not work: not ours (or cut short), out of date, used, replaced.
LINK_INVALID, LINK_EXPIRED, LINK_USED, LINK_REPLACED = "invalid", "expired", "used", "replaced"


def check_set_password_token(token: str) -> tuple[User | None, str | None]:
    """The active account a set-password token opens and ``None``, or ``None`` and why not
    (one of the ``LINK_*`` reasons). A disabled or deleted account's link is ``invalid``."""
    from itsdangerous import BadSignature, SignatureExpired

    try:
        data = _serializer().loads(token, max_age=SET_PASSWORD_MAX_AGE)
    except SignatureExpired:
        return None, LINK_EXPIRED
    except BadSignature:
        return None, LINK_INVALID
    try:
        user = db.session.get(User, int(data["u"]))
    except (KeyError, TypeError, ValueError):
        return None, LINK_INVALID
    if user is None or not user.is_active:
        return None, LINK_INVALID
    if data.get("f") != _hash_fingerprint(user):
        return None, LINK_USED
    # Links made before versions were part of them name version 1, as every account began.
    if data.get("v", 1) != (user.session_version or 1):
        return None, LINK_REPLACED
    return user, None


def user_for_set_password_token(token: str) -> User | None:
    """The account a set-password token opens, or ``None``."""
    return check_set_password_token(token)[0]


def _reset_serializer():
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


#: A password reset link works for an hour, and only until the password changes.
PASSWORD_RESET_MAX_AGE = 3600


def _hash_fingerprint(user: User) -> str:
    """Changes whenever the password does; reveals nothing about the hash itself."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def password_reset_token(user: User) -> str:
    """Signed, expiring (:data:`PASSWORD_RESET_MAX_AGE`) and single use (tied to the hash)."""
    return _reset_serializer().dumps({"u": user.id, "f": _hash_fingerprint(user)})


def user_for_password_reset_token(token: str) -> User | None:
    """The active account a reset token was made for, or ``None`` (bad, expired or used)."""
    from itsdangerous import BadSignature

    try:
        data = _reset_serializer().loads(token, max_age=PASSWORD_RESET_MAX_AGE)
        user = db.session.get(User, int(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or not user.active or data.get("f") != _hash_fingerprint(user):
        return None
    return user
