"""A facilitator imports a class list, schedules a session, takes attendance, finds who needs help."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.cohorts.operations import add_member, create_cohort
from lms.courses.models import Course
from lms.extensions import db, utcnow
from tests.e2e.conftest import in_app, sign_in
from tests.e2e.course import shortest_course


def make_cohort(live_app, facilitator_id: int, learner_ids: list[int]) -> int:
    """A cohort on the journey's course whose learners joined three days ago."""
    with in_app(live_app):
        course = db.session.scalar(sa.select(Course).where(Course.slug == shortest_course().slug))
        today = dt.date.today()
        cohort = create_cohort(
            "Maribor autumn cohort",
            "Partner",
            "en",
            today - dt.timedelta(days=10),
            today + dt.timedelta(days=60),
            [course.id],
            [facilitator_id],
        )
        for user_id in learner_ids:
            user = db.session.get(User, user_id)
            add_member(cohort, user, joined_at=utcnow() - dt.timedelta(days=3))
        db.session.commit()
        return cohort.id


def test_facilitator_imports_schedules_takes_attendance_and_finds_a_learner_at_risk(
    journey_page, shots, make_account, live_app, locale
):
    page = journey_page
    facilitator_id, facilitator_email = make_account("facilitator", "Fran Facilitator", locale)
    present_id, _ = make_account("learner", "Petra Present", locale)
    absent_id, _ = make_account("learner", "Anton Absent", locale)
    cohort_id = make_cohort(live_app, facilitator_id, [present_id, absent_id])
    cohort_url = f"/facilitate/cohorts/{cohort_id}"

    sign_in(page, facilitator_email)
    page.goto("/facilitate")
    shots(page, "dashboard")
    page.click(f'main a[href="{cohort_url}"]')
    expect(page).to_have_url(re.compile(re.escape(cohort_url) + "$"))
    shots(page, "cohort")

    # Class list: a CSV file with a header, one new learner and one bad row.
    page.click("#import-class-list")
    csv = f"name,email\nIrena Imported,irena-{cohort_id}@example.org\nNo Email,not-an-address\n"
    page.set_input_files(
        "#csv_file", {"name": "class.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.click('button[name="action"][value="preview"]')
    expect(page.locator('tr[data-outcome="create"]')).to_have_count(1)
    expect(page.locator('tr[data-outcome="reject"]')).to_have_count(1)
    shots(page, "import-preview")
    page.click('button[name="action"][value="import"]')
    link = page.locator('tr[data-outcome="create"] input.copy-input')
    expect(link).to_have_value(re.compile("/set-password/"))
    expect(page.locator('tr[data-outcome="reject"]')).to_have_attribute("data-line", "3")
    shots(page, "import-done")
    page.click(f'main a[href="{cohort_url}"]')
    with in_app(live_app):
        imported = db.session.scalar(
            sa.select(User.id).where(User.email == f"irena-{cohort_id}@example.org")
        )
    expect(page.locator(f'tr[data-learner="{imported}"]')).to_have_count(1)

    # Yesterday's session, recorded afterwards: everyone present except one learner.
    page.click("#schedule-session")
    yesterday = dt.datetime.now(ZoneInfo("Europe/Vienna")).date() - dt.timedelta(days=1)
    page.fill("#title", "Prototyping workshop")
    page.fill("#day", yesterday.isoformat())
    page.fill("#start_time", "10:00")
    page.fill("#end_time", "12:30")
    page.select_option("#timezone", "Europe/Vienna")
    page.fill("#place", "Tovarna, Maribor")
    shots(page, "session-form")
    page.click('main form[method="post"] button[type="submit"]')
    expect(page).to_have_url(re.compile(re.escape(cohort_url) + r"\?saved=\d+#sessions$"))
    shots(page, "session-scheduled")
    page.click('#sessions a[href$="/attendance"]')
    page.click('button[name="action"][value="all_present"]')
    expect(page.locator(f'input[name="status-{present_id}"][value="present"]')).to_be_checked()
    page.check(f'input[name="status-{absent_id}"][value="absent"]')
    page.click("#save-attendance")
    expect(page.locator(f'input[name="status-{absent_id}"][value="absent"]')).to_be_checked()
    # Irena joined after the session: never counted absent, so not on the list.
    expect(page.locator(f'input[name="status-{imported}"]')).to_have_count(0)
    shots(page, "attendance")

    page.click(f'nav a[href="{cohort_url}"]')
    page.select_option("#show", "at_risk")
    page.click("form.filters button[type=submit]")
    row = page.locator(f'tr[data-learner="{absent_id}"]')
    expect(row.locator('[data-risk="missed_sessions"]')).to_be_visible()
    expect(page.locator(f'tr[data-learner="{present_id}"]')).to_have_count(0)
    shots(page, "at-risk")
    row.locator(f'a[href="{cohort_url}/learners/{absent_id}"]').click()
    expect(page).to_have_url(re.compile(f"/learners/{absent_id}$"))
    shots(page, "learner")
