"""Quizzes as published from ``NN-slug.quiz.yml`` files."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import Module
from lms.extensions import UTCDateTime, db, utcnow


class Quiz(db.Model):
    """The current version of a module's quiz; its questions are kept as data."""

    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id"), unique=True)
    pass_mark: Mapped[int] = mapped_column(default=70)
    #: 0 means unlimited.
    max_attempts: Mapped[int] = mapped_column(default=0)
    shuffle: Mapped[bool] = mapped_column(default=False)
    reveal: Mapped[str] = mapped_column(sa.String(30), default="after_each_attempt")
    #: The questions, normalised by the content loader (see ``lms.content.quizfile``).
    questions: Mapped[list] = mapped_column(sa.JSON, default=list)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the quiz file was removed; past attempts keep their own copy.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    module: Mapped[Module] = relationship()
