"""Demo accounts and a living demo cohort; created only by ``lms demo create``."""

import random
from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.services import create_user, find_user_by_email
from lms.cohorts.access import cohort_modules
from lms.cohorts.meetings import set_meeting_modules
from lms.cohorts.models import Cohort
from lms.cohorts.operations import add_member, set_targets
from lms.collider.demo import create_collider_demo
from lms.extensions import db, utcnow
from lms.programme.demo import create_programme_demo
from lms.seeding import (
    add_meeting,
    cohort_of_courses,
    person_name,
    random_attendance,
    simulate_learner,
)

DEMO_PASSWORD = "coco4cci-demo"  # noqa: S105 - documented, refused in production  # nosec B105
DEMO_ACCOUNTS = (
    ("learner@example.org", "Lea Learner", "learner"),
    ("facilitator@example.org", "Fabio Facilitator", "facilitator"),
    ("admin@example.org", "Ada Admin", "admin"),
)
DEMO_COHORT = "Ljubljana spring cohort (demo)"
DEMO_COURSES = ("additive-manufacturing", "design-thinking-industry")


def create_demo_data() -> list[tuple[str, str, bool]]:
    """Create the demo accounts that do not exist yet (flush only)."""
    result = []
    for email, name, role in DEMO_ACCOUNTS:
        existing = find_user_by_email(email)
        if existing is None:
            create_user(email, name, DEMO_PASSWORD, role=role)
        result.append((email, role, existing is None))
    return result


def create_demo_cohort(size: int = 20, seed: int = 4) -> str | None:
    """A cohort for the demo facilitator with learners at varied progress (flush only).

    Returns the cohort's name, or ``None`` when it existed already.
    """
    if db.session.scalar(sa.select(Cohort.id).where(Cohort.name == DEMO_COHORT)):
        return None
    rng = random.Random(seed)  # noqa: S311 - made-up demo data  # nosec B311
    facilitator = find_user_by_email("facilitator@example.org")
    cohort = cohort_of_courses(
        DEMO_COHORT,
        "Demo partner organisation",
        DEMO_COURSES,
        30,
        60,
        [facilitator.id] if facilitator else [],
    )
    learners = [find_user_by_email("learner@example.org")]
    for n in range(size):
        email = f"demo.learner{n + 1:02d}@example.org"
        learners.append(
            find_user_by_email(email) or create_user(email, person_name(n), DEMO_PASSWORD)
        )
    for user in learners:
        add_member(cohort, user, joined_at=utcnow() - timedelta(days=28))
    modules = [m for _c, ms in cohort_modules(cohort) for m in ms]
    for index, user in enumerate(learners[1:]):
        simulate_learner(user, modules, rng, diligence=rng.random(), index=index)
    past = add_meeting(
        cohort,
        "Kick-off workshop at the maker space",
        -timedelta(days=7, hours=2),
        2,
        timezone="Europe/Ljubljana",
        place="Tehnološki park 19, Ljubljana",
        notes="Bring a sketchbook.",
    )
    upcoming = add_meeting(
        cohort,
        "Factory visit and design sprint",
        timedelta(days=7),
        3,
        timezone="Europe/Ljubljana",
        place="Partner factory, Kranj",
        online_url="https://meet.example.org/coco4cci-demo",
        capacity=25,
        notes="Safety shoes are provided at the entrance.",
    )
    # Within the reminder window (LMS_REMINDER_HOURS, 24 h): the worker's first run reminds
    # every member (issue 16).
    call = add_meeting(
        cohort,
        "Online check-in call",
        timedelta(hours=20),
        1,
        timezone="Europe/Ljubljana",
        online_url="https://meet.example.org/coco4cci-check-in",
        notes="Ten minutes each: where you are and what is in your way.",
    )
    if modules:
        today = utcnow().date()
        set_meeting_modules(
            upcoming, [m.id for m in modules[:2]], [modules[2].id] if len(modules) > 2 else []
        )
        set_meeting_modules(call, [modules[0].id], [])
        set_targets(
            cohort, {m.id: today - timedelta(days=10 - i * 5) for i, m in enumerate(modules[:4])}
        )
    random_attendance(
        past, [u.id for u in learners[1:]], rng, (70, 10, 10, 10), facilitator and facilitator.id
    )
    create_programme_demo(cohort, DEMO_PASSWORD)
    create_collider_demo(DEMO_PASSWORD)
    return cohort.name
