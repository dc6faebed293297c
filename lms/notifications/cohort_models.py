"""What facilitators wrote to their cohorts: announcements and nudges (issue 16).

The message each learner gets is in the outbox and their list; these rows keep what was sent,
by whom and when, for the facilitators' pages.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.extensions import UTCDateTime, db, utcnow


class Announcement(db.Model):
    """A message to every member of a cohort; key ``announcement:<id>``."""

    __tablename__ = "cohort_announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    #: Members it was recorded for when sent.
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class Nudge(db.Model):
    """One learner's copy of a facilitator's nudge, as sent (placeholders filled).

    ``batch`` names one send (the confirmation form carries it): posting the same form twice
    records once, and the outbox key is ``nudge:<batch>``.
    """

    __tablename__ = "cohort_nudges"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(sa.String(40))
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: The template picked (``miss_you``, ``next_module``, ``session_week``) or ``own``.
    template: Mapped[str] = mapped_column(sa.String(20))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sender: Mapped[User | None] = relationship(foreign_keys=[sender_id])

    __table_args__ = (
        sa.UniqueConstraint("batch", "user_id"),
        sa.Index("ix_cohort_nudges_cohort_user", "cohort_id", "user_id"),
    )
