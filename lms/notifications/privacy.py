"""What notifications hold about a person, for their data download, and what deletion does."""

import sqlalchemy as sa

from lms.extensions import db
from lms.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationSettings,
    OutboxMessage,
)

#: (table, column pointing at users.id) -> the export section holding those rows.
EXPORTED = {
    ("notifications", "user_id"): "notifications",
    ("outbox_messages", "user_id"): "emails",
    ("notification_preferences", "user_id"): "notification_preferences",
    ("notification_settings", "user_id"): "notification_preferences",
}

#: (table, column) -> what deleting the account does to those rows.
ON_DELETE = {
    ("notifications", "user_id"): "removed",
    ("outbox_messages", "user_id"): "removed, unsent ones are not sent",
    ("notification_preferences", "user_id"): "removed",
    ("notification_settings", "user_id"): "removed",
}

COLUMNS = {
    "notifications": ["kind", "title", "summary", "link", "created_at", "read_at"],
    "emails": ["kind", "to", "subject", "status", "created_at", "sent_at"],
    "notification_preferences": ["kind", "channel"],
}


def _iso(value):
    return value.isoformat() if value else None


def collect(user) -> dict:
    """The person's notifications, the emails written to them and their choices."""
    entries = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    emails = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.id)
    )
    choices = db.session.scalars(
        sa.select(NotificationPreference)
        .where(NotificationPreference.user_id == user.id)
        .order_by(NotificationPreference.kind)
    )
    settings = db.session.get(NotificationSettings, user.id)
    preferences = [{"kind": c.kind, "channel": c.channel} for c in choices]
    if settings is not None:
        preferences.append(
            {"kind": "daily_digest", "channel": "on" if settings.daily_digest else "off"}
        )
    return {
        "notifications": [
            {
                "kind": n.kind,
                "title": n.title,
                "summary": n.summary,
                "link": n.link,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in entries
        ],
        "emails": [
            {
                "kind": m.kind,
                "to": m.to_email,
                "subject": m.subject,
                "status": m.status,
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
            }
            for m in emails
        ],
        "notification_preferences": preferences,
    }


def delete_for(user) -> None:
    """Remove every notification row of the person; flush, never commit."""
    for model in (Notification, OutboxMessage, NotificationPreference, NotificationSettings):
        db.session.execute(sa.delete(model).where(model.user_id == user.id))
