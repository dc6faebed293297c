"""Publish a checked content tree to the database in one transaction.

Keyed by slugs: a course is its folder name, a module its file slug. Renaming a title or
reordering modules updates rows in place, so every learner's progress stays attached. A
module or course that disappeared from git is archived, never deleted.
"""

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from lms.content.loader import ContentTree, CourseSource, ModuleSource, load_content
from lms.content.render import Renderer
from lms.courses.models import Course, Module
from lms.extensions import db, utcnow
from lms.quizzes.models import Quiz


@dataclass
class SyncReport:
    """What a sync did, or the problems that stopped it."""

    tree: ContentTree
    applied: bool = False
    changes: list[str] = field(default_factory=list)
    counts: dict = field(
        default_factory=lambda: {
            "created": 0,
            "updated": 0,
            "archived": 0,
            "restored": 0,
            "unchanged": 0,
        }
    )

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def note(self, kind: str, what: str) -> None:
        self.counts[kind] += 1
        self.changes.append(f"{kind}: {what}")


def sync_content(path: str | Path, progress=None) -> SyncReport:
    """Check the content at ``path`` and, when it has no errors, upsert it (flush only).

    ``progress`` is called with ``(done, total)`` as courses are processed. The caller
    commits; on any error nothing was changed.
    """
    quizzes = {q.module_id: q for q in db.session.scalars(sa.select(Quiz))}
    tree = load_content(path, known_quizzes={q.content_hash: q.questions for q in quizzes.values()})
    report = SyncReport(tree=tree)
    if tree.errors:
        return report
    renderer = Renderer()
    now = utcnow()
    courses = {c.slug: c for c in db.session.scalars(sa.select(Course))}
    modules: dict[int, dict[str, Module]] = {}
    for module in db.session.scalars(sa.select(Module)):
        modules.setdefault(module.course_id, {})[module.slug] = module

    for done, source in enumerate(tree.courses, start=1):
        course = _upsert_course(report, courses.get(source.slug), source, tree, renderer, now)
        courses[source.slug] = course
        existing = modules.get(course.id, {})
        for module_source in source.modules:
            module = _upsert_module(
                report, course, existing.get(module_source.slug), module_source, tree, renderer, now
            )
            _upsert_quiz(report, module, quizzes.get(module.id), module_source, renderer, now)
        present = {m.slug for m in source.modules}
        for slug, module in existing.items():
            if slug not in present and module.archived_at is None:
                module.archived_at = now
                report.note("archived", f"module {source.slug}/{slug}")
                quiz = quizzes.get(module.id)
                if quiz is not None and quiz.archived_at is None:
                    quiz.archived_at = now
        if progress:
            progress(done, len(tree.courses))

    in_scope = _courses_in_scope(tree, courses.values())
    present = {c.slug for c in tree.courses}
    for course in in_scope:
        if course.slug not in present and course.archived_at is None:
            course.archived_at = now
            report.note("archived", f"course {course.slug}")
    db.session.flush()
    report.applied = True
    return report


def _courses_in_scope(tree: ContentTree, courses) -> list[Course]:
    if tree.scope == "root":
        return list(courses)
    if tree.scope == "area":
        return [c for c in courses if c.area == Path(tree.scope_path).name]
    return []


def _resolver(tree: ContentTree, source_path: str):
    source_dir = (
        (tree.root / source_path).parent
        if source_path.endswith(".md")
        else (tree.root / source_path)
    )

    def resolve(target: str):
        url, _error = tree.link_index.resolve(source_dir, target)
        return url

    return resolve


def _upsert_course(report, course, source: CourseSource, tree, renderer, now) -> Course:
    meta = source.meta
    if course is not None and course.content_hash == source.hash and course.area == source.area:
        if course.archived_at is not None:
            course.archived_at = None
            report.note("restored", f"course {source.slug}")
        else:
            report.counts["unchanged"] += 1
        return course
    rendered = renderer.render(source.body, _resolver(tree, source.path))
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
    rendered = renderer.render(source.body, _resolver(tree, source.path))
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


def render_questions(questions: list[dict], renderer: Renderer) -> list[dict]:
    """Add the ``*_html`` renderings the quiz pages show."""
    rendered = []
    for question in questions:
        q = dict(question)
        q["prompt_html"] = renderer.render_inline(q.get("prompt"))
        q["explanation_html"] = renderer.render_inline(q.get("explanation"))
        if "choices" in q:
            q["choices"] = [
                {
                    **c,
                    "text_html": renderer.render_inline(c["text"]),
                    "feedback_html": renderer.render_inline(c.get("feedback")),
                }
                for c in q["choices"]
            ]
        if "answers" in q:
            q["answers"] = [
                {**a, "feedback_html": renderer.render_inline(a.get("feedback"))}
                for a in q["answers"]
            ]
        for key in ("correct_feedback", "incorrect_feedback"):
            if q.get(key):
                q[f"{key}_html"] = renderer.render_inline(q[key])
        rendered.append(q)
    return rendered


def _upsert_quiz(
    report, module: Module, quiz: Quiz | None, source: ModuleSource, renderer: Renderer, now
) -> None:
    label = f"quiz {source.quiz.path if source.quiz else source.path}"
    if source.quiz is None:
        if quiz is not None and quiz.archived_at is None:
            quiz.archived_at = now
            report.note("archived", label)
        return
    if quiz is not None and quiz.content_hash == source.quiz.hash:
        if quiz.archived_at is not None:
            quiz.archived_at = None
            report.note("restored", label)
        return
    values = {
        **source.quiz.settings,
        "questions": render_questions(source.quiz.questions, renderer),
        "content_hash": source.quiz.hash,
        "updated_at": now,
        "archived_at": None,
    }
    if quiz is None:
        db.session.add(Quiz(module_id=module.id, **values))
        report.note("created", label)
    else:
        for key, value in values.items():
            setattr(quiz, key, value)
        report.note("updated", label)
