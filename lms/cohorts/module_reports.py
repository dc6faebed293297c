"""Per-module figures of a cohort: completion and scores of each module, and the page of
one module (hardest questions, who has not done it). A fixed number of queries each."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.models import Cohort, Membership, ModuleTarget
from lms.cohorts.reports import (
    FAILED_FLAG,
    IN_PROGRESS,
    NOT_STARTED,
    PASSED_FLAG,
    Cell,
    CohortReport,
    best_scores,
    members_subquery,
)
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress.models import Completion, ModuleVisit
from lms.quizzes.models import Attempt, AttemptAnswer, Quiz

#: Questions the per-module page lists as the hardest.
HARDEST_QUESTIONS = 3


@dataclass
class ModuleStats:
    module: Module
    course: Course
    completion_rate: int
    average_score: int | None
    due_on: date | None


def module_stats(report: CohortReport) -> list[ModuleStats]:
    """Completion rate and average best score of each module over all members (two queries)."""
    module_ids = [m.id for m in report.modules]
    if not module_ids:
        return []
    members = members_subquery(report.cohort)
    # Grouped over every module the members completed or attempted; only the cohort's are read.
    done = dict(
        db.session.execute(
            sa.select(Completion.module_id, sa.func.count(Completion.id))
            .where(Completion.user_id.in_(members))
            .group_by(Completion.module_id)
        ).all()
    )
    best = best_scores(members)
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


def module_report(cohort: Cohort, course: Course, module: Module) -> ModuleReport:
    """The per-module statistics page, in a fixed number of queries."""
    members = members_subquery(cohort)
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
            sa.func.sum(PASSED_FLAG),
            sa.func.sum(FAILED_FLAG),
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
