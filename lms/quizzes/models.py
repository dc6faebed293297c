"""Quizzes as published from ``NN-slug.quiz.yml`` files."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import Module, TranslationColumns
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
    #: The questions, normalised by the content loader (see ``lms.content.quizformat``).
    questions: Mapped[list] = mapped_column(sa.JSON, default=list)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the quiz file was removed; past attempts keep their own copy.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    module: Mapped[Module] = relationship()


class QuizTranslation(TranslationColumns, db.Model):
    """A quiz's text in another language: its questions, rendered, matched by question id.

    Grading always follows the original (``Quiz.questions``); a ``short`` question's
    accepted answers here are accepted too, whatever language the learner reads.
    """

    __tablename__ = "quiz_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quizzes.id"))
    questions: Mapped[list] = mapped_column(sa.JSON, default=list)

    __table_args__ = (sa.UniqueConstraint("quiz_id", "language"),)


class Attempt(db.Model):
    """One learner's attempt at a quiz, keeping the version of the questions it answered."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quizzes.id"), index=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id"), index=True)
    #: 1 for the learner's first attempt at this quiz, 2 for the second ...
    number: Mapped[int] = mapped_column()
    #: The questions as they were when the attempt started (never rewritten after submission).
    questions: Mapped[list] = mapped_column(sa.JSON)
    quiz_hash: Mapped[str] = mapped_column(sa.String(64))
    pass_mark: Mapped[int] = mapped_column()
    reveal: Mapped[str] = mapped_column(sa.String(30))
    #: How the page presents it: ``[{"id", "choices": [i...], "rights": [i...]}]``, stable.
    layout: Mapped[list] = mapped_column(sa.JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column(sa.Float)
    max_score: Mapped[float | None] = mapped_column(sa.Float)
    #: Score as a percentage of the graded points (100 when nothing is graded).
    percent: Mapped[float | None] = mapped_column(sa.Float)
    passed: Mapped[bool | None] = mapped_column()

    quiz: Mapped[Quiz] = relationship()
    module: Mapped[Module] = relationship()
    answers: Mapped[list["AttemptAnswer"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptAnswer.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("user_id", "quiz_id", "number"),
        # Covers the facilitator's per-learner figures: they never read the large JSON columns.
        sa.Index(
            "ix_attempts_user_id_module_id_scores",
            "user_id",
            "module_id",
            "submitted_at",
            "percent",
            "passed",
        ),
    )

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class AttemptAnswer(db.Model):
    """The learner's answer to one question of a submitted attempt, graded."""

    __tablename__ = "attempt_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(sa.String(100))
    question_type: Mapped[str] = mapped_column(sa.String(20))
    #: What was sent, normalised: a choice index, a list of indices, text, a number ...
    response: Mapped[dict] = mapped_column(sa.JSON)
    score: Mapped[float] = mapped_column(sa.Float, default=0)
    max_score: Mapped[float] = mapped_column(sa.Float, default=0)
    #: ``None`` for reflections (not graded) and unanswered questions stay ``False``.
    correct: Mapped[bool | None] = mapped_column()

    attempt: Mapped[Attempt] = relationship(back_populates="answers")

    __table_args__ = (sa.UniqueConstraint("attempt_id", "question_id"),)
