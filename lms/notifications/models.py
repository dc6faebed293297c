"""The outbox of messages to send, the on-platform list and each person's choices."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User

from lms.extensions import UTCDateTime, db, utcnow

OUTBOX_STATUSES = ("queued", "claimed", "sending", "sent", "failed")
CHANNELS = ("email", "platform", "off")


class OutboxMessage(db.Model):
    """One email to one person, recorded with the change that caused it; a worker sends it."""

    __tablename__ = "notification_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``kind:recipient:object``: the same message is never recorded twice.
    key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    to_email: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text)
    #: An ``.ics`` file for meeting kinds.
    attachment: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    #: One of :data:`OUTBOX_STATUSES`.
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Which worker claimed it, and until when (see delivery.claim).
    claim_token: Mapped[str | None] = mapped_column(sa.String(40))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()

    __table_args__ = (sa.Index("ix_notification_outbox_due", "status", "next_attempt_at"),)


class Notification(db.Model):
    """An entry in a person's on-platform list (``/notifications``)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    #: A path on this platform to open from the list (may be empty).
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    #: The cohort it concerns, so a facilitator's learner page can show what was sent when.
    cohort_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: The header's unread count is one COUNT over this index.
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)


class Preference(db.Model):
    """How one person wants one kind of message: email, on the platform only, or not at all."""

    __tablename__ = "notification_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: One of :data:`CHANNELS`.
    channel: Mapped[str] = mapped_column(sa.String(10))

    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)
