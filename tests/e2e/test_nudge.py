"""A facilitator nudges the at-risk learners of a cohort, by keyboard only (issue 16)."""

import datetime as dt

import sqlalchemy as sa
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.cohorts.operations import add_member, create_cohort
from lms.courses.models import Course, Module
from lms.extensions import db, utcnow
from lms.notifications.cohort_models import Nudge
from lms.notifications.models import Notification
from lms.progress.services import record_visit
from tests.e2e.conftest import in_app, sign_in
from tests.e2e.course import shortest_course


def _cohort(live_app, facilitator_id, active_id, idle_ids):
    """Learners who joined three weeks ago: one active today, the others never since."""
    with in_app(live_app):
        course = db.session.scalar(sa.select(Course).where(Course.slug == shortest_course().slug))
        today = dt.date.today()
        cohort = create_cohort(
            "Nudge cohort",
            "Partner",
            "en",
            today - dt.timedelta(days=30),
            today + dt.timedelta(days=60),
            [course.id],
            [facilitator_id],
        )
        for user_id in [active_id, *idle_ids]:
            add_member(
                cohort, db.session.get(User, user_id), joined_at=utcnow() - dt.timedelta(days=21)
            )
        module = db.session.scalar(sa.select(Module).where(Module.course_id == course.id))
        record_visit(active_id, module)
        db.session.commit()
        return cohort.id


def test_facilitator_selects_the_at_risk_previews_and_sends_by_keyboard(
    journey_page, shots, make_account, live_app, locale, assert_accessible
):
    page = journey_page
    fac_id, fac_email = make_account("facilitator", "Nina Nudger", locale)
    active_id, _ = make_account("learner", "Ada Active", locale)
    idle_a, _ = make_account("learner", "Ivo Idle", locale)
    idle_b, _ = make_account("learner", "Iris Idle", locale)
    cohort_id = _cohort(live_app, fac_id, active_id, [idle_a, idle_b])

    sign_in(page, fac_email)
    page.goto(f"/facilitate/cohorts/{cohort_id}?show=at_risk")
    page.locator("#nudge-learners").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#nudge-form")).to_be_visible()
    assert_accessible(page)
    shots(page, "choose")
    # Everyone the filter shows is ticked; the active learner is not among them.
    expect(page.locator(f'input[name="learner"][value="{idle_a}"]')).to_be_checked()
    expect(page.locator(f'input[name="learner"][value="{idle_b}"]')).to_be_checked()
    expect(page.locator(f'input[name="learner"][value="{active_id}"]')).to_have_count(0)
    # Leave Iris out, pick "Your next module", preview.
    page.locator(f'input[name="learner"][value="{idle_b}"]').focus()
    page.keyboard.press("Space")
    expect(page.locator(f'input[name="learner"][value="{idle_b}"]')).not_to_be_checked()
    page.locator('input[name="template"][value="next_module"]').focus()
    page.keyboard.press("Space")
    page.locator("#preview-nudge").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".nudge-preview")).to_have_count(1)
    expect(page.locator(f'.nudge-preview[data-learner="{idle_a}"]')).to_contain_text("Ivo Idle")
    assert_accessible(page)
    shots(page, "preview")
    page.locator("#send-nudge").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('/facilitate')[0]}/facilitate/cohorts/{cohort_id}")
    with in_app(live_app):
        assert [
            n.user_id
            for n in db.session.scalars(sa.select(Nudge).where(Nudge.cohort_id == cohort_id))
        ] == [idle_a]
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Notification.id)).where(
                    Notification.user_id == idle_a, Notification.kind == "cohort.nudge"
                )
            )
            == 1
        )
    page.goto(f"/facilitate/cohorts/{cohort_id}/learners/{idle_a}")
    expect(page.locator("#nudges-sent li")).to_have_count(1)
    shots(page, "learner-page")
