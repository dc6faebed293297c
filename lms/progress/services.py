"""Recording and summarising what learners have read and completed. Flush, never commit."""

from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.courses.models import Course, Module
from lms.extensions import db, utcnow
from lms.progress.models import Completion, ModuleVisit
from lms.progress.signals import module_completed
from lms.quizzes.services import current_quiz, has_passed

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"


@dataclass
class CourseProgress:
    """A learner's standing in one course."""

    completed: int
    total: int
    started: bool

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.completed >= self.total


def record_visit(user_id: int, module: Module) -> None:
    """Remember that the learner opened ``module`` now (one row per learner and module)."""
    now = utcnow()
    updated = db.session.execute(
        sa.update(ModuleVisit)
        .where(ModuleVisit.user_id == user_id, ModuleVisit.module_id == module.id)
        .values(last_visited_at=now)
    ).rowcount
    if updated:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                ModuleVisit(
                    user_id=user_id, module_id=module.id, first_visited_at=now, last_visited_at=now
                )
            )
    except IntegrityError:  # a parallel request recorded the first visit
        pass


def mark_read(user_id: int, module: Module) -> "Outcome":
    """The learner read the module; complete it when its quiz (if any) is passed too.

    Returns the outcome of :func:`try_complete`.
    """
    record_visit(user_id, module)
    db.session.execute(
        sa.update(ModuleVisit)
        .where(
            ModuleVisit.user_id == user_id,
            ModuleVisit.module_id == module.id,
            ModuleVisit.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    return try_complete(user_id, module)


#: What :func:`try_complete` found (``Outcome.status``).
COMPLETED_NOW, ALREADY_COMPLETE, NEEDS_READING, NEEDS_QUIZ = (
    "completed",
    "already",
    "needs_reading",
    "needs_quiz",
)


class Outcome(NamedTuple):
    """What completing a module did: its ``status``, and what higher features granted for a
    completion made now (``earned``: the receivers' answers to ``module_completed``, e.g. the
    course certificate), so a view can say so without knowing those features."""

    status: str
    earned: tuple = ()


def try_complete(user_id: int, module: Module) -> Outcome:
    """Record the completion once its conditions hold: read, and quiz passed (best attempt).

    The one path from a completion to what it earns: a completion made now sends
    :data:`~lms.progress.signals.module_completed` in the same transaction (the certificates
    feature issues the course certificate there), before the caller's one commit.
    """
    if db.session.scalar(
        sa.select(Completion.id).where(
            Completion.user_id == user_id, Completion.module_id == module.id
        )
    ):
        return Outcome(ALREADY_COMPLETE)
    read = db.session.scalar(
        sa.select(ModuleVisit.read_at).where(
            ModuleVisit.user_id == user_id, ModuleVisit.module_id == module.id
        )
    )
    if read is None:
        return Outcome(NEEDS_READING)
    quiz = current_quiz(module)
    if quiz is not None and not has_passed(user_id, quiz):
        return Outcome(NEEDS_QUIZ)
    try:
        with db.session.begin_nested():
            db.session.add(Completion(user_id=user_id, module_id=module.id))
    except IntegrityError:  # a double click that raced: the database kept one
        return Outcome(ALREADY_COMPLETE)
    answers = module_completed.send(module, user_id=user_id)
    return Outcome(COMPLETED_NOW, tuple(earned for _, earned in answers if earned is not None))


def is_read(user_id: int, module: Module) -> bool:
    return (
        db.session.scalar(
            sa.select(ModuleVisit.read_at).where(
                ModuleVisit.user_id == user_id, ModuleVisit.module_id == module.id
            )
        )
        is not None
    )


def completed_module_ids(user_id: int, module_ids=None) -> set[int]:
    query = sa.select(Completion.module_id).where(Completion.user_id == user_id)
    if module_ids is not None:
        query = query.where(Completion.module_id.in_(list(module_ids)))
    return set(db.session.scalars(query))


def visited_module_ids(user_id: int, module_ids=None) -> set[int]:
    query = sa.select(ModuleVisit.module_id).where(ModuleVisit.user_id == user_id)
    if module_ids is not None:
        query = query.where(ModuleVisit.module_id.in_(list(module_ids)))
    return set(db.session.scalars(query))


def module_statuses(user_id: int, modules: list[Module]) -> dict[int, str]:
    """``completed`` / ``in_progress`` (opened) / ``not_started`` for each module."""
    ids = [m.id for m in modules]
    done = completed_module_ids(user_id, ids)
    seen = visited_module_ids(user_id, ids)
    return {i: COMPLETED if i in done else IN_PROGRESS if i in seen else NOT_STARTED for i in ids}


def progress_by_course(user_id: int, course_ids=None) -> dict[int, CourseProgress]:
    """Per course: current modules completed out of current modules. Three queries in all."""
    current = sa.select(Module.id, Module.course_id).where(Module.archived_at.is_(None))
    if course_ids is not None:
        current = current.where(Module.course_id.in_(list(course_ids)))
    current = current.subquery()
    totals = dict(
        db.session.execute(
            sa.select(current.c.course_id, sa.func.count()).group_by(current.c.course_id)
        ).all()
    )
    completed = dict(
        db.session.execute(
            sa.select(current.c.course_id, sa.func.count())
            .join(Completion, Completion.module_id == current.c.id)
            .where(Completion.user_id == user_id)
            .group_by(current.c.course_id)
        ).all()
    )
    started = set(
        db.session.scalars(
            sa.select(current.c.course_id)
            .join(ModuleVisit, ModuleVisit.module_id == current.c.id)
            .where(ModuleVisit.user_id == user_id)
            .distinct()
        )
    )
    return {
        course_id: CourseProgress(
            completed.get(course_id, 0), total, course_id in started or course_id in completed
        )
        for course_id, total in totals.items()
    }


def next_module(user_id: int, course: Course, modules: list[Module]) -> Module | None:
    """Where to continue: the last opened module if unfinished, else the first unfinished."""
    if not modules:
        return None
    ids = [m.id for m in modules]
    done = completed_module_ids(user_id, ids)
    last = db.session.scalar(
        sa.select(ModuleVisit.module_id)
        .where(ModuleVisit.user_id == user_id, ModuleVisit.module_id.in_(ids))
        .order_by(ModuleVisit.last_visited_at.desc(), ModuleVisit.id.desc())
        .limit(1)
    )
    return choose_next(modules, done, last)


def choose_next(modules: list[Module], done: set[int], last_opened: int | None) -> Module | None:
    """:func:`next_module`'s rule on data already loaded: ``last_opened`` (the id of the course's
    most recently opened module) if unfinished, else the first unfinished module."""
    if last_opened is not None and last_opened not in done:
        found = next((m for m in modules if m.id == last_opened), None)
        if found is not None:
            return found
    return next((m for m in modules if m.id not in done), None)


def recent_courses(user_id: int) -> list[tuple[Course, object]]:
    """Courses the learner has opened, most recently visited first, with the last visit time."""
    rows = db.session.execute(
        sa.select(Course, sa.func.max(ModuleVisit.last_visited_at).label("last"))
        .join(Module, Module.course_id == Course.id)
        .join(ModuleVisit, ModuleVisit.module_id == Module.id)
        .where(
            ModuleVisit.user_id == user_id,
            Course.archived_at.is_(None),
            Module.archived_at.is_(None),
        )
        .group_by(Course.id)
        .order_by(sa.desc("last"))
    ).all()
    return [(row[0], row[1]) for row in rows]
