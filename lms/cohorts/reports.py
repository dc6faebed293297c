"""The facilitator's figures: every member's progress and at-risk reasons, and the cells
of the learner x module matrix.

Every report here runs a fixed number of queries whatever the cohort's size: the
dashboard of a 2,000-learner cohort costs the same queries as that of a 10-learner one.

The cohort page needs two kinds of figures. Per-learner figures (progress, last activity,
average score, absences, at-risk reasons) are computed for every member with a few grouped
queries: search, filters, sorting and headline figures need nothing more. Per-cell figures
(one learner and one module) are loaded only for the learners the page shows.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.accounts.models import User
from lms.cohorts.access import cohort_modules
from lms.cohorts.lists import PAGE_SIZE
from lms.cohorts.models import Attendance, Cohort, Meeting, Membership, ModuleTarget
from lms.courses.models import Course, Module
from lms.extensions import db, utcnow
from lms.progress.models import Completion, ModuleVisit
from lms.quizzes.models import Attempt

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"


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


def members_subquery(cohort: Cohort, user_ids=None):
    """The user ids of the cohort's members (or of those among ``user_ids``), as a subquery."""
    query = sa.select(Membership.user_id).where(Membership.cohort_id == cohort.id)
    if user_ids is not None:
        query = query.where(Membership.user_id.in_(list(user_ids)))
    return query


def in_or_false(column, ids):
    return column.in_(list(ids)) if ids else sa.false()


PASSED_FLAG = sa.case((Attempt.passed.is_(True), 1), else_=0)
FAILED_FLAG = sa.case((Attempt.passed.is_(False), 1), else_=0)

# The grouped queries below select the cohort's modules inside the aggregates (CASE) rather
# than in WHERE: the database then reads each learner's range of an index once, instead of
# seeking every (learner, module) pair, which SQLite does for "module_id IN (...)" (2-3x).


def best_scores(members):
    """Per learner and module (any module): best score, passes and failures of submitted
    attempts, as a subquery read from the covering index on attempts."""
    return (
        sa.select(
            Attempt.user_id.label("user_id"),
            Attempt.module_id.label("module_id"),
            sa.func.max(Attempt.percent).label("best"),
            sa.func.sum(PASSED_FLAG).label("passes"),
            sa.func.sum(FAILED_FLAG).label("fails"),
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
    members = members_subquery(cohort, user_ids)
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
            sa.func.sum(sa.case((in_or_false(Completion.module_id, module_ids), 1), else_=0)),
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
    on_modules_visit = sa.case((in_or_false(ModuleVisit.module_id, module_ids), 1), else_=0)
    on_modules_attempt = sa.case((in_or_false(Attempt.module_id, module_ids), 1), else_=0)
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
        best = best_scores(members)
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
        who = members_subquery(report.cohort)
    for user_id, module_id in db.session.execute(
        sa.select(ModuleVisit.user_id, ModuleVisit.module_id).where(
            ModuleVisit.user_id.in_(who), in_or_false(ModuleVisit.module_id, module_ids)
        )
    ):
        cells = by_user.get(user_id)
        if cells is not None:
            cells[module_id].status = IN_PROGRESS
    for user_id, module_id in db.session.execute(
        sa.select(Completion.user_id, Completion.module_id).where(
            Completion.user_id.in_(who), in_or_false(Completion.module_id, module_ids)
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
            sa.func.sum(PASSED_FLAG),
            sa.func.sum(FAILED_FLAG),
        )
        .where(
            Attempt.user_id.in_(who),
            Attempt.submitted_at.is_not(None),
            in_or_false(Attempt.module_id, module_ids),
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
