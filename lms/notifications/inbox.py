"""A person's on-platform list: what they have, what is unread, marking entries read."""

import sqlalchemy as sa
from flask import abort, g

from lms.extensions import db, utcnow
from lms.notifications.models import Notification


def entries_query(user_id: int) -> sa.Select:
    """The person's entries, newest first (ties by id, so paging is stable)."""
    return (
        sa.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def unread_count(user_id: int) -> int:
    """How many entries the person has not opened: one COUNT, once per request (cached on g)."""
    cached = g.get("lms_unread_notifications")
    if cached is not None and cached[0] == user_id:
        return cached[1]
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    g.lms_unread_notifications = (user_id, count or 0)
    return count or 0


def load_notification_or_404(notification_id: int, for_user) -> Notification:
    """The entry, when it is ``for_user``'s own; a 404 for anyone else's or a missing one."""
    entry = db.session.get(Notification, notification_id)
    if entry is None or entry.user_id != for_user.id:
        abort(404)
    return entry


def mark_read(entry: Notification) -> None:
    """Mark one entry read (the first time only); flush, never commit."""
    if entry.read_at is None:
        entry.read_at = utcnow()
        db.session.flush()


def mark_all_read(user_id: int) -> int:
    """Mark every unread entry of the person read; returns how many; never commits."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    g.pop("lms_unread_notifications", None)
    return result.rowcount or 0
