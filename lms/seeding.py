"""Made-up learning data for the demo (``lms demo create``) and the load benchmark
(``bench/seed.py``): people's names, cohorts of courses, past sessions with attendance and
learners who visit, try quizzes and complete modules through the real operations.

Flush, never commit: the caller commits once.
"""

import random
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from lms.cohorts.attendance import record_attendance
from lms.cohorts.models import Cohort, Meeting
from lms.cohorts.operations import create_cohort, new_token
from lms.courses.models import Course
from lms.extensions import db, utcnow
from lms.progress import services as progress
from lms.progress.models import ModuleVisit
from lms.quizzes import services as quizzes
from lms.quizzes.models import Attempt

FIRST_NAMES = (
    "Ana",
    "Luka",
    "Marta",
    "Jan",
    "Eva",
    "Tomaž",
    "Giulia",
    "Marco",
    "Petra",
    "Jakub",
    "Zsófia",
    "Milan",
    "Katarzyna",
    "Ivan",
    "Lena",
    "Matej",
    "Sara",
    "Nikola",
    "Hana",
    "Felix",
)
LAST_NAMES = (
    "Novak",
    "Horvat",
    "Rossi",
    "Kowalska",
    "Nagy",
    "Dvořák",
    "Müller",
    "Kovač",
    "Bianchi",
    "Svoboda",
    "Wagner",
    "Krajnc",
    "Tóth",
    "Zielińska",
    "Marić",
    "Varga",
    "Esposito",
    "Hofer",
    "Babić",
    "Černá",
)

#: How often each attendance status is drawn (present, late, excused, absent).
ATTENDANCE = ("present", "late", "excused", "absent")


def person_name(n: int) -> str:
    """The ``n``-th made-up name: varied, from the partner countries, always the same."""
    return f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n * 7) % len(LAST_NAMES)]}"


def cohort_of_courses(
    name: str,
    partner: str,
    slugs,
    days_ago: int,
    days_ahead: int,
    facilitator_ids,
    strict: bool = False,
) -> Cohort:
    """A cohort following the published courses among ``slugs``, running from ``days_ago`` to
    ``days_ahead`` days from today. ``strict``: every one must be published (else
    ``RuntimeError``), and they are followed in the order given."""
    courses = list(
        db.session.scalars(
            sa.select(Course).where(Course.slug.in_(slugs), Course.archived_at.is_(None))
        )
    )
    if strict:
        if len(courses) != len(slugs):
            raise RuntimeError(f"the content lacks some of {tuple(slugs)}; sync content/ first")
        courses.sort(key=lambda c: list(slugs).index(c.slug))
    today = utcnow().date()
    return create_cohort(
        name,
        partner,
        "en",
        today - timedelta(days=days_ago),
        today + timedelta(days=days_ahead),
        [c.id for c in courses],
        list(facilitator_ids),
    )


def add_meeting(cohort: Cohort, title: str, starts_in: timedelta, hours: float, **fields):
    """A session ``starts_in`` from now (negative: in the past) lasting ``hours``; flushed."""
    starts_at = utcnow() + starts_in
    meeting = Meeting(
        cohort_id=cohort.id,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        checkin_token=new_token(),
        **fields,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def random_attendance(meeting: Meeting, user_ids, rng: random.Random, weights, by_user_id):
    """Record a status drawn with ``weights`` (see :data:`ATTENDANCE`) for each learner."""
    statuses = {uid: rng.choices(ATTENDANCE, weights)[0] for uid in user_ids}
    return record_attendance(meeting, statuses, by_user_id)


def simulate_learner(user, modules, rng, diligence: float, index: int) -> None:
    """Visits, reads, quiz attempts and completions, spread over the last weeks."""

    reach = int(round(diligence * len(modules)))
    inactive_days = rng.choice((0, 1, 2, 3, 5, 9, 16, 21)) if index % 4 else 1
    for position, module in enumerate(modules[: reach + 1]):
        progress.record_visit(user.id, module)
        if position == reach:
            break
        quiz = quizzes.current_quiz(module)
        if quiz is not None:
            skill = 0.45 + diligence * 0.5
            for _attempt in range(3):
                attempts = quizzes.attempts_for(user.id, quiz)
                attempt = quizzes.open_attempt(user.id, quiz, attempts)
                if attempt is None:
                    break
                quizzes.submit_attempt(attempt, MultiDict(_answers(attempt.questions, skill, rng)))
                if attempt.passed:
                    break
                skill += 0.25
        progress.mark_read(user.id, module)
    when = utcnow() - timedelta(days=inactive_days, hours=rng.randint(0, 12))
    db.session.execute(
        sa.update(ModuleVisit).where(ModuleVisit.user_id == user.id).values(last_visited_at=when)
    )
    db.session.execute(
        sa.update(Attempt).where(Attempt.user_id == user.id).values(submitted_at=when)
    )


def _answers(questions, skill: float, rng) -> list[tuple[str, str]]:
    """Form fields answering each question right with probability ``skill``."""
    fields = []
    for q in questions:
        name, right = f"q-{q['id']}", rng.random() < skill
        if q["type"] == "single":
            good = [i for i, c in enumerate(q["choices"]) if c["correct"]]
            bad = [i for i, c in enumerate(q["choices"]) if not c["correct"]] or good
            fields.append((name, str(good[0] if right else rng.choice(bad))))
        elif q["type"] == "multiple":
            good = [i for i, c in enumerate(q["choices"]) if c["correct"]]
            picked = (
                good
                if right
                else good[:1] + [i for i, c in enumerate(q["choices"]) if not c["correct"]][:1]
            )
            fields.extend((name, str(i)) for i in picked)
        elif q["type"] == "truefalse":
            fields.append((name, "true" if q["answer"] == right else "false"))
        elif q["type"] == "short":
            fields.append((name, q["answers"][0]["text"] if right else "not sure"))
        elif q["type"] == "numeric":
            target = q["answers"][0]
            value = target.get("value", target.get("min"))
            fields.append((name, str(value if right else value * 3 + 7)))
        elif q["type"] == "matching":
            for i in range(len(q["pairs"])):
                fields.append((f"{name}-{i}", str(i if right else (i + 1) % len(q["pairs"]))))
        elif q["type"] == "reflection":
            fields.append((name, "In my studio we could prototype fixtures for local makers."))
    return fields
