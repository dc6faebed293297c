"""Account operations: create users, look them up, change passwords, roles and status.
Flush, never commit."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.accounts.models import ROLES, SignupRequest, User
from lms.accounts.passwords import password_problem
from lms.audit.services import record_event
from lms.extensions import db, login_manager
from lms.languages import LANGUAGES


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
    check_new_password(password, email, name)
    if find_user_by_email(email) is not None:
        raise AccountError(_l("An account with this email address already exists."))
    user = User(
        email=email, name=name.strip(), role=role, locale=locale if locale in LANGUAGES else "en"
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def check_new_password(password: str, email: str | None = None, name: str | None = None) -> None:
    """Raise :class:`AccountError` unless ``password`` meets the rules of ``passwords.py``."""
    problem = password_problem(password, email, name)
    if problem is not None:
        raise AccountError(problem)


@dataclass
class SignIn:
    """The outcome of a sign-in attempt; ``reason`` is for the audit log, never for the page."""

    user: User | None
    account: User | None = None
    reason: str = ""


def check_sign_in(email: str, password: str) -> SignIn:
    """Check a sign-in; unknown, wrong and disabled take the same time and look the same."""
    account = find_user_by_email(email)
    if account is None:
        # Spend the same time as a real check so that timing does not reveal accounts.
        User(password_hash=_DUMMY_HASH).check_password(password)
        return SignIn(None, None, "unknown_email")
    if account.password_hash.startswith(UNMATCHABLE_PREFIX):
        User(password_hash=_DUMMY_HASH).check_password(password)  # the time a real check takes
        return SignIn(None, account, "wrong_password")
    if not account.check_password(password):
        return SignIn(None, account, "wrong_password")
    if not account.active:
        return SignIn(None, account, "disabled")
    return SignIn(account, account)


def change_password(user: User, password: str) -> None:
    """Set a new password (checked against the rules) and end every session of the account."""
    check_new_password(password, user.email, user.name)
    user.set_password(password)
    user.end_sessions()
    db.session.flush()


def active_admin_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.role == "admin", User.active.is_(True))
    )


def set_role(user: User, role: str, actor: User | None) -> bool:
    """Change ``user``'s role and end their sessions; ``False`` when it already was ``role``.

    Refused (:class:`AccountError`) when it would leave the platform without an active admin.
    """
    if role not in ROLES:
        raise AccountError(_l("Unknown role."))
    if role == user.role:
        return False
    if user.role == "admin" and user.active and active_admin_count() <= 1:
        raise AccountError(
            _l("This is the last administrator account. Make someone else an admin first.")
        )
    previous, user.role = user.role, role
    user.end_sessions()
    record_event("user.role_changed", actor, f"user:{user.id}", old=previous, new=role)
    db.session.flush()
    return True


def set_active(user: User, active: bool, actor: User | None) -> bool:
    """Disable (ending every session) or enable an account; ``False`` when nothing changed."""
    if active and user.deleted_at is not None:
        raise AccountError(_l("This account was deleted; it cannot be enabled again."))
    if user.active == active:
        return False
    if not active and actor is not None and actor.id == user.id:
        raise AccountError(_l("You cannot disable your own account."))
    if not active and user.role == "admin" and active_admin_count() <= 1:
        raise AccountError(
            _l("This is the last administrator account. Make someone else an admin first.")
        )
    user.active = active
    if not active:
        user.end_sessions()
    record_event("user.enabled" if active else "user.disabled", actor, f"user:{user.id}")
    db.session.flush()
    return True


#: How a password hash that nothing matches begins (invited accounts, deleted ones);
#: werkzeug's hashes begin with their method's name.
UNMATCHABLE_PREFIX = "!"

_DUMMY_HASH = (
    "scrypt:32768:8:1$0123456789abcdef$"
    "0f0e3a5f1e6e8b0f2f4b0e0d6c5c2e1e7c7f7e1b3c1f6f0a3a6d6a2e3b7a8c9d"
    "0f0e3a5f1e6e8b0f2f4b0e0d6c5c2e1e7c7f7e1b3c1f6f0a3a6d6a2e3b7a8c9d"
)


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
    # No password yet: a marker no password matches, not a scrypt hash of a random one. Each
    # such hash cost 0.1-0.4 s and 32 MB inside the import's transaction (25 rows: seconds).
    user.password_hash = f"{UNMATCHABLE_PREFIX}invited${secrets.token_hex(16)}"
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


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The session's user, unless the account was disabled or its sessions were ended.

    One statement on every signed-in request: the user and whether this sign-in was ended.
    """
    from lms.accounts.models import EndedLogin
    from lms.accounts.sessions import login_key_well_formed

    try:
        id_text, version_text, key = str(user_id).split(":", 2)
        version, user_id_number = int(version_text), int(id_text)
    except (TypeError, ValueError):
        return None  # malformed, or an id from before sign-in keys (sign in again)
    if not login_key_well_formed(key):
        return None  # a remember-me cookie older than its lifetime
    row = db.session.execute(
        sa.select(User, EndedLogin.key)
        .outerjoin(EndedLogin, EndedLogin.key == key)
        .where(User.id == user_id_number)
    ).first()
    if row is None:
        return None
    user, ended = row
    if not user.active or user.session_version != version or ended is not None:
        return None  # disabled, every session ended, or this one signed out
    user._login_key = key
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    """Pages send people to sign in; the API answers 401 JSON."""
    from flask import flash, redirect, request, session, url_for

    from lms.accounts.sessions import TIMED_OUT_KEY
    from lms.errors import render_error, wants_json

    if wants_json():
        return render_error(401, str(_l("Sign in first.")))
    if TIMED_OUT_KEY not in session:  # else the sign-in page says the session timed out
        flash(str(_l("Please sign in to see this page.")), "info")
    return redirect(url_for("accounts.login", next=_come_back_to(request)))


def _come_back_to(request) -> str | None:
    """Where to return after signing in: the page asked for, or, for a form sent (a POST
    answers 405 to a GET), the page the form was on when it is on this site."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def safe_next(target: str | None) -> str | None:
    """Only paths on this site are followed after sign-in (no open redirects)."""
    if not target or any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in target):
        return None  # control characters (CR/LF) would break the Location header
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return None
    return target
