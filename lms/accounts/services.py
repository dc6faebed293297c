"""Account operations: create users, look them up, change passwords, roles and status.
Flush, never commit."""

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.accounts.models import ROLES, User
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
