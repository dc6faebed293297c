"""What was said to whom: platform entries, the email outbox, and each person's choices."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import UTCDateTime, db, utcnow

#: Outbox states. ``queued``: waits for a worker (or for ``next_attempt_at``); ``sending``: a
#: worker claimed it and is talking to SMTP; ``sent``; ``failed``: the last try failed, shown to
#: admins; ``digest``: held for the person's daily digest; ``unknown``: a worker died while
#: sending, so it may or may not have gone out; never resent by itself (an admin decides).
OUTBOX_STATES = ("queued", "sending", "sent", "failed", "digest", "unknown")

#: A person's choice per kind of message.
CHANNELS = ("email", "platform", "off")


class Notification(db.Model):
    """One entry in a person's on-platform list (the bell in the header)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: A registered kind's name, e.g. ``meeting.reminder``.
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: What it is about, unique per kind and person, e.g. ``meeting:12:3``.
    key: Mapped[str] = mapped_column(sa.String(200))
    #: The subject, in the person's language at the time it was written.
    title: Mapped[str] = mapped_column(sa.String(300))
    #: A short plain-text summary shown under the title.
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    #: A path on the platform (``/facilitate/...``), or empty.
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "key"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
    )


class OutboxMessage(db.Model):
    """One email to send, written in the transaction of the change that caused it."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``kind:recipient:key``; the database refuses a second message for the same thing.
    dedupe_key: Mapped[str] = mapped_column(sa.String(400), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: The person, when the address belongs to an account (sign-up confirmations do not yet).
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    to_email: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text, default="")
    #: Extra headers, e.g. ``List-Unsubscribe``: ``{"Name": "value"}``.
    headers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: ``[{"filename": ..., "content_type": "text/calendar", "data": <base64>}]``.
    attachments: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: One of :data:`OUTBOX_STATES`.
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The SMTP server's answer to the last failed try.
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    #: Which worker holds it while ``sending`` (host:pid:random), and since when.
    claimed_by: Mapped[str] = mapped_column(sa.String(120), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)


class NotificationPreference(db.Model):
    """A person's choice for one kind; no row means the kind's default."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    #: One of :data:`CHANNELS`.
    channel: Mapped[str] = mapped_column(sa.String(10))


class NotificationSettings(db.Model):
    """Choices that are not per kind."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: Gather the day's emails of digestible kinds into one, sent once a day.
    daily_digest: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
