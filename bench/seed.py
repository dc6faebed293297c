"""Fill a migrated, content-synced database with a large cohort for the load benchmark.

Used by ``bench/load.py``; needs an app context. Accounts are bulk-inserted with one password
hash computed once (scrypt is slow on purpose); the cohort, the session and progress come from
the seeding the demo uses too (:mod:`lms.seeding`), so visits, attempts, graded answers and completions are real.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from lms.accounts.models import User
from lms.cohorts.access import cohort_modules
from lms.cohorts.models import Membership
from lms.cohorts.operations import set_targets
from lms.courses.models import Course, Module
from lms.extensions import db, utcnow
from lms.quizzes.models import Quiz
from lms.quizzes.services import quizzes_by_module
from lms.seeding import (
    add_meeting,
    cohort_of_courses,
    person_name,
    random_attendance,
    simulate_learner,
)

#: Every seeded account signs in with this password.
PASSWORD = "load-benchmark-password"  # noqa: S105 - throwaway accounts in a throwaway database
LEARNER_EMAIL = "learner{:04d}@load.example.org"
FACILITATOR_EMAIL = "facilitator{}@load.example.org"
MANAGER_EMAIL = "manager{}@load.example.org"
#: One course per training area: a cohort follows a selection, not the whole catalogue.
COHORT_COURSES = ("additive-manufacturing", "circular-economy-materials", "working-across-sectors")


@dataclass
class Seeded:
    """What the load test needs to know about the seeded data."""

    cohort_id: int
    learners: list[str]
    facilitators: list[str]
    #: ``(course slug, module slug, has quiz)`` for every module the cohort follows.
    modules: list[tuple[str, str, bool]]
    #: ``(course slug, module slug)`` of every quiz in the catalogue.
    catalogue: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: Programme managers (the programme report).
    managers: list[str] = field(default_factory=list)


def seed(
    learners: int = 500,
    facilitators: int = 2,
    progress: int | None = None,
    rng_seed: int = 7,
    managers: int = 1,
):
    """Add ``learners`` learners and ``facilitators`` facilitators in one cohort; commit.

    ``progress`` learners (default: all) get simulated visits, attempts and completions.
    """
    rng = random.Random(rng_seed)  # noqa: S311 - benchmark data
    password_hash = generate_password_hash(PASSWORD, method="scrypt")
    now = utcnow()
    people = [
        {
            "email": FACILITATOR_EMAIL.format(n + 1),
            "name": f"Facilitator {n + 1}",
            "password_hash": password_hash,
            "role": "facilitator",
            "locale": "en",
            "active": True,
            "created_at": now - timedelta(days=60),
        }
        for n in range(facilitators)
    ]
    people += [
        {
            "email": LEARNER_EMAIL.format(n + 1),
            "name": person_name(n),
            "password_hash": password_hash,
            "role": "learner",
            "locale": "en",
            "active": True,
            "created_at": now - timedelta(days=45),
        }
        for n in range(learners)
    ]
    managing = [
        {
            "email": MANAGER_EMAIL.format(n + 1),
            "name": f"Programme manager {n + 1}",
            "password_hash": password_hash,
            "role": "programme_manager",
            "locale": "en",
            "active": True,
            "created_at": now - timedelta(days=90),
        }
        for n in range(managers)
    ]
    db.session.execute(sa.insert(User), people + managing)
    ids = dict(db.session.execute(sa.select(User.email, User.id)).tuples().all())

    today = now.date()
    cohort = cohort_of_courses(
        "Load benchmark cohort",
        "Benchmark partner",
        COHORT_COURSES,
        40,
        50,
        [ids[p["email"]] for p in people[:facilitators]],
        strict=True,
    )
    learner_rows = people[facilitators:]
    db.session.execute(
        sa.insert(Membership),
        [
            {
                "cohort_id": cohort.id,
                "user_id": ids[p["email"]],
                "joined_at": now - timedelta(days=35 - (i % 20)),
            }
            for i, p in enumerate(learner_rows)
        ],
    )
    modules = [m for _course, ms in cohort_modules(cohort) for m in ms]
    set_targets(
        cohort, {m.id: today - timedelta(days=21 - 7 * i) for i, m in enumerate(modules[:6])}
    )

    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.role == "learner"))}
    simulated = learner_rows if progress is None else learner_rows[:progress]
    for index, p in enumerate(simulated):
        user = users[ids[p["email"]]]
        # Varied on purpose: some never start, a few finish everything, most are in between.
        diligence = 0.0 if index % 12 == 5 else min(1.0, rng.betavariate(1.6, 1.8) * 1.1)
        simulate_learner(user, modules, rng, diligence=diligence, index=index)

    past = add_meeting(
        cohort,
        "Kick-off workshop",
        -timedelta(days=14, hours=3),
        3,
        timezone="Europe/Vienna",
        place="Partner maker space",
    )
    random_attendance(
        past,
        [ids[p["email"]] for p in learner_rows],
        rng,
        (75, 10, 8, 7),
        ids[people[0]["email"]] if facilitators else None,
    )
    quizzed = set(quizzes_by_module([m.id for m in modules]))
    result = Seeded(
        cohort_id=cohort.id,
        learners=[p["email"] for p in learner_rows],
        facilitators=[p["email"] for p in people[:facilitators]],
        managers=[p["email"] for p in managing],
        modules=[(m.course.slug, m.slug, m.id in quizzed) for m in modules],
        catalogue=[
            (course_slug, module_slug)
            for course_slug, module_slug in db.session.execute(
                sa.select(Course.slug, Module.slug)
                .join(Module.course)
                .join(Quiz, Quiz.module_id == Module.id)
                .where(Module.archived_at.is_(None), Quiz.archived_at.is_(None))
                .order_by(Course.slug, Module.position)
            )
        ],
    )
    db.session.commit()
    result.counts = table_counts()
    return result


def table_counts() -> dict[str, int]:
    """Rows per table, for the report."""
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }
