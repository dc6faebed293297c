"""The learner's home in a cohort (issue 13, item 1), on a desktop and a phone: sign in, see the
cohort, what is due (overdue said kindly), the next session and what to prepare, answer *Will you
come?* with the keyboard and land back on the home. axe-clean, valid HTML, no sideways scroll."""

import datetime as dt
import json
import re

import sqlalchemy as sa
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.cohorts.meetings import set_meeting_modules
from lms.cohorts.operations import add_member, create_cohort, new_token, set_targets
from lms.courses.models import Course
from lms.courses.services import current_modules
from lms.extensions import db, utcnow
from lms.progress import services as progress
from lms.progress.models import Completion
from tests.e2e.conftest import in_app, sign_in, vnu_messages
from tests.e2e.test_accessibility import HEADINGS_JS, OVERFLOW_JS, heading_problems
from tests.factories import make_meeting


def cohort_with_a_plan(live_app, learner_id: int) -> dict:
    """Two courses in order; the first module done, the second overdue, the third due soon; the
    next session asks to prepare the first two modules. Returns ids and slugs the test needs."""
    with in_app(live_app):
        courses = list(
            db.session.scalars(
                sa.select(Course).where(Course.archived_at.is_(None)).order_by(Course.slug)
            )
        )[:2]
        modules = current_modules(courses[0])
        today = dt.date.today()
        cohort = create_cohort(
            "Graz spring cohort",
            "Partner",
            "en",
            today - dt.timedelta(days=20),
            today + dt.timedelta(days=60),
            [c.id for c in courses],
            [],
        )
        add_member(cohort, db.session.get(User, learner_id))
        progress.record_visit(learner_id, modules[1])
        db.session.add(Completion(user_id=learner_id, module_id=modules[0].id))
        set_targets(
            cohort,
            {
                modules[0].id: today - dt.timedelta(days=7),
                modules[1].id: today - dt.timedelta(days=2),
                modules[2].id: today + dt.timedelta(days=6),
            },
        )
        start = utcnow() + dt.timedelta(days=4)
        meeting = make_meeting(
            cohort_id=cohort.id,
            title="Prototyping afternoon",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            timezone="Europe/Vienna",
            place="Fab lab, Graz",
            capacity=16,
            checkin_token=new_token(),
        )
        set_meeting_modules(meeting, [modules[0].id, modules[1].id], [])
        db.session.commit()
        return {
            "cohort": cohort.id,
            "meeting": meeting.id,
            "courses": [c.slug for c in courses],
            "done": modules[0].slug,
            "overdue": modules[1].slug,
            "soon": modules[2].slug,
        }


def assert_valid_html(bodies: dict[str, bytes], folder) -> None:
    """The HTML as the server sent it passes the Nu Html Checker."""
    files = []
    for name, body in bodies.items():
        files.append(folder / f"{name}.html")
        files[-1].write_bytes(body)
    messages = vnu_messages(files)
    assert not messages, json.dumps(messages, indent=1)[:3000]


def test_learner_home_shows_the_cohort_and_answers_will_you_come(
    journey_page, shots, make_account, live_app, locale, viewport, assert_accessible, tmp_path
):
    page = journey_page
    learner_id, email = make_account("learner", "Hana Home", locale)
    plan = cohort_with_a_plan(live_app, learner_id)
    cohort = page.locator(f"#cohort-{plan['cohort']}")

    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/me/learning$"))
    expect(page.locator('header a[href="/me/learning"]')).to_have_attribute("aria-current", "page")
    expect(cohort.locator("h2")).to_have_text("Graz spring cohort")
    # The cohort's courses in its order, each with the learner's progress.
    cards = cohort.locator("ol.cards > li")
    assert [cards.nth(i).get_attribute("data-course") for i in range(cards.count())] == plan[
        "courses"
    ]
    expect(cards.first.locator("progress")).to_have_count(1)
    # Due soon: the overdue module first, then the one due in six days; the done one is gone.
    due = cohort.locator("[data-due] li")
    expect(due).to_have_count(2)
    expect(due.nth(0)).to_have_attribute("data-due-state", "overdue")
    expect(due.nth(0).locator("a")).to_have_attribute("href", re.compile(plan["overdue"] + "$"))
    expect(due.nth(1)).to_have_attribute("data-due-state", "soon")
    expect(due.nth(1).locator("a")).to_have_attribute("href", re.compile(plan["soon"] + "$"))
    # The next session: what to prepare, done and to do, and no answer yet.
    box = cohort.locator("[data-next-session]")
    expect(box.locator('[data-prepared="yes"] a')).to_have_attribute(
        "href", re.compile(plan["done"] + "$")
    )
    expect(box.locator('[data-prepared="no"] a')).to_have_attribute(
        "href", re.compile(plan["overdue"] + "$")
    )
    expect(box.locator("button[aria-pressed]")).to_have_count(0)
    # Continue where you left off: the module opened last.
    expect(page.locator(".resume a.button")).to_have_attribute(
        "href", re.compile(plan["overdue"] + "$")
    )
    shots(page, "home")
    assert_accessible(page)
    assert not heading_problems(page.evaluate(HEADINGS_JS))
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= 0, overflow

    # Will you come? With the keyboard: focus "Yes", press Enter, back on the home.
    yes = box.locator('button[name="answer"][value="yes"]')
    yes.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/me/learning$"))
    expect(page.locator(".flash")).to_have_count(1)
    expect(yes).to_have_attribute("aria-pressed", "true")
    expect(box.locator(".rsvp-answer")).to_have_count(1)
    shots(page, "answered")
    assert_accessible(page)

    response = page.goto("/me/learning")
    assert_valid_html({f"home-{viewport}": response.body()}, tmp_path)
