"""Certificates issued when a learner completes every module of a course."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import UTCDateTime, db, utcnow


class Certificate(db.Model):
    """Proof of completion; what it says is fixed when it is issued."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    #: Public, unguessable, e.g. ``C4-7KQ2-M9XD-3HPA``.
    code: Mapped[str] = mapped_column(sa.String(24), unique=True)
    learner_name: Mapped[str] = mapped_column(sa.String(120))
    course_title: Mapped[str] = mapped_column(sa.String(200))
    area: Mapped[str] = mapped_column(sa.String(20))
    hours: Mapped[float] = mapped_column(sa.Float)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the holder deleted their account: verification then says "withdrawn".
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)
