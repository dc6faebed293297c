"""Publish a checked content tree to the database, course by course.

Keyed by slugs: a course is its folder name, a module its file slug. Renaming a title or
reordering modules updates rows in place, so every learner's progress stays attached. A
module or course that disappeared from git is archived, never deleted.

Each course is published inside a SAVEPOINT of the caller's transaction: a course with
problems (see :mod:`lms.content.holdback`), or one whose publishing fails halfway, is left
exactly as it was while every other course publishes. The caller commits once.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from lms.content.holdback import HeldBack, LiveCourse, hold_back
from lms.content.loader import load_content
from lms.content.problems import Problem
from lms.content.render import Renderer, link_resolver, render_questions
from lms.content.tree import ContentTree, CourseSource, ModuleSource
from lms.courses.models import Course, CourseTranslation, Module, ModuleTranslation
from lms.extensions import db, utcnow
from lms.publishing.signals import modules_archived
from lms.publishing.translations import TranslationSync, published_translations
from lms.quizzes.models import Quiz, QuizTranslation

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    """What a sync did, the courses it held back, or the problems that stopped it."""

    tree: ContentTree
    #: The sync ran (``False``: problems outside every course stopped it; nothing changed).
    applied: bool = False
    changes: list[str] = field(default_factory=list)
    counts: dict = field(
        default_factory=lambda: {
            "created": 0,
            "updated": 0,
            "archived": 0,
            "restored": 0,
            "unchanged": 0,
            "removed": 0,
        }
    )
    #: Translation files left as they were published because they have errors.
    skipped: list[str] = field(default_factory=list)
    #: Courses left as they are on the site because of their problems.
    held_back: list[HeldBack] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def complete(self) -> bool:
        """Every course was published: nothing held back."""
        return self.applied and not self.held_back

    def note(self, kind: str, what: str) -> None:
        self.counts[kind] += 1
        self.changes.append(f"{kind}: {what}")

    def mark(self) -> tuple:
        """A point to :meth:`undo` to when a course's publishing is rolled back."""
        return len(self.changes), dict(self.counts), len(self.skipped)

    def undo(self, mark: tuple) -> None:
        changes, counts, skipped = mark
        del self.changes[changes:], self.skipped[skipped:]
        self.counts = counts


def sync_content(path: str | Path, progress=None) -> SyncReport:
    """Check the content at ``path`` and upsert every course without errors (flush only).

    ``progress`` is called with ``(done, total)`` as courses are processed. The caller
    commits. Courses with errors are held back (``report.held_back``); an error outside
    every course changes nothing at all (``report.applied`` is false).
    """
    quizzes = {q.module_id: q for q in db.session.scalars(sa.select(Quiz))}
    translations = published_translations()
    tree = load_content(
        path,
        known_quizzes={q.content_hash: q.questions for q in quizzes.values()},
        known_translations={
            t.content_hash: t.translation_of
            for by_language in translations[QuizTranslation].values()
            for t in by_language.values()
        },
    )
    report = SyncReport(tree=tree)
    if tree.global_errors:
        return report
    publisher = _Publisher(report, tree, quizzes, translations)
    live = publisher.live()  # the last good versions, as learners see them now
    report.held_back = hold_back(tree, live)
    held = {h.course for h in report.held_back}
    publishing = [c for c in tree.courses if f"{c.area}/{c.slug}" not in held]
    for done, source in enumerate(publishing, start=1):
        mark = report.mark()
        try:
            with db.session.begin_nested():
                publisher.publish(source)
        except (sa.exc.OperationalError, sa.exc.InterfaceError):
            raise  # the database itself failed: no course can be published
        except Exception as exc:  # this course's fault: it alone is rolled back
            log.exception("content sync: publishing course %s failed; left as it was", source.path)
            report.undo(mark)
            problem = Problem(
                f"{source.path}/course.md",
                1,
                f"publishing this course failed unexpectedly ({type(exc).__name__}; the "
                "server log has the details); it was left as it was",
            )
            tree.problems.append(problem)
            course = f"{source.area}/{source.slug}"
            report.held_back.append(HeldBack(course, [problem], source.slug in live))
            publisher.reload()
        if progress:
            progress(done, len(publishing))

    keep = {c.slug for c in tree.courses} | {h.slug for h in report.held_back}
    now = publisher.now
    for course in _courses_in_scope(tree, publisher.courses.values()):
        if course.slug not in keep and course.archived_at is None:
            course.archived_at = now
            report.note("archived", f"course {course.slug}")
    db.session.flush()
    report.held_back.sort(key=lambda h: h.course)
    report.applied = True
    return report


class _Publisher:
    """Upserts one course at a time, with what is published already looked up once."""

    def __init__(self, report: SyncReport, tree: ContentTree, quizzes: dict, translations: dict):
        self.report, self.tree = report, tree
        self.renderer = Renderer()
        self.now = utcnow()
        self.quizzes, self.translations = quizzes, translations
        self._load_courses()

    def _load_courses(self) -> None:
        self.courses = {c.slug: c for c in db.session.scalars(sa.select(Course))}
        self.modules: dict[int, dict[str, Module]] = {}
        for module in db.session.scalars(sa.select(Module)):
            self.modules.setdefault(module.course_id, {})[module.slug] = module

    def reload(self) -> None:
        """Look everything up again after a rolled-back course (its rows may be gone)."""
        self.quizzes = {q.module_id: q for q in db.session.scalars(sa.select(Quiz))}
        self.translations = published_translations()
        self._load_courses()

    def live(self) -> dict[str, LiveCourse]:
        """Every course on the site, by slug, with the slugs of its modules on the site."""
        return {
            course.slug: LiveCourse(
                course.area,
                {m.slug for m in self.modules.get(course.id, {}).values() if m.archived_at is None},
            )
            for course in self.courses.values()
            if course.archived_at is None
        }

    def publish(self, source: CourseSource) -> None:
        report, tree, renderer, now = self.report, self.tree, self.renderer, self.now
        course = _upsert_course(report, self.courses.get(source.slug), source, tree, renderer, now)
        self.courses[source.slug] = course
        sync = TranslationSync(report, self.translations, tree, renderer, now)
        sync.apply(CourseTranslation, course, f"course {source.slug}", source.translations)
        existing = self.modules.get(course.id, {})
        for module_source in source.modules:
            module = _upsert_module(
                report, course, existing.get(module_source.slug), module_source, tree, renderer, now
            )
            label = f"module {course.slug}/{module.slug}"
            sync.apply(ModuleTranslation, module, label, module_source.translations)
            quiz = _upsert_quiz(
                report, module, self.quizzes.get(module.id), module_source, renderer, now
            )
            if quiz is not None and module_source.quiz is not None:
                label = f"quiz {module_source.quiz.path}"
                sync.apply(QuizTranslation, quiz, label, module_source.quiz_translations)
        present = {m.slug for m in source.modules}
        archived = []
        for slug, module in existing.items():
            if slug not in present and module.archived_at is None:
                module.archived_at = now
                archived.append(module)
                report.note("archived", f"module {source.slug}/{slug}")
                quiz = self.quizzes.get(module.id)
                if quiz is not None and quiz.archived_at is None:
                    quiz.archived_at = now
        if archived:
            db.session.flush()
            modules_archived.send(course, modules=archived)


def _courses_in_scope(tree: ContentTree, courses) -> list[Course]:
    if tree.scope == "root":
        return list(courses)
    if tree.scope == "area":
        return [c for c in courses if c.area == Path(tree.scope_path).name]
    return []


def _upsert_course(report, course, source: CourseSource, tree, renderer, now) -> Course:
    meta = source.meta
    if course is not None and course.content_hash == source.hash and course.area == source.area:
        if course.archived_at is not None:
            course.archived_at = None
            report.note("restored", f"course {source.slug}")
        else:
            report.counts["unchanged"] += 1
        return course
    rendered = renderer.render(source.body, link_resolver(tree, source.path))
    values = {
        "area": source.area,
        "title": meta["title"].strip(),
        "summary": meta["summary"].strip(),
        "level": meta["level"],
        "duration_hours": float(meta["duration_hours"]),
        "language": meta["language"],
        "objectives": [o.strip() for o in meta["objectives"]],
        "prerequisites": _prerequisites(meta.get("prerequisites") or []),
        "required_sessions": meta.get("required_sessions", 0),
        "intro_html": rendered.html,
        "source_path": source.path,
        "content_hash": source.hash,
        "updated_at": now,
        "archived_at": None,
    }
    if course is None:
        course = Course(slug=source.slug, created_at=now, **values)
        db.session.add(course)
        db.session.flush()
        report.note("created", f"course {source.slug}")
    else:
        for key, value in values.items():
            setattr(course, key, value)
        report.note("updated", f"course {source.slug}")
    return course


def _prerequisites(items: list[str]) -> list[dict]:
    result = []
    for item in items:
        item = item.strip()
        if "/" in item and " " not in item:
            result.append({"course": item.split("/", 1)[1]})
        else:
            result.append({"text": item})
    return result


def _upsert_module(report, course, module, source: ModuleSource, tree, renderer, now):
    label = f"module {course.slug}/{source.slug}"
    if module is not None and module.content_hash == source.hash:
        if module.archived_at is not None:
            module.archived_at = None
            report.note("restored", label)
        else:
            report.counts["unchanged"] += 1
        return module
    rendered = renderer.render(source.body, link_resolver(tree, source.path))
    values = {
        "position": source.position,
        "title": source.meta["title"].strip(),
        "duration_minutes": source.meta["duration_minutes"],
        "objectives": [o.strip() for o in source.meta["objectives"]],
        "body_html": rendered.html,
        "toc": rendered.toc,
        "word_count": rendered.word_count,
        "source_path": source.path,
        "content_hash": source.hash,
        "updated_at": now,
        "archived_at": None,
    }
    if module is None:
        module = Module(course_id=course.id, slug=source.slug, created_at=now, **values)
        db.session.add(module)
        db.session.flush()
        report.note("created", label)
    else:
        for key, value in values.items():
            setattr(module, key, value)
        report.note("updated", label)
    return module


def _upsert_quiz(
    report, module: Module, quiz: Quiz | None, source: ModuleSource, renderer: Renderer, now
) -> None:
    label = f"quiz {source.quiz.path if source.quiz else source.path}"
    if source.quiz is None:
        if quiz is not None and quiz.archived_at is None:
            quiz.archived_at = now
            report.note("archived", label)
        return quiz
    if quiz is not None and quiz.content_hash == source.quiz.hash:
        if quiz.archived_at is not None:
            quiz.archived_at = None
            report.note("restored", label)
        return quiz
    values = {
        **source.quiz.settings,
        "questions": render_questions(source.quiz.questions, renderer),
        "content_hash": source.quiz.hash,
        "updated_at": now,
        "archived_at": None,
    }
    if quiz is None:
        quiz = Quiz(module_id=module.id, **values)
        db.session.add(quiz)
        db.session.flush()
        report.note("created", label)
    else:
        for key, value in values.items():
            setattr(quiz, key, value)
        report.note("updated", label)
    return quiz
