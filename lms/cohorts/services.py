"""Cohort operations and the facilitator's figures. Flush, never commit.

Every report here runs a fixed number of queries whatever the cohort's size: the
dashboard of a 2,000-learner cohort costs the same queries as that of a 10-learner one.
"""

import secrets
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
from lms.organisations.services import partner_for, partner_ids_of
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
        facilitated = sa.select(CohortFacilitator.cohort_id).where(
            CohortFacilitator.user_id == user.id
        )
        managed = managed_partner_ids(user)
        query = query.where(
            sa.or_(Cohort.id.in_(facilitated), Cohort.partner_id.in_(managed))
            if managed
            else Cohort.id.in_(facilitated)
        )
    return list(db.session.scalars(query))


def managed_partner_ids(user) -> list[int]:
    """A partner manager's partner organisations: they run every cohort of those partners."""
    if not user.is_partner_manager:
        return []
    return partner_ids_of(user.id, role="manager")


def can_facilitate(user, cohort: Cohort) -> bool:
    """Admins any cohort; facilitators their own; partner managers their partners' cohorts."""
    if user.is_admin:
        return True
    if cohort.partner_id in managed_partner_ids(user):
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


def load_member_meeting_or_404(meeting_id: int, user) -> Meeting:
    """A session of a cohort the user is a member of (to answer whether they come); 404 else."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.cohort_id not in member_cohort_ids(user.id):
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
        partner=partner_for(partner),
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


def checkin_state(meeting: Meeting, now: datetime | None = None) -> str:
    """Where the session's self check-in stands: ``cancelled``, ``before`` the window
    opens, ``open``, or ``closed`` (the session is over)."""
    if meeting.cancelled_at is not None:
        return "cancelled"
    opens, closes = checkin_window(meeting)
    now = now or utcnow()
    if now < opens:
        return "before"
    return "open" if now <= closes else "closed"


def checked_in_count(meeting: Meeting) -> tuple[int, int]:
    """(learners recorded present or late, learners expected): the room's "N of M".

    Someone who joined the cohort after the start and checked in counts in both figures, so
    N never exceeds M.
    """
    expected = set(
        db.session.scalars(
            sa.select(Membership.user_id).where(
                Membership.cohort_id == meeting.cohort_id,
                Membership.joined_at <= meeting.starts_at,
            )
        )
    )
    recorded = dict(
        db.session.execute(
            sa.select(Attendance.user_id, Attendance.status).where(
                Attendance.meeting_id == meeting.id
            )
        ).all()
    )
    here = sum(1 for status in recorded.values() if status in ("present", "late"))
    return here, len(expected | set(recorded))


#: The time zone of each programme country (ISO 3166-1 alpha-2), for new sessions' default.
COUNTRY_ZONES = {
    "AT": "Europe/Vienna",
    "DE": "Europe/Berlin",
    "IT": "Europe/Rome",
    "SI": "Europe/Ljubljana",
    "HR": "Europe/Zagreb",
    "CZ": "Europe/Prague",
    "SK": "Europe/Bratislava",
    "PL": "Europe/Warsaw",
    "HU": "Europe/Budapest",
}


def default_timezone(cohort: Cohort) -> str:
    """The zone a new session of the cohort is most likely in: that of its partner's
    country, else the one its sessions were last scheduled in, else the site's default."""
    country = (cohort.partner.country if cohort.partner else "") or ""
    if country.upper() in COUNTRY_ZONES:
        return COUNTRY_ZONES[country.upper()]
    last = db.session.scalar(
        sa.select(Meeting.timezone)
        .where(Meeting.cohort_id == cohort.id)
        .order_by(Meeting.updated_at.desc(), Meeting.id.desc())
        .limit(1)
    )
    return last or current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC"


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
#
# The cohort page needs two kinds of figures. Per-learner figures (progress, last activity,
# average score, absences, at-risk reasons) are computed for every member with a few grouped
# queries: search, filters, sorting and headline figures need nothing more. Per-cell figures
# (one learner and one module) are loaded only for the learners the page shows. Either way the
# number of queries stays the same whatever the cohort's size.

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"

#: Learners per page of the matrix.
PAGE_SIZE = 100
#: Questions the per-module page lists as the hardest.
HARDEST_QUESTIONS = 3


@dataclass(slots=True)
class Cell:
    """One learner and one module."""

    status: str = NOT_STARTED
    score: float | None = None  #: best quiz attempt, percent
    attempts: int = 0
    failed: int = 0
    passed: bool = False


@dataclass
class LearnerRow:
    """One learner's figures over the cohort's modules; ``cells`` stay empty until loaded."""

    user: User
    joined_at: datetime
    completed: int = 0
    total: int = 0
    #: Visited, attempted or completed at least one of the cohort's modules.
    started: bool = False
    last_active: datetime | None = None
    average_score: float | None = None
    absences: int = 0
    attended: int = 0
    risks: list[tuple[str, str]] = field(default_factory=list)  #: (kind, detail)
    cells: dict[int, Cell] = field(default_factory=dict)  #: see :func:`load_cells`

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
    completion_rate: int
    average_score: int | None
    due_on: date | None


@dataclass
class CohortReport:
    cohort: Cohort
    courses: list[tuple[Course, list[Module]]]
    modules: list[Module]
    rows: list[LearnerRow]
    meetings: list[Meeting]
    targets: dict[int, date]  #: module id -> due date

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
        int(config["LMS_AT_RISK_INACTIVE_DAYS"]),
        int(config["LMS_AT_RISK_MISSED_SESSIONS"]),
    )


def _members(cohort: Cohort, user_ids=None):
    """The user ids of the cohort's members (or of those among ``user_ids``), as a subquery."""
    query = sa.select(Membership.user_id).where(Membership.cohort_id == cohort.id)
    if user_ids is not None:
        query = query.where(Membership.user_id.in_(list(user_ids)))
    return query


def _in(column, ids):
    return column.in_(list(ids)) if ids else sa.false()


_passed_flag = sa.case((Attempt.passed.is_(True), 1), else_=0)
_failed_flag = sa.case((Attempt.passed.is_(False), 1), else_=0)

# The grouped queries below select the cohort's modules inside the aggregates (CASE) rather
# than in WHERE: the database then reads each learner's range of an index once, instead of
# seeking every (learner, module) pair, which SQLite does for "module_id IN (...)" (2-3x).


def _best_scores(members):
    """Per learner and module (any module): best score, passes and failures of submitted
    attempts, as a subquery read from the covering index on attempts."""
    return (
        sa.select(
            Attempt.user_id.label("user_id"),
            Attempt.module_id.label("module_id"),
            sa.func.max(Attempt.percent).label("best"),
            sa.func.sum(_passed_flag).label("passes"),
            sa.func.sum(_failed_flag).label("fails"),
        )
        .where(Attempt.user_id.in_(members), Attempt.submitted_at.is_not(None))
        .group_by(Attempt.user_id, Attempt.module_id)
        .subquery()
    )


def _behind_on(due_dates: list[date], done: dict[date, int], counts_from: date) -> int:
    """How many past targets a learner missed, of those due on or after ``counts_from`` (their
    joining date plus the grace period): a target that passed before someone joined, or in
    their first days, does not count against them."""
    counted = sum(1 for due_on in due_dates if due_on >= counts_from)
    completed = sum(n for due_on, n in done.items() if due_on >= counts_from)
    return max(0, counted - completed)


def cohort_report(cohort: Cohort, now: datetime | None = None, user_ids=None) -> CohortReport:
    """Every member's figures and at-risk reasons, without cells, in a fixed number of queries.

    ``user_ids`` limits the rows to those members (one learner's page).
    """
    now = now or utcnow()
    today = now.date()
    inactive_days, missed_limit = _settings()
    courses = cohort_modules(cohort)
    modules = [m for _, ms in courses for m in ms]
    module_ids = [m.id for m in modules]
    members = _members(cohort, user_ids)
    query = (
        sa.select(User, Membership.joined_at)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id)
        .order_by(User.name)
    )
    if user_ids is not None:
        query = query.where(User.id.in_(list(user_ids)))
    rows = {
        user.id: LearnerRow(user=user, joined_at=joined_at, total=len(module_ids))
        for user, joined_at in db.session.execute(query)
    }
    targets = dict(
        db.session.execute(
            sa.select(ModuleTarget.module_id, ModuleTarget.due_on).where(
                ModuleTarget.cohort_id == cohort.id
            )
        ).all()
    )
    overdue_ids = [i for i in module_ids if i in targets and targets[i] < today]
    meetings = list(
        db.session.scalars(
            sa.select(Meeting).where(Meeting.cohort_id == cohort.id).order_by(Meeting.starts_at)
        )
    )

    # Completions of the cohort's modules.
    for user_id, completed in db.session.execute(
        sa.select(
            Completion.user_id,
            sa.func.sum(sa.case((_in(Completion.module_id, module_ids), 1), else_=0)),
        )
        .where(Completion.user_id.in_(members))
        .group_by(Completion.user_id)
    ):
        row = rows.get(user_id)
        if row is not None and completed:
            row.completed = completed
            row.started = True
    # Completions of modules already due, per learner and due date: a target counts against a
    # learner only from their joining date plus the grace period on (see _behind_on).
    done_by_due_date: dict[int, dict[date, int]] = {}
    if overdue_ids:
        for user_id, due_on, count in db.session.execute(
            sa.select(Completion.user_id, ModuleTarget.due_on, sa.func.count())
            .join(
                ModuleTarget,
                sa.and_(
                    ModuleTarget.module_id == Completion.module_id,
                    ModuleTarget.cohort_id == cohort.id,
                ),
            )
            .where(Completion.user_id.in_(members), Completion.module_id.in_(overdue_ids))
            .group_by(Completion.user_id, ModuleTarget.due_on)
        ):
            done_by_due_date.setdefault(user_id, {})[due_on] = count

    # Last activity on any module (a visit or a submitted attempt), and whether any was on
    # one of the cohort's modules.
    on_modules_visit = sa.case((_in(ModuleVisit.module_id, module_ids), 1), else_=0)
    on_modules_attempt = sa.case((_in(Attempt.module_id, module_ids), 1), else_=0)
    activity = sa.union_all(
        sa.select(
            ModuleVisit.user_id.label("user_id"),
            sa.func.max(ModuleVisit.last_visited_at).label("at"),
            sa.func.max(on_modules_visit).label("started"),
        )
        .where(ModuleVisit.user_id.in_(members))
        .group_by(ModuleVisit.user_id),
        sa.select(
            Attempt.user_id.label("user_id"),
            sa.func.max(Attempt.submitted_at).label("at"),
            sa.func.max(on_modules_attempt).label("started"),
        )
        .where(Attempt.user_id.in_(members), Attempt.submitted_at.is_not(None))
        .group_by(Attempt.user_id),
    ).subquery()
    for user_id, last, started in db.session.execute(
        sa.select(
            activity.c.user_id,
            sa.func.max(activity.c.at),
            sa.func.max(activity.c.started),
        ).group_by(activity.c.user_id)
    ):
        row = rows.get(user_id)
        if row is not None:
            row.last_active = last
            row.started = row.started or bool(started)

    # Average of the best score per module, and the first module (in the cohort's order)
    # whose quiz the learner failed at least twice without ever passing it.
    first_failing: dict[int, Module] = {}
    if module_ids:
        best = _best_scores(members)
        #: The module's place in the cohort's order; NULL for modules of other courses.
        position = sa.case(
            {module_id: index for index, module_id in enumerate(module_ids)},
            value=best.c.module_id,
        )
        score = sa.case((position.is_not(None), best.c.best))
        failing = sa.case(((best.c.fails >= 2) & (best.c.passes == 0), position))
        for user_id, total, count, failing_at in db.session.execute(
            sa.select(
                best.c.user_id,
                sa.func.sum(score),
                sa.func.count(score),
                sa.func.min(failing),
            ).group_by(best.c.user_id)
        ):
            row = rows.get(user_id)
            if row is None:
                continue
            if count:
                row.average_score = round(total / count, 1)
            if failing_at is not None:
                first_failing[user_id] = modules[failing_at]

    # Sessions since the learner joined: absences and attendances (later joiners are never
    # counted absent).
    for user_id, absences, attended in db.session.execute(
        sa.select(
            Attendance.user_id,
            sa.func.sum(sa.case((Attendance.status == "absent", 1), else_=0)),
            sa.func.sum(sa.case((Attendance.status.in_(("present", "late")), 1), else_=0)),
        )
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(
            Membership,
            (Membership.user_id == Attendance.user_id)
            & (Membership.cohort_id == Meeting.cohort_id),
        )
        .where(
            Meeting.cohort_id == cohort.id,
            Meeting.ends_at < now,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at >= Membership.joined_at,
            Attendance.user_id.in_(members),
        )
        .group_by(Attendance.user_id)
    ):
        row = rows.get(user_id)
        if row is not None:
            row.absences, row.attended = absences or 0, attended or 0

    grace = timedelta(days=int(current_app.config["LMS_AT_RISK_GRACE_DAYS"]))
    for row in rows.values():
        reference = row.last_active or row.joined_at
        finished = row.total and row.completed >= row.total
        if not finished and (now - reference).days >= inactive_days:
            row.risks.append(("inactive", str((now - reference).days)))
        if row.user.id in first_failing:
            row.risks.append(("failed_quiz", first_failing[row.user.id].title))
        overdue = _behind_on(
            [targets[i] for i in overdue_ids],
            done_by_due_date.get(row.user.id, {}),
            row.joined_at.date() + grace,
        )
        if overdue:
            row.risks.append(("behind", str(overdue)))
        if row.absences >= missed_limit:
            row.risks.append(("missed_sessions", str(row.absences)))

    return CohortReport(
        cohort=cohort,
        courses=courses,
        modules=modules,
        rows=list(rows.values()),
        meetings=meetings,
        targets=targets,
    )


def load_cells(report: CohortReport, rows: list[LearnerRow]) -> None:
    """Fill in the cells of ``rows`` (a page of the matrix, or an export): three queries."""
    if not rows:
        return
    module_ids = [m.id for m in report.modules]
    by_user = {}
    for row in rows:
        row.cells = {module_id: Cell() for module_id in module_ids}
        by_user[row.user.id] = row.cells
    # A page names its learners; an export of a whole cohort asks for all members instead of
    # binding thousands of parameters.
    if len(by_user) <= PAGE_SIZE:
        who = list(by_user)
    else:
        who = _members(report.cohort)
    for user_id, module_id in db.session.execute(
        sa.select(ModuleVisit.user_id, ModuleVisit.module_id).where(
            ModuleVisit.user_id.in_(who), _in(ModuleVisit.module_id, module_ids)
        )
    ):
        cells = by_user.get(user_id)
        if cells is not None:
            cells[module_id].status = IN_PROGRESS
    for user_id, module_id in db.session.execute(
        sa.select(Completion.user_id, Completion.module_id).where(
            Completion.user_id.in_(who), _in(Completion.module_id, module_ids)
        )
    ):
        cells = by_user.get(user_id)
        if cells is not None:
            cells[module_id].status = COMPLETED
    for user_id, module_id, best, count, passes, fails in db.session.execute(
        sa.select(
            Attempt.user_id,
            Attempt.module_id,
            sa.func.max(Attempt.percent),
            sa.func.count(Attempt.id),
            sa.func.sum(_passed_flag),
            sa.func.sum(_failed_flag),
        )
        .where(
            Attempt.user_id.in_(who),
            Attempt.submitted_at.is_not(None),
            _in(Attempt.module_id, module_ids),
        )
        .group_by(Attempt.user_id, Attempt.module_id)
    ):
        cells = by_user.get(user_id)
        if cells is None:
            continue
        cell = cells[module_id]
        cell.score, cell.attempts, cell.passed, cell.failed = best, count, bool(passes), fails
        if cell.status == NOT_STARTED:
            cell.status = IN_PROGRESS


def attendance_of(cohort: Cohort, user_ids=None) -> dict[tuple[int, int], str]:
    """Recorded statuses by (meeting id, user id) for the cohort's meetings (one query)."""
    query = (
        sa.select(Attendance.meeting_id, Attendance.user_id, Attendance.status)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.cohort_id == cohort.id)
    )
    if user_ids is not None:
        query = query.where(Attendance.user_id.in_(list(user_ids)))
    return {
        (meeting_id, user_id): status for meeting_id, user_id, status in db.session.execute(query)
    }


def module_stats(report: CohortReport) -> list[ModuleStats]:
    """Completion rate and average best score of each module over all members (two queries)."""
    module_ids = [m.id for m in report.modules]
    if not module_ids:
        return []
    members = _members(report.cohort)
    # Grouped over every module the members completed or attempted; only the cohort's are read.
    done = dict(
        db.session.execute(
            sa.select(Completion.module_id, sa.func.count(Completion.id))
            .where(Completion.user_id.in_(members))
            .group_by(Completion.module_id)
        ).all()
    )
    best = _best_scores(members)
    scores = {
        module_id: (total, count)
        for module_id, total, count in db.session.execute(
            sa.select(
                best.c.module_id, sa.func.sum(best.c.best), sa.func.count(best.c.best)
            ).group_by(best.c.module_id)
        )
    }
    learners = len(report.rows)
    stats = []
    for course, modules in report.courses:
        for module in modules:
            total, count = scores.get(module.id, (None, 0))
            stats.append(
                ModuleStats(
                    module=module,
                    course=course,
                    completion_rate=round(100 * done.get(module.id, 0) / learners)
                    if learners
                    else 0,
                    average_score=round(total / count) if count else None,
                    due_on=report.targets.get(module.id),
                )
            )
    return stats


@dataclass
class ModuleReport:
    """One module in one cohort: how it goes, which questions trip learners up, who is left."""

    module: Module
    course: Course
    due_on: date | None
    learners: int
    completed: int
    average_score: int | None
    #: The three hardest graded questions (see module_report for the order):
    #: [{"id", "prompt", "prompt_html", "wrong_rate", "answers"}]
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
    # The three hardest: the highest share of wrong answers; on a tie, the question answered
    # more often (more evidence), then the one earlier in the quiz. Never-missed ones are left out.
    position = {question_id: n for n, question_id in enumerate(asked)}
    questions.sort(
        key=lambda q: (-q["wrong_rate"], -q["answers"], position.get(q["id"], len(position)))
    )
    questions = [q for q in questions if q["wrong_rate"] > 0][:HARDEST_QUESTIONS]

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
        result = [r for r in result if not r.started]
    elif show == "completed":
        result = [r for r in result if r.total and r.completed == r.total]
    key = SORT_KEYS.get(sort, SORT_KEYS["name"])
    return sorted(result, key=lambda r: (key(r), r.user.name.casefold()), reverse=descending)


@dataclass
class Page:
    """One page of the matrix's rows."""

    rows: list[LearnerRow]
    number: int
    pages: int
    total: int  #: rows over all pages
    first: int  #: position of the first row shown, from 1 (0 when there is none)
    last: int

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and those around this one; ``None`` for a
        gap."""
        wanted = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        shown: list[int | None] = []
        for n in sorted(n for n in wanted if 1 <= n <= self.pages):
            if shown and n - shown[-1] > 1:
                shown.append(None if n - shown[-1] > 2 else n - 1)
            shown.append(n)
        return shown


def page_of(rows: list[LearnerRow], number: int, size: int = PAGE_SIZE) -> Page:
    """Page ``number`` of ``rows``, clamped to the pages there are."""
    pages = max(1, -(-len(rows) // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    shown = rows[start : start + size]
    return Page(
        rows=shown,
        number=number,
        pages=pages,
        total=len(rows),
        first=start + 1 if shown else 0,
        last=start + len(shown),
    )
