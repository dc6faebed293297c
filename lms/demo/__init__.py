"""Demo accounts and a living demo cohort; created only by ``lms demo create``."""

import random
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from lms.accounts.services import create_user, find_user_by_email
from lms.extensions import db, utcnow

DEMO_PASSWORD = "coco4cci-demo"  # noqa: S105 - documented, refused in production  # nosec B105
DEMO_ACCOUNTS = (
    ("learner@example.org", "Lea Learner", "learner"),
    ("facilitator@example.org", "Fabio Facilitator", "facilitator"),
    ("admin@example.org", "Ada Admin", "admin"),
)
DEMO_COHORT = "Ljubljana spring cohort (demo)"
DEMO_COURSES = ("additive-manufacturing", "design-thinking-industry")
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
    from lms.cohorts.access import cohort_modules
    from lms.cohorts.meetings import record_attendance, set_meeting_modules
    from lms.cohorts.models import Cohort, Meeting
    from lms.cohorts.operations import add_member, create_cohort, new_token, set_targets
    from lms.collider.demo import create_collider_demo
    from lms.courses.models import Course
    from lms.programme.demo import create_programme_demo

    if db.session.scalar(sa.select(Cohort.id).where(Cohort.name == DEMO_COHORT)):
        return None
    rng = random.Random(seed)  # noqa: S311 - made-up demo data  # nosec B311
    facilitator = find_user_by_email("facilitator@example.org")
    courses = list(
        db.session.scalars(
            sa.select(Course).where(Course.slug.in_(DEMO_COURSES), Course.archived_at.is_(None))
        )
    )
    today = utcnow().date()
    cohort = create_cohort(
        DEMO_COHORT,
        "Demo partner organisation",
        "en",
        today - timedelta(days=30),
        today + timedelta(days=60),
        [c.id for c in courses],
        [facilitator.id] if facilitator else [],
    )
    learners = [find_user_by_email("learner@example.org")]
    for n in range(size):
        name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n * 7) % len(LAST_NAMES)]}"
        email = f"demo.learner{n + 1:02d}@example.org"
        learners.append(find_user_by_email(email) or create_user(email, name, DEMO_PASSWORD))
    for user in learners:
        add_member(cohort, user, joined_at=utcnow() - timedelta(days=28))
    modules = [m for _c, ms in cohort_modules(cohort) for m in ms]
    for index, user in enumerate(learners[1:]):
        simulate_learner(user, modules, rng, diligence=rng.random(), index=index)
    now = utcnow()
    past = Meeting(
        cohort_id=cohort.id,
        title="Kick-off workshop at the maker space",
        starts_at=now - timedelta(days=7, hours=2),
        ends_at=now - timedelta(days=7),
        timezone="Europe/Ljubljana",
        place="Tehnološki park 19, Ljubljana",
        checkin_token=new_token(),
        notes="Bring a sketchbook.",
    )
    upcoming = Meeting(
        cohort_id=cohort.id,
        title="Factory visit and design sprint",
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, hours=3),
        timezone="Europe/Ljubljana",
        place="Partner factory, Kranj",
        online_url="https://meet.example.org/coco4cci-demo",
        capacity=25,
        checkin_token=new_token(),
        notes="Safety shoes are provided at the entrance.",
    )
    # Within the reminder window (LMS_REMINDER_HOURS, 24 h): the worker's first run reminds
    # every member (issue 16).
    call = Meeting(
        cohort_id=cohort.id,
        title="Online check-in call",
        starts_at=now + timedelta(hours=20),
        ends_at=now + timedelta(hours=21),
        timezone="Europe/Ljubljana",
        online_url="https://meet.example.org/coco4cci-check-in",
        checkin_token=new_token(),
        notes="Ten minutes each: where you are and what is in your way.",
    )
    db.session.add_all([past, upcoming, call])
    db.session.flush()
    if modules:
        set_meeting_modules(
            upcoming, [m.id for m in modules[:2]], [modules[2].id] if len(modules) > 2 else []
        )
        set_meeting_modules(call, [modules[0].id], [])
        set_targets(
            cohort, {m.id: today - timedelta(days=10 - i * 5) for i, m in enumerate(modules[:4])}
        )
    statuses = {}
    for user in learners[1:]:
        statuses[user.id] = rng.choices(
            ("present", "late", "excused", "absent"), weights=(70, 10, 10, 10)
        )[0]
    record_attendance(past, statuses, facilitator.id if facilitator else None)
    create_programme_demo(cohort, DEMO_PASSWORD)
    create_collider_demo(DEMO_PASSWORD)
    return cohort.name


def simulate_learner(user, modules, rng, diligence: float, index: int) -> None:
    """Visits, reads, quiz attempts and completions, spread over the last weeks."""
    from lms.progress import services as progress
    from lms.progress.models import ModuleVisit
    from lms.quizzes import services as quizzes
    from lms.quizzes.models import Attempt

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
