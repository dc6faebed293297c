"""Cohort operations and the facilitator's figures. Flush, never commit.

Every report here runs a fixed number of queries whatever the cohort's size: the
dashboard of a 2,000-learner cohort costs the same queries as that of a 10-learner one.
"""

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import abort, current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.cohorts.models import (
    Attendance,
    Cohort,
    CohortCourse,
    CohortFacilitator,
    Meeting,
    MeetingModule,
    Membership,
    ModuleTarget,
)
from lms.courses.models import Course, Module
from lms.extensions import db, utcnow
from lms.progress.models import Completion, ModuleVisit
from lms.quizzes.models import Attempt, AttemptAnswer, Quiz

#: Join codes avoid letters and digits that are easy to confuse.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def new_token() -> str:
    return secrets.token_urlsafe(24)


# --- access -------------------------------------------------------------------------------


def cohorts_for(user, include_archived: bool = False) -> list[Cohort]:
    """The cohorts a facilitator runs (all of them for an admin)."""
    query = sa.select(Cohort).order_by(Cohort.starts_on.desc(), Cohort.name)
    if not include_archived:
        query = query.where(Cohort.archived_at.is_(None))
    if not user.is_admin:
        query = query.join(CohortFacilitator).where(CohortFacilitator.user_id == user.id)
    return list(db.session.scalars(query))


def can_facilitate(user, cohort: Cohort) -> bool:
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            sa.select(CohortFacilitator.id).where(
                CohortFacilitator.cohort_id == cohort.id, CohortFacilitator.user_id == user.id
            )
        )
        is not None
    )


def load_cohort_or_404(cohort_id: int, user) -> Cohort:
    """A cohort the user facilitates (admins: any); 404 for everyone else."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not can_facilitate(user, cohort):
        abort(404)
    return cohort


def load_member_or_404(cohort: Cohort, user_id: int) -> Membership:
    membership = db.session.scalar(
        sa.select(Membership).where(
            Membership.cohort_id == cohort.id, Membership.user_id == user_id
        )
    )
    if membership is None:
        abort(404)
    return membership


def load_meeting_or_404(meeting_id: int, user) -> Meeting:
    """A meeting of a cohort the user facilitates; 404 otherwise."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not can_facilitate(user, meeting.cohort):
        abort(404)
    return meeting


def member_cohort_ids(user_id: int) -> list[int]:
    return list(
        db.session.scalars(sa.select(Membership.cohort_id).where(Membership.user_id == user_id))
    )


# --- changing cohorts ---------------------------------------------------------------------


def create_cohort(
    name: str,
    partner: str,
    language: str,
    starts_on: date,
    ends_on: date,
    course_ids: list[int],
    facilitator_ids: list[int],
) -> Cohort:
    cohort = Cohort(
        name=name.strip(),
        partner=partner.strip(),
        language=language,
        starts_on=starts_on,
        ends_on=ends_on,
        join_code=new_join_code(),
        calendar_token=new_token(),
    )
    db.session.add(cohort)
    db.session.flush()
    set_courses(cohort, course_ids)
    set_facilitators(cohort, facilitator_ids)
    return cohort


def set_courses(cohort: Cohort, course_ids: list[int]) -> None:
    wanted = list(dict.fromkeys(course_ids))
    existing = {cc.course_id: cc for cc in cohort.courses}
    for course_id, link in existing.items():
        if course_id not in wanted:
            cohort.courses.remove(link)
    for position, course_id in enumerate(wanted):
        if course_id in existing:
            existing[course_id].position = position
        else:
            cohort.courses.append(CohortCourse(course_id=course_id, position=position))
    db.session.flush()


def set_facilitators(cohort: Cohort, user_ids: list[int]) -> None:
    wanted = set(user_ids)
    existing = {f.user_id: f for f in cohort.facilitators}
    for user_id, link in existing.items():
        if user_id not in wanted:
            cohort.facilitators.remove(link)
    for user_id in wanted - set(existing):
        cohort.facilitators.append(CohortFacilitator(user_id=user_id))
    db.session.flush()


def add_member(cohort: Cohort, user: User, joined_at: datetime | None = None) -> bool:
    """Add a learner once; ``False`` when they were already in the cohort."""
    try:
        with db.session.begin_nested():
            db.session.add(
                Membership(cohort_id=cohort.id, user_id=user.id, joined_at=joined_at or utcnow())
            )
    except IntegrityError:
        return False
    return True


def cohort_by_join_code(code: str) -> Cohort | None:
    code = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return db.session.scalar(
        sa.select(Cohort).where(Cohort.join_code == code, Cohort.archived_at.is_(None))
    )


def set_targets(cohort: Cohort, targets: dict[int, date | None]) -> None:
    """Set or clear each module's target date for the cohort."""
    existing = {
        t.module_id: t
        for t in db.session.scalars(
            sa.select(ModuleTarget).where(ModuleTarget.cohort_id == cohort.id)
        )
    }
    for module_id, due_on in targets.items():
        current = existing.get(module_id)
        if due_on is None and current is not None:
            db.session.delete(current)
        elif due_on is not None and current is None:
            db.session.add(ModuleTarget(cohort_id=cohort.id, module_id=module_id, due_on=due_on))
        elif due_on is not None:
            current.due_on = due_on
    db.session.flush()


def cohort_modules(cohort: Cohort) -> list[tuple[Course, list[Module]]]:
    """The cohort's courses with their current modules, in order (two queries)."""
    links = db.session.scalars(
        sa.select(CohortCourse)
        .where(CohortCourse.cohort_id == cohort.id)
        .options(selectinload(CohortCourse.course).selectinload(Course.modules))
        .order_by(CohortCourse.position)
    ).all()
    return [
        (link.course, [m for m in link.course.modules if m.archived_at is None])
        for link in links
        if link.course.archived_at is None
    ]


# --- meetings and attendance --------------------------------------------------------------


def meetings_of(cohort_ids, upcoming_only: bool = False) -> list[Meeting]:
    if not cohort_ids:
        return []
    query = (
        sa.select(Meeting)
        .where(Meeting.cohort_id.in_(list(cohort_ids)))
        .options(
            selectinload(Meeting.modules)
            .selectinload(MeetingModule.module)
            .selectinload(Module.course),
            selectinload(Meeting.cohort),
        )
        .order_by(Meeting.starts_at)
    )
    if upcoming_only:
        query = query.where(Meeting.ends_at >= utcnow(), Meeting.cancelled_at.is_(None))
    return list(db.session.scalars(query))


def next_meetings(cohort_ids) -> dict[int, Meeting]:
    """The next meeting of each cohort (one query)."""
    result: dict[int, Meeting] = {}
    if not cohort_ids:
        return result
    for meeting in db.session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.cohort_id.in_(list(cohort_ids)),
            Meeting.ends_at >= utcnow(),
            Meeting.cancelled_at.is_(None),
        )
        .order_by(Meeting.starts_at)
    ):
        result.setdefault(meeting.cohort_id, meeting)
    return result


def set_meeting_modules(meeting: Meeting, prepare: list[int], follow_up: list[int]) -> None:
    meeting.modules.clear()
    db.session.flush()
    for kind, ids in (("prepare", prepare), ("follow_up", follow_up)):
        for module_id in dict.fromkeys(ids):
            meeting.modules.append(MeetingModule(module_id=module_id, kind=kind))
    db.session.flush()


def expected_attendees(meeting: Meeting) -> list[Membership]:
    """Members who had joined before the meeting started (later joiners are never absent)."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(
                Membership.cohort_id == meeting.cohort_id, Membership.joined_at <= meeting.starts_at
            )
            .options(selectinload(Membership.user))
        )
    )


def record_attendance(
    meeting: Meeting, statuses: dict[int, str], by_user_id: int | None, source: str = "facilitator"
) -> int:
    """Upsert each learner's status; returns how many rows changed."""
    existing = {
        a.user_id: a
        for a in db.session.scalars(
            sa.select(Attendance).where(Attendance.meeting_id == meeting.id)
        )
    }
    changed = 0
    now = utcnow()
    for user_id, status in statuses.items():
        row = existing.get(user_id)
        if row is None:
            db.session.add(
                Attendance(
                    meeting_id=meeting.id,
                    user_id=user_id,
                    status=status,
                    source=source,
                    recorded_at=now,
                    recorded_by_id=by_user_id,
                )
            )
            changed += 1
        elif row.status != status:
            row.status, row.source, row.recorded_at = status, source, now
            row.recorded_by_id = by_user_id
            changed += 1
    db.session.flush()
    return changed


def checkin_window(meeting: Meeting) -> tuple[datetime, datetime]:
    """Self check-in opens 30 minutes before the start and closes at the end."""
    return meeting.starts_at - timedelta(minutes=30), meeting.ends_at


def attended_count(user_id: int, course: Course) -> int:
    """Meetings attended (present or late) in cohorts that follow ``course``."""
    return db.session.scalar(
        sa.select(sa.func.count(Attendance.id))
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(CohortCourse, CohortCourse.cohort_id == Meeting.cohort_id)
        .where(
            Attendance.user_id == user_id,
            CohortCourse.course_id == course.id,
            Attendance.status.in_(("present", "late")),
            Meeting.cancelled_at.is_(None),
        )
    )


# --- the facilitator's figures ------------------------------------------------------------

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"


@dataclass
class Cell:
    """One learner and one module."""

    status: str = NOT_STARTED
    score: float | None = None  #: best quiz attempt, percent
    attempts: int = 0
    failed: int = 0
    passed: bool = False


@dataclass
class LearnerRow:
    user: User
    joined_at: datetime
    cells: dict[int, Cell]
    completed: int = 0
    total: int = 0
    last_active: datetime | None = None
    average_score: float | None = None
    absences: int = 0
    attended: int = 0
    risks: list[tuple[str, str]] = field(default_factory=list)  #: (kind, detail)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    @property
    def at_risk(self) -> bool:
        return bool(self.risks)


@dataclass
class ModuleStats:
    module: Module
    course: Course
    completion_rate: float
    average_score: float | None
    due_on: date | None
    hardest: list[dict]  #: [{"id", "prompt", "wrong_rate", "answers"}]


@dataclass
class CohortReport:
    cohort: Cohort
    courses: list[tuple[Course, list[Module]]]
    modules: list[Module]
    rows: list[LearnerRow]
    module_stats: list[ModuleStats]
    meetings: list[Meeting]
    attendance: dict[tuple[int, int], str]  #: (meeting_id, user_id) -> status

    def headline(self, now: datetime) -> dict:
        week_ago = now - timedelta(days=7)
        scores = [r.average_score for r in self.rows if r.average_score is not None]
        return {
            "learners": len(self.rows),
            "active_7_days": sum(
                1 for r in self.rows if r.last_active and r.last_active >= week_ago
            ),
            "average_completion": round(sum(r.percent for r in self.rows) / len(self.rows))
            if self.rows
            else 0,
            "average_score": round(sum(scores) / len(scores)) if scores else None,
            "at_risk": sum(1 for r in self.rows if r.at_risk),
        }


def _settings() -> tuple[int, int]:
    config = current_app.config
    return (
        int(config.get("LMS_AT_RISK_INACTIVE_DAYS", 14)),
        int(config.get("LMS_AT_RISK_MISSED_SESSIONS", 1)),
    )


def cohort_report(cohort: Cohort, now: datetime | None = None) -> CohortReport:
    """Everything the cohort page shows, in a fixed number of queries."""
    now = now or utcnow()
    today = now.date()
    inactive_days, missed_limit = _settings()
    courses = cohort_modules(cohort)
    modules = [m for _, ms in courses for m in ms]
    module_ids = [m.id for m in modules]
    course_of = {m.id: c for c, ms in courses for m in ms}
    member_ids = sa.select(Membership.user_id).where(Membership.cohort_id == cohort.id)
    memberships = db.session.execute(
        sa.select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.cohort_id == cohort.id)
        .order_by(User.name)
    ).all()

    rows: dict[int, LearnerRow] = {}
    for membership, user in memberships:
        rows[user.id] = LearnerRow(
            user=user,
            joined_at=membership.joined_at,
            cells={m: Cell() for m in module_ids},
            total=len(module_ids),
        )
    in_modules = Module.id.in_(module_ids) if module_ids else sa.false()

    for user_id, module_id, last in db.session.execute(
        sa.select(ModuleVisit.user_id, ModuleVisit.module_id, ModuleVisit.last_visited_at)
        .join(Module, Module.id == ModuleVisit.module_id)
        .where(ModuleVisit.user_id.in_(member_ids))
    ):
        row = rows.get(user_id)
        if row is None:
            continue
        if module_id in row.cells:
            row.cells[module_id].status = IN_PROGRESS
        if row.last_active is None or last > row.last_active:
            row.last_active = last
    for user_id, module_id in db.session.execute(
        sa.select(Completion.user_id, Completion.module_id)
        .join(Module, Module.id == Completion.module_id)
        .where(Completion.user_id.in_(member_ids), in_modules)
    ):
        row = rows.get(user_id)
        if row is not None and module_id in row.cells:
            row.cells[module_id].status = COMPLETED
            row.completed += 1
    passed_flag = sa.case((Attempt.passed.is_(True), 1), else_=0)
    failed_flag = sa.case((Attempt.passed.is_(False), 1), else_=0)
    for user_id, module_id, best, count, passes, fails, last in db.session.execute(
        sa.select(
            Attempt.user_id,
            Attempt.module_id,
            sa.func.max(Attempt.percent),
            sa.func.count(Attempt.id),
            sa.func.sum(passed_flag),
            sa.func.sum(failed_flag),
            sa.func.max(Attempt.submitted_at),
        )
        .where(Attempt.user_id.in_(member_ids), Attempt.submitted_at.is_not(None))
        .group_by(Attempt.user_id, Attempt.module_id)
    ):
        row = rows.get(user_id)
        if row is None:
            continue
        if row.last_active is None or (last and last > row.last_active):
            row.last_active = last
        cell = row.cells.get(module_id)
        if cell is None:
            continue
        cell.score, cell.attempts, cell.passed, cell.failed = best, count, bool(passes), fails
        if cell.status == NOT_STARTED:
            cell.status = IN_PROGRESS

    targets = dict(
        db.session.execute(
            sa.select(ModuleTarget.module_id, ModuleTarget.due_on).where(
                ModuleTarget.cohort_id == cohort.id
            )
        ).all()
    )
    meetings = list(
        db.session.scalars(
            sa.select(Meeting).where(Meeting.cohort_id == cohort.id).order_by(Meeting.starts_at)
        )
    )
    attendance = {
        (a.meeting_id, a.user_id): a.status
        for a in db.session.scalars(
            sa.select(Attendance)
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(Meeting.cohort_id == cohort.id)
        )
    }
    past = [m for m in meetings if m.ends_at < now and m.cancelled_at is None]

    for row in rows.values():
        scores = [c.score for c in row.cells.values() if c.score is not None]
        row.average_score = round(sum(scores) / len(scores), 1) if scores else None
        for meeting in past:
            if meeting.starts_at < row.joined_at:
                continue  # joined later: never counted absent
            status = attendance.get((meeting.id, row.user.id))
            if status == "absent":
                row.absences += 1
            elif status in ("present", "late"):
                row.attended += 1
        reference = row.last_active or row.joined_at
        if (now - reference).days >= inactive_days:
            row.risks.append(("inactive", str((now - reference).days)))
        failing = [m for m in modules if row.cells[m.id].failed >= 2 and not row.cells[m.id].passed]
        if failing:
            row.risks.append(("failed_quiz", failing[0].title))
        behind = [
            m
            for m in modules
            if m.id in targets and targets[m.id] < today and row.cells[m.id].status != COMPLETED
        ]
        if behind:
            row.risks.append(("behind", str(len(behind))))
        if row.absences >= missed_limit:
            row.risks.append(("missed_sessions", str(row.absences)))

    stats = _module_stats(cohort, modules, course_of, list(rows.values()), targets, member_ids)
    return CohortReport(
        cohort=cohort,
        courses=courses,
        modules=modules,
        rows=list(rows.values()),
        module_stats=stats,
        meetings=meetings,
        attendance=attendance,
    )


def _module_stats(cohort, modules, course_of, rows, targets, member_ids) -> list[ModuleStats]:
    wrong = defaultdict(list)
    if modules:
        wrong_flag = sa.case((AttemptAnswer.correct.is_(False), 1), else_=0)
        for module_id, question_id, answers, wrongs in db.session.execute(
            sa.select(
                Attempt.module_id,
                AttemptAnswer.question_id,
                sa.func.count(AttemptAnswer.id),
                sa.func.sum(wrong_flag),
            )
            .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
            .where(
                Attempt.user_id.in_(member_ids),
                Attempt.module_id.in_([m.id for m in modules]),
                AttemptAnswer.correct.is_not(None),
            )
            .group_by(Attempt.module_id, AttemptAnswer.question_id)
        ):
            wrong[module_id].append((question_id, answers, wrongs or 0))
    prompts = {}
    if modules:
        for quiz in db.session.scalars(
            sa.select(Quiz).where(Quiz.module_id.in_([m.id for m in modules]))
        ):
            prompts[quiz.module_id] = {q["id"]: q.get("prompt") or q["id"] for q in quiz.questions}
    stats = []
    for module in modules:
        done = sum(1 for r in rows if r.cells[module.id].status == COMPLETED)
        scores = [r.cells[module.id].score for r in rows if r.cells[module.id].score is not None]
        hardest = sorted(
            (
                {
                    "id": qid,
                    "prompt": prompts.get(module.id, {}).get(qid, qid),
                    "wrong_rate": round(100 * w / n),
                    "answers": n,
                }
                for qid, n, w in wrong.get(module.id, [])
                if n
            ),
            key=lambda h: (-h["wrong_rate"], h["id"]),
        )[:3]
        stats.append(
            ModuleStats(
                module=module,
                course=course_of[module.id],
                completion_rate=round(100 * done / len(rows)) if rows else 0,
                average_score=round(sum(scores) / len(scores)) if scores else None,
                due_on=targets.get(module.id),
                hardest=hardest,
            )
        )
    return stats


def _members(cohort: Cohort):
    """The user ids of the cohort's members, as a subquery."""
    return sa.select(Membership.user_id).where(Membership.cohort_id == cohort.id)


_passed_flag = sa.case((Attempt.passed.is_(True), 1), else_=0)
_failed_flag = sa.case((Attempt.passed.is_(False), 1), else_=0)


@dataclass
class ModuleReport:
    """One module in one cohort: how it goes, which questions trip learners up, who is left."""

    module: Module
    course: Course
    due_on: date | None
    learners: int
    completed: int
    average_score: int | None
    #: Graded questions, hardest first: [{"id", "prompt", "prompt_html", "wrong_rate", "answers"}]
    questions: list[dict]
    #: Members without a completion, by name: [(user, Cell)]
    not_completed: list[tuple[User, Cell]]

    @property
    def completion_rate(self) -> int:
        return round(100 * self.completed / self.learners) if self.learners else 0


def load_cohort_module_or_404(cohort: Cohort, module_id: int) -> tuple[Course, Module]:
    """One of the cohort's current modules, with its course; 404 for any other module."""
    for course, modules in cohort_modules(cohort):
        for module in modules:
            if module.id == module_id:
                return course, module
    abort(404)


def module_report(cohort: Cohort, course: Course, module: Module) -> ModuleReport:
    """The per-module statistics page, in a fixed number of queries."""
    members = _members(cohort)
    users = list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.cohort_id == cohort.id)
            .order_by(User.name)
        )
    )
    completed = set(
        db.session.scalars(
            sa.select(Completion.user_id).where(
                Completion.user_id.in_(members), Completion.module_id == module.id
            )
        )
    )
    visited = set(
        db.session.scalars(
            sa.select(ModuleVisit.user_id).where(
                ModuleVisit.user_id.in_(members), ModuleVisit.module_id == module.id
            )
        )
    )
    cells: dict[int, Cell] = {}
    for user_id, best, count, passes, fails in db.session.execute(
        sa.select(
            Attempt.user_id,
            sa.func.max(Attempt.percent),
            sa.func.count(Attempt.id),
            sa.func.sum(_passed_flag),
            sa.func.sum(_failed_flag),
        )
        .where(
            Attempt.user_id.in_(members),
            Attempt.module_id == module.id,
            Attempt.submitted_at.is_not(None),
        )
        .group_by(Attempt.user_id)
    ):
        cells[user_id] = Cell(
            status=IN_PROGRESS, score=best, attempts=count, failed=fails, passed=bool(passes)
        )
    scores = [c.score for c in cells.values() if c.score is not None]

    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.module_id == module.id))
    asked = {q["id"]: q for q in quiz.questions} if quiz else {}
    wrong_flag = sa.case((AttemptAnswer.correct.is_(False), 1), else_=0)
    questions = []
    for question_id, answers, wrongs in db.session.execute(
        sa.select(
            AttemptAnswer.question_id,
            sa.func.count(AttemptAnswer.id),
            sa.func.sum(wrong_flag),
        )
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(
            Attempt.user_id.in_(members),
            Attempt.module_id == module.id,
            AttemptAnswer.correct.is_not(None),
        )
        .group_by(AttemptAnswer.question_id)
    ):
        question = asked.get(question_id, {})
        questions.append(
            {
                "id": question_id,
                "prompt": question.get("prompt") or question_id,
                "prompt_html": question.get("prompt_html"),
                "wrong_rate": round(100 * (wrongs or 0) / answers),
                "answers": answers,
            }
        )
    questions.sort(key=lambda q: (-q["wrong_rate"], q["id"]))

    not_completed = []
    for user in users:
        if user.id in completed:
            continue
        cell = cells.get(user.id) or Cell(status=IN_PROGRESS if user.id in visited else NOT_STARTED)
        not_completed.append((user, cell))
    due_on = db.session.scalar(
        sa.select(ModuleTarget.due_on).where(
            ModuleTarget.cohort_id == cohort.id, ModuleTarget.module_id == module.id
        )
    )
    return ModuleReport(
        module=module,
        course=course,
        due_on=due_on,
        learners=len(users),
        completed=len(completed),
        average_score=round(sum(scores) / len(scores)) if scores else None,
        questions=questions,
        not_completed=not_completed,
    )


SORT_KEYS = {
    "name": lambda r: r.user.name.casefold(),
    "progress": lambda r: r.percent,
    "score": lambda r: -1 if r.average_score is None else r.average_score,
    "activity": lambda r: r.last_active.timestamp() if r.last_active else 0,
    "risk": lambda r: len(r.risks),
}
FILTERS = ("all", "at_risk", "not_started", "completed")


def filter_rows(
    rows: list[LearnerRow],
    query: str = "",
    show: str = "all",
    sort: str = "name",
    descending: bool = False,
) -> list[LearnerRow]:
    """What the matrix shows (and the CSV exports hold): search, filter, then sort."""
    needle = query.strip().casefold()
    result = [
        r
        for r in rows
        if not needle or needle in r.user.name.casefold() or needle in r.user.email.casefold()
    ]
    if show == "at_risk":
        result = [r for r in result if r.at_risk]
    elif show == "not_started":
        result = [r for r in result if all(c.status == NOT_STARTED for c in r.cells.values())]
    elif show == "completed":
        result = [r for r in result if r.total and r.completed == r.total]
    key = SORT_KEYS.get(sort, SORT_KEYS["name"])
    return sorted(result, key=lambda r: (key(r), r.user.name.casefold()), reverse=descending)
