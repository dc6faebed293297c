"""The learner's home (``/me/learning``) when they are in a cohort: each current cohort with its
courses in order and the learner's progress, what is due soon, the next session with what to
prepare and their answer to *Will you come?*, and where to continue.

Read only. :func:`learner_home` runs a fixed number of queries, whatever the number of cohorts,
courses, targets or sessions.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, defer, joinedload, selectinload

from lms.cohorts.models import (
    Cohort,
    CohortCourse,
    Meeting,
    MeetingModule,
    Membership,
    ModuleTarget,
    Rsvp,
)
from lms.cohorts.rsvps import answers_of
from lms.courses.models import Course, Module
from lms.courses.services import Localized, localize_courses, localize_modules_of
from lms.extensions import db, utcnow
from lms.progress import services as progress
from lms.progress.models import ModuleVisit

#: Targets due within this many days (and every overdue one) are "due soon".
DUE_SOON_DAYS = 14


@dataclass
class CourseLine:
    """A course as the learner stands in it."""

    course: Localized
    progress: progress.CourseProgress
    #: Where to continue; ``None`` once every module is complete.
    next: Localized | None
    last_visit: datetime | None = None


@dataclass
class Due:
    """A module the learner has not completed yet, with the cohort's target date for it."""

    module: Localized
    course: Localized
    due_on: date
    #: ``"overdue"``, ``"today"`` or ``"soon"``.
    state: str


@dataclass
class Preparation:
    """A module to prepare before a session, and whether the learner has completed it."""

    module: Localized
    course: Localized
    done: bool


@dataclass
class NextSession:
    meeting: Meeting
    prepare: list[Preparation]
    #: The learner's answer to *Will you come?*: yes / maybe / no, or ``None``.
    answer: str | None
    #: Places taken (people who said yes), shown when the session has a capacity.
    taken: int


@dataclass
class CohortHome:
    cohort: Cohort
    courses: list[CourseLine]
    due: list[Due]
    next_session: NextSession | None


@dataclass
class Resume:
    """Where to continue: the module and its course; ``started`` is false when the learner has
    not opened any unfinished course yet (the first module of their cohort's first course)."""

    course: Localized
    module: Localized
    started: bool


@dataclass
class LearnerHome:
    cohorts: list[CohortHome]
    resume: Resume | None
    #: Courses the learner opened that none of their cohorts follows, most recent first.
    other_courses: list[CourseLine] = field(default_factory=list)


def current_cohorts(user_id: int) -> list[Cohort]:
    """The learner's cohorts that are not archived, those starting first first."""
    return list(
        db.session.scalars(
            sa.select(Cohort)
            .join(Membership, Membership.cohort_id == Cohort.id)
            .where(Membership.user_id == user_id, Cohort.archived_at.is_(None))
            .options(joinedload(Cohort.partner))
            .order_by(Cohort.starts_on, Cohort.name, Cohort.id)
        )
    )


def _next_meetings(cohort_ids: list[int], now: datetime) -> list[Meeting]:
    """Each cohort's next session (not cancelled, not over), with its modules, in one query
    (plus the eager loads)."""
    later = aliased(Meeting)
    first = (
        sa.select(later.id)
        .where(
            later.cohort_id == Meeting.cohort_id,
            later.ends_at >= now,
            later.cancelled_at.is_(None),
        )
        .order_by(later.starts_at, later.id)
        .limit(1)
        .correlate(Meeting)
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.cohort_id.in_(cohort_ids), Meeting.id == first)
            .options(
                selectinload(Meeting.modules)
                .selectinload(MeetingModule.module)
                .options(defer(Module.body_html), defer(Module.toc), selectinload(Module.course))
            )
        )
    )


def learner_home(user_id: int, language: str, now: datetime | None = None) -> LearnerHome | None:
    """What the learner's home shows, with texts in ``language``; ``None`` when the learner is
    in no current cohort (they keep the plain *My learning* page)."""
    now = now or utcnow()
    today = now.date()
    cohorts = current_cohorts(user_id)
    if not cohorts:
        return None
    cohort_ids = [c.id for c in cohorts]
    links = db.session.execute(
        sa.select(CohortCourse.cohort_id, CohortCourse.course_id)
        .where(CohortCourse.cohort_id.in_(cohort_ids))
        .order_by(CohortCourse.position, CohortCourse.id)
    ).all()
    visits = db.session.execute(
        sa.select(ModuleVisit.module_id, Module.course_id, ModuleVisit.last_visited_at)
        .join(Module, Module.id == ModuleVisit.module_id)
        .where(ModuleVisit.user_id == user_id, Module.archived_at.is_(None))
        .order_by(ModuleVisit.last_visited_at, ModuleVisit.id)
    ).all()
    done = progress.completed_module_ids(user_id)
    wanted = {course_id for _, course_id in links} | {course_id for _, course_id, _ in visits}
    courses = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Course)
            .where(Course.id.in_(wanted), Course.archived_at.is_(None))
            .options(
                selectinload(Course.modules).options(defer(Module.body_html), defer(Module.toc))
            )
        )
    }
    modules_of = {
        course_id: [m for m in course.modules if m.archived_at is None]
        for course_id, course in courses.items()
    }
    # Visits come oldest first: the last one written per course is the most recent.
    last_opened: dict[int, int] = {}
    last_visit: dict[int, datetime] = {}
    for module_id, course_id, when in visits:
        last_opened[course_id], last_visit[course_id] = module_id, when
    targets = db.session.execute(
        sa.select(ModuleTarget.cohort_id, ModuleTarget.module_id, ModuleTarget.due_on).where(
            ModuleTarget.cohort_id.in_(cohort_ids),
            ModuleTarget.due_on <= today + timedelta(days=DUE_SOON_DAYS),
        )
    ).all()
    meetings = {m.cohort_id: m for m in _next_meetings(cohort_ids, now)}
    answers = answers_of(user_id, meetings.values())
    full = [m.id for m in meetings.values() if m.capacity]
    taken = _places_taken(full)

    # Texts in the learner's language: every course and module the page names, two queries.
    nexts = {
        course_id: progress.choose_next(modules, done, last_opened.get(course_id))
        for course_id, modules in modules_of.items()
    }
    module_by_id = {m.id: m for modules in modules_of.values() for m in modules}
    named = [m for m in nexts.values() if m is not None]
    named += [module_by_id[module_id] for _, module_id, _ in targets if module_id in module_by_id]
    named += [mm.module for m in meetings.values() for mm in m.modules if _is_preparation(mm)]
    named = list({m.id: m for m in named}.values())
    texts = localize_modules_of(named, language)
    shown_courses = {**courses, **{m.course_id: m.course for m in named}}
    shown = {c.id: c for c in localize_courses(list(shown_courses.values()), language)}

    def line(course_id: int) -> CourseLine:
        modules = modules_of[course_id]
        ids = {m.id for m in modules}
        completed = len(ids & done)
        following = nexts[course_id]
        return CourseLine(
            course=shown[course_id],
            progress=progress.CourseProgress(
                completed, len(modules), completed > 0 or course_id in last_opened
            ),
            next=texts[following.id] if following is not None else None,
            last_visit=last_visit.get(course_id),
        )

    homes = []
    followed: set[int] = set()
    for cohort in cohorts:
        course_ids = [c for cid, c in links if cid == cohort.id and c in courses]
        followed.update(course_ids)
        position = {
            m.id: (rank, m.position)
            for rank, course_id in enumerate(course_ids)
            for m in modules_of[course_id]
        }
        due = [
            Due(
                module=texts[module_id],
                course=shown[module_by_id[module_id].course_id],
                due_on=due_on,
                state="overdue" if due_on < today else "today" if due_on == today else "soon",
            )
            for cid, module_id, due_on in targets
            if cid == cohort.id and module_id in position and module_id not in done
        ]
        due.sort(key=lambda d: (d.due_on, position[d.module.id]))
        meeting = meetings.get(cohort.id)
        session_ = None
        if meeting is not None:
            session_ = NextSession(
                meeting=meeting,
                prepare=[
                    Preparation(
                        texts[mm.module.id], shown[mm.module.course_id], mm.module.id in done
                    )
                    for mm in sorted(
                        meeting.modules, key=lambda mm: (mm.module.course_id, mm.module.position)
                    )
                    if _is_preparation(mm)
                ],
                answer=answers.get(meeting.id),
                taken=taken.get(meeting.id, 0),
            )
        homes.append(CohortHome(cohort, [line(c) for c in course_ids], due, session_))

    others = [
        line(course_id)
        for course_id in sorted(last_visit, key=last_visit.get, reverse=True)
        if course_id in courses and course_id not in followed
    ]
    return LearnerHome(homes, _resume(homes, others, last_visit), others)


def _is_preparation(link: MeetingModule) -> bool:
    """A module to prepare that is still published (an archived one has no page to open)."""
    return (
        link.kind == "prepare"
        and link.module.archived_at is None
        and link.module.course.archived_at is None
    )


def _places_taken(meeting_ids: list[int]) -> dict[int, int]:
    """People who said yes, per session (one query)."""
    if not meeting_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Rsvp.meeting_id, sa.func.count(Rsvp.id))
            .where(Rsvp.meeting_id.in_(meeting_ids), Rsvp.answer == "yes")
            .group_by(Rsvp.meeting_id)
        ).all()
    )


def _resume(homes: list[CohortHome], others: list[CourseLine], last_visit) -> Resume | None:
    """The most recently opened unfinished course's next module; else the first unfinished
    module of the cohorts' courses."""
    lines = [line for home in homes for line in home.courses] + others
    opened = sorted(
        (line for line in lines if line.next is not None and line.course.id in last_visit),
        key=lambda line: last_visit[line.course.id],
        reverse=True,
    )
    if opened:
        return Resume(opened[0].course, opened[0].next, True)
    fresh = next((line for line in lines if line.next is not None), None)
    return Resume(fresh.course, fresh.next, False) if fresh else None
