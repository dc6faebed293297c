"""The account's sections: the profile and the security events about the person."""

import json
from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.privacy.sections import Export, iso

#: Keys of audit event details that may name a person.
PERSONAL_DETAIL_KEYS = {"email", "name", "ip", "user_agent", "learner_name"}


def profile(export: Export) -> dict:
    user = export.user
    return {
        "profile": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "preferred_language": user.locale,
            "active": user.active,
            "created_at": iso(user.created_at),
            "last_seen_at": iso(user.last_seen_at),
            "deleted_at": iso(user.deleted_at),
        }
    }


def _events_about(user: User):
    """Audit events the person did, that were done to them, or whose details hold their
    email address (a sign-in attempt with it, say)."""
    return sa.or_(
        AuditEvent.actor_id == user.id,
        AuditEvent.target == f"user:{user.id}",
        sa.func.lower(sa.cast(AuditEvent.details, sa.Text)).contains(user.email, autoescape=True),
    )


def security_events(export: Export) -> dict:
    return {
        "security_events": [
            {
                "event": event.kind,
                "at": iso(event.created_at),
                "address": event.ip,
                "details": json.dumps(event.details or {}, ensure_ascii=False, sort_keys=True),
            }
            for event in db.session.scalars(
                sa.select(AuditEvent).where(_events_about(export.user)).order_by(AuditEvent.id)
            )
        ]
    }


def _scrub_details(details: dict, email: str, name: str) -> dict:
    """Audit details without anything that names the person."""
    needles = [n.casefold() for n in (email, name) if n]
    kept = {}
    for key, value in (details or {}).items():
        if key in PERSONAL_DETAIL_KEYS:
            continue
        text = json.dumps(value, ensure_ascii=False).casefold()
        if any(needle in text for needle in needles):
            continue
        kept[key] = value
    return kept


def scrub_security_events(user: User, now: datetime) -> None:
    """Audit events keep their rows but only the id: no address, nothing naming the person.

    Runs while the account still has its email address and name.
    """
    for event in db.session.scalars(sa.select(AuditEvent).where(_events_about(user))):
        event.ip = None
        event.details = _scrub_details(event.details, user.email, user.name)
