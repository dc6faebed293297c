"""Deleting an account: every registered source erases its rows, then the account itself is
anonymised; results stay, anonymised, so cohort figures hold. Flush, never commit."""

import secrets

import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db, utcnow
from lms.privacy.registry import SOURCES

#: What a deleted account is called wherever its row still shows.
DELETED_NAME = "Deleted learner"


class DeletionRefused(ValueError):
    """The account cannot be deleted now; the message is for people."""


def other_admins(user: User) -> int:
    """Active admin accounts besides ``user``."""
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.role == "admin",
            User.active.is_(True),
            User.deleted_at.is_(None),
            User.id != user.id,
        )
    )


def check_deletable(user: User) -> None:
    """Raise :class:`DeletionRefused` when deleting ``user`` would leave nobody in charge."""
    from flask_babel import gettext as _

    if user.deleted_at is not None:
        raise DeletionRefused(_("This account was already deleted."))
    if user.role == "admin" and other_admins(user) == 0:
        raise DeletionRefused(
            _(
                "This is the only administrator account. Make someone else an administrator "
                "first, so that the platform keeps one."
            )
        )


def delete_account(user: User) -> None:
    """Erase ``user``'s personal data; keep anonymised results so cohort figures hold.

    Flushes; the caller records the audit event and commits.
    """
    check_deletable(user)
    now = utcnow()
    # Each source erases while the account still has its email address and name (audit
    # events and event registrations are found by them).
    for source in SOURCES:
        if source.erase is not None:
            source.erase(user, now)
    _anonymise(user, now)
    db.session.flush()


def _anonymise(user: User, now) -> None:
    """The account's row stays (results point at it) without anything naming the person."""
    user.email = f"deleted-{user.id}@invalid"
    user.name = DELETED_NAME
    # Not a hash werkzeug can match: no password signs in, and set-password or reset links
    # (signed over the old hash) stop working.
    user.password_hash = f"!deleted${secrets.token_hex(16)}"
    user.role = "learner"
    user.locale = "en"
    user.active = False
    user.last_seen_at = None
    user.deleted_at = now
