"""The content tree as read from disk: its dataclasses and the names, limits and fields of
its files. One home for :data:`AREAS` (courses import it from here)."""

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lms.content.problems import Problem
from lms.content.quizformat import QUESTION_TYPES
from lms.content.schema import (
    Field,
    choice,
    language,
    non_negative_int,
    positive_int,
    positive_number,
    text,
    text_list,
)
from lms.content.translations import (
    TranslationSource,
)

if TYPE_CHECKING:
    from lms.content.links import _ModuleIndex

AREAS = ("technology", "trends", "mindset")
LEVELS = ("beginner", "intermediate", "advanced")
ADMONITIONS = ("note", "tip", "warning")
#: Files that may be linked from content and served to learners.
ASSET_EXTENSIONS = {
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".svg",
    ".webp",
    ".avif",
    ".pdf",
    ".mp3",
    ".mp4",
    ".webm",
    ".ogg",
    ".vtt",
    ".csv",
    ".txt",
}
MODULE_RE = re.compile(r"^(\d{1,3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
QUIZ_RE = re.compile(r"^(\d{1,3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.quiz\.ya?ml$")
#: Module slugs that would collide with course URLs.
RESERVED_SLUGS = {"assets", "quiz", "complete", "certificate"}
MAX_FILE_BYTES = 1024 * 1024

COURSE_FIELDS = {
    "title": Field(text(200)),
    "summary": Field(text(600)),
    "level": Field(choice(*LEVELS)),
    "duration_hours": Field(positive_number),
    "language": Field(language),
    "objectives": Field(text_list(1)),
    "prerequisites": Field(text_list(0), required=False),
    "required_sessions": Field(non_negative_int, required=False),
}
MODULE_FIELDS = {
    "title": Field(text(200)),
    "duration_minutes": Field(positive_int),
    "objectives": Field(text_list(1)),
}


@dataclass
class QuizSource:
    path: str
    settings: dict
    questions: list
    hash: str
    #: SHA-256 of the file's bytes (what a translation's ``translation_of`` refers to).
    file_sha: str = ""


@dataclass
class ModuleSource:
    slug: str
    position: int
    path: str  #: relative to the content root, with forward slashes
    meta: dict
    body: str
    hash: str
    quiz: QuizSource | None = None
    file_sha: str = ""
    #: Language code -> translation of the module text, and of its quiz.
    translations: dict[str, TranslationSource] = field(default_factory=dict)
    quiz_translations: dict[str, TranslationSource] = field(default_factory=dict)


@dataclass
class CourseSource:
    area: str
    slug: str
    path: str
    meta: dict
    body: str
    hash: str
    modules: list[ModuleSource] = field(default_factory=list)
    file_sha: str = ""
    translations: dict[str, TranslationSource] = field(default_factory=dict)


@dataclass(frozen=True)
class Reference:
    """A link or a prerequisite from a file of one course to another course."""

    path: str  #: the file that refers, relative to the content root
    line: int
    course: str  #: the course referred to, as ``<area>/<course folder>``
    module: str | None = None  #: the module slug a link points at (``None``: the course)
    kind: str = "link"  #: ``link`` or ``prerequisite``


@dataclass
class ContentTree:
    """What was read from disk, and what is wrong with it."""

    root: Path
    courses: list[CourseSource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: ``"root"``, ``"area"`` or ``"course"``: how much of the tree was asked for.
    scope: str = "root"
    scope_path: str = ""
    #: Resolves links for rendering (set by :func:`load_content`).
    link_index: "_ModuleIndex | None" = None
    #: Every translation file found (checked or not), relative to the root.
    translation_paths: set[str] = field(default_factory=set)
    #: Translations found per language: ``{"it": {"files": 5, "out_of_date": 1, ...}}``.
    translation_counts: dict = field(default_factory=dict)
    #: Links and prerequisites into other courses (the sync checks them against what is live).
    references: list[Reference] = field(default_factory=list)

    def course_of(self, path: str) -> str | None:
        """``<area>/<course folder>`` for a path inside a course folder, else ``None``: the
        course a problem belongs to (a folder that is not a valid course counts as one)."""
        parts = path.split("/")
        if (
            len(parts) < 2
            or parts[0] not in AREAS
            or not (self.root / parts[0] / parts[1]).is_dir()
        ):
            return None
        return f"{parts[0]}/{parts[1]}"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def blocking_errors(self) -> list[Problem]:
        """Errors that stop a sync: a broken translation is skipped instead."""
        return [p for p in self.errors if p.path not in self.translation_paths]

    @property
    def global_errors(self) -> list[Problem]:
        """Errors outside any course folder: they stop every course from publishing."""
        return [p for p in self.blocking_errors if self.course_of(p.path) is None]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def summary(self) -> dict:
        """Counts for the checker's summary line and ``--json``."""
        by_type = Counter({t: 0 for t in QUESTION_TYPES})
        quizzes = 0
        for course in self.courses:
            for module in course.modules:
                if module.quiz:
                    quizzes += 1
                    by_type.update(q["type"] for q in module.quiz.questions)
        return {
            "areas": len({c.area for c in self.courses}),
            "courses": len(self.courses),
            "modules": sum(len(c.modules) for c in self.courses),
            "quizzes": quizzes,
            "questions": sum(by_type.values()),
            "questions_by_type": dict(by_type),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "translations": {
                lang: dict(counts) for lang, counts in sorted(self.translation_counts.items())
            },
        }
