"""Recording and summarising what learners have read and completed. Flush, never commit."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.courses.models import Course, Module
from lms.extensions import db, utcnow
from lms.progress.models import Completion, ModuleVisit
from lms.progress.signals import module_completed
from lms.quizzes.services import current_quiz, has_passed

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
#: A module page stamps the learner's visit again only when the stored one is older than this,
#: or another module was visited since: a plain re-read writes nothing (issue 17).
VISIT_REFRESH = timedelta(minutes=5)


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


@dataclass(frozen=True, slots=True)
class Visit:
    """The learner's stored visit of one module, and whether it is their latest anywhere."""

    last_visited_at: datetime
    read_at: datetime | None
    latest: bool


def visit_of(user_id: int, module: Module) -> Visit | None:
    """The learner's visit of ``module`` (one statement), or None if they never opened it."""
    latest = (
        sa.select(sa.func.max(ModuleVisit.last_visited_at))
        .where(ModuleVisit.user_id == user_id)
        .scalar_subquery()
    )
    row = db.session.execute(
        sa.select(ModuleVisit.last_visited_at, ModuleVisit.read_at, latest).where(
            ModuleVisit.user_id == user_id, ModuleVisit.module_id == module.id
        )
    ).first()
    if row is None:
        return None
    last_visited_at, read_at, latest_anywhere = row
    return Visit(last_visited_at, read_at, latest=latest_anywhere == last_visited_at)


def visit_is_recent(visit: Visit | None) -> bool:
    """Whether recording this visit again would change nothing the learner or a facilitator
    sees: it is the learner's latest visit and younger than :data:`VISIT_REFRESH`."""
    return visit is not None and visit.latest and utcnow() - visit.last_visited_at < VISIT_REFRESH


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
    # One statement: completions (1) and visits (0) of these modules.
    rows = db.session.execute(
        sa.union_all(
            sa.select(Completion.module_id, sa.literal_column("1")).where(
                Completion.user_id == user_id, Completion.module_id.in_(ids)
            ),
            sa.select(ModuleVisit.module_id, sa.literal_column("0")).where(
                ModuleVisit.user_id == user_id, ModuleVisit.module_id.in_(ids)
            ),
        )
    ).all()
    done = {module_id for module_id, completed in rows if completed}
    seen = {module_id for module_id, _completed in rows}
    return {i: COMPLETED if i in done else IN_PROGRESS if i in seen else NOT_STARTED for i in ids}


def progress_by_course(user_id: int, course_ids=None) -> dict[int, CourseProgress]:
    """Per course: current modules completed out of current modules. One statement: at most
    one completion and one visit per learner and module (unique), so the joins never repeat a
    module."""
    query = (
        sa.select(
            Module.course_id,
            sa.func.count(),
            sa.func.count(Completion.id),
            sa.func.count(ModuleVisit.id),
        )
        .outerjoin(
            Completion, sa.and_(Completion.module_id == Module.id, Completion.user_id == user_id)
        )
        .outerjoin(
            ModuleVisit,
            sa.and_(ModuleVisit.module_id == Module.id, ModuleVisit.user_id == user_id),
        )
        .where(Module.archived_at.is_(None))
        .group_by(Module.course_id)
    )
    if course_ids is not None:
        query = query.where(Module.course_id.in_(list(course_ids)))
    return {
        course_id: CourseProgress(completed, total, completed > 0 or visited > 0)
        for course_id, total, completed, visited in db.session.execute(query)
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


def course_standing(
    user_id: int, modules: list[Module]
) -> tuple[dict[int, str], Module | None, CourseProgress | None]:
    """A course page's view of the learner, in one statement: each current module's status
    (:func:`module_statuses`), where to continue (:func:`next_module`) and the standing
    (:func:`progress_by_course`; None for a course without current modules)."""
    if not modules:
        return {}, None, None
    ids = [m.id for m in modules]
    # Visits first: the result's column types (UTC datetimes) come from the first SELECT.
    rows = db.session.execute(
        sa.union_all(
            sa.select(
                ModuleVisit.module_id,
                sa.literal_column("0"),
                ModuleVisit.last_visited_at,
                ModuleVisit.id,
            ).where(ModuleVisit.user_id == user_id, ModuleVisit.module_id.in_(ids)),
            sa.select(Completion.module_id, sa.literal_column("1"), sa.null(), sa.null()).where(
                Completion.user_id == user_id, Completion.module_id.in_(ids)
            ),
        )
    ).all()
    done = {module_id for module_id, completed, _at, _id in rows if completed}
    visits = [
        (at, visit_id, module_id) for module_id, completed, at, visit_id in rows if not completed
    ]
    seen = {module_id for _at, _id, module_id in visits}
    statuses = {
        i: COMPLETED if i in done else IN_PROGRESS if i in seen else NOT_STARTED for i in ids
    }
    last = max(visits)[2] if visits else None
    standing = CourseProgress(len(done), len(ids), bool(rows))
    return statuses, choose_next(modules, done, last), standing


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
