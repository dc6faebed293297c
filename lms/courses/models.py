"""Courses and modules as published from ``content/`` by ``lms content sync``."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import UTCDateTime, db, utcnow


class Course(db.Model):
    """A course; its slug (the content folder name) is its identity for ever."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: One of :data:`lms.content.tree.AREAS`.
    area: Mapped[str] = mapped_column(sa.String(20), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    level: Mapped[str] = mapped_column(sa.String(20))
    duration_hours: Mapped[float] = mapped_column(sa.Float)
    language: Mapped[str] = mapped_column(sa.String(10))
    objectives: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Free-text prerequisites and ``{"course": slug}`` references.
    prerequisites: Mapped[list] = mapped_column(sa.JSON, default=list)
    intro_html: Mapped[str] = mapped_column(sa.Text, default="")
    #: Face-to-face sessions a learner must attend (present or late) to complete the course.
    required_sessions: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Folder relative to the content root, e.g. ``technology/additive-manufacturing``.
    source_path: Mapped[str] = mapped_column(sa.String(300))
    #: Hash of the source files; a sync skips a course whose hash is unchanged.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the course folder disappeared from git; progress is kept.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    modules: Mapped[list["Module"]] = relationship(
        back_populates="course", order_by="Module.position"
    )

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class Module(db.Model):
    """A module of a course, keyed by (course, slug) so reordering keeps progress."""

    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(100))
    #: The number prefix of the file name; modules are shown in this order.
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(200))
    duration_minutes: Mapped[int] = mapped_column()
    objectives: Mapped[list] = mapped_column(sa.JSON, default=list)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    #: Table of contents: ``[{"id", "name", "children": [...]}]`` from the headings.
    toc: Mapped[list] = mapped_column(sa.JSON, default=list)
    word_count: Mapped[int] = mapped_column(default=0)
    source_path: Mapped[str] = mapped_column(sa.String(300))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(back_populates="modules")

    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)

    def __repr__(self) -> str:
        return f"<Module {self.course_id}/{self.slug}>"


class TranslationColumns:
    """What every published translation records about its file and its original."""

    #: A code of :data:`lms.content.translations.TRANSLATION_LANGUAGES`, e.g. ``it``.
    language: Mapped[str] = mapped_column(sa.String(10))
    #: The original's hash the translation says it was made from (12+ hex characters).
    translation_of: Mapped[str] = mapped_column(sa.String(64))
    #: SHA-256 of the original file at the last sync.
    original_hash: Mapped[str] = mapped_column(sa.String(64))
    source_path: Mapped[str] = mapped_column(sa.String(300))
    #: Hash of the translation and its original; a sync skips an unchanged pair.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def out_of_date(self) -> bool:
        """The original changed after the translation was made: learners get a note."""
        return not self.original_hash.startswith(self.translation_of)


class CourseTranslation(TranslationColumns, db.Model):
    """A course's title, summary, objectives and introduction in another language."""

    __tablename__ = "course_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    #: Empty when the translation keeps the original's objectives.
    objectives: Mapped[list] = mapped_column(sa.JSON, default=list)
    intro_html: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.UniqueConstraint("course_id", "language"),)


class ModuleTranslation(TranslationColumns, db.Model):
    """A module's title, objectives and text in another language, rendered at sync time."""

    __tablename__ = "module_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    objectives: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: The rendered text loads only when a page shows it (lists need only the title).
    body_html: Mapped[str] = mapped_column(
        sa.Text, default="", deferred=True, deferred_group="text"
    )
    toc: Mapped[list] = mapped_column(sa.JSON, default=list, deferred=True, deferred_group="text")

    __table_args__ = (sa.UniqueConstraint("module_id", "language"),)
