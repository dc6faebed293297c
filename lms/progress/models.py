"""What each learner has read and completed."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import UTCDateTime, db, utcnow


class Completion(db.Model):
    """A learner completed a module: at most one row per learner and module."""

    __tablename__ = "completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "module_id"),)


class ModuleVisit(db.Model):
    """A learner opened a module: drives "in progress" and "continue where you left off"."""

    __tablename__ = "module_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id"), index=True)
    first_visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the learner said they had read the module ("Mark as read").
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("user_id", "module_id"),)
