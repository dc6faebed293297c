"""A lost invitation is no dead end: the facilitator sends a new link and copies it; the old
link tells the learner what happened and what to do (issue 13, item 6)."""

import re

from playwright.sync_api import expect

from lms.accounts import links as mail_links
from lms.accounts.models import User
from lms.extensions import db
from tests.e2e.conftest import in_app, sign_in
from tests.e2e.test_facilitator_journey import make_cohort


def test_facilitator_sends_a_new_link_copies_it_and_the_old_one_explains_itself(
    new_context, viewport, locale, shots, make_account, live_app, assert_accessible
):
    facilitator_id, facilitator_email = make_account("facilitator", "Fran Facilitator", locale)
    # An imported learner who never chose a password, and the link they lost.
    learner_id, _ = make_account("learner", "Ines Invited", locale)
    cohort_id = make_cohort(live_app, facilitator_id, [learner_id])
    with in_app(live_app):
        old_link = "/set-password/" + mail_links.set_password_token(db.session.get(User, learner_id))

    context = new_context(viewport, locale, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, facilitator_email)
    page.goto(f"/facilitate/cohorts/{cohort_id}/learners/{learner_id}")
    expect(page.locator("#sign-in")).to_be_visible()
    shots(page, "learner-page")
    page.click('#sign-in button[type="submit"]')
    field = page.locator("#sign-in-link")
    expect(field).to_have_value(re.compile("/set-password/"))
    expect(field).to_have_attribute("readonly", "")
    copy = page.locator('button[data-copy="sign-in-link"]')
    expect(copy).to_be_visible()  # lms.js shows it
    copy.click()
    expect(page.locator(".copy-status")).not_to_be_empty()
    assert page.evaluate("navigator.clipboard.readText()") == field.input_value()
    shots(page, "new-link-copied")
    assert_accessible(page)
    new_link = field.input_value()

    visitor = new_context(viewport, locale).new_page()
    visitor.goto(old_link)
    expect(visitor.locator("#link-problem")).to_have_attribute("data-reason", "replaced")
    expect(visitor.locator('#link-problem a[href="/login"]')).to_be_visible()
    shots(visitor, "old-link")
    assert_accessible(visitor)
    visitor.goto(new_link)
    expect(visitor.locator("#password")).to_be_visible()
    shots(visitor, "new-link-works")
