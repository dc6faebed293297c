"""A new learner, from sign-up to a verified certificate, with the mouse and with the keyboard."""

import re
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, SignupLinks, language, open_menu
from tests.e2e.course import answer_with_mouse, journey_course, shortest_course


def sign_up(page: Page, locale: str) -> str:
    """Fill the sign-up form as a new learner; returns the email address."""
    email = f"new-{uuid.uuid4().hex[:10]}@example.org"
    page.fill("#name", "Nora Newcomer")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    if page.locator(f'#locale option[value="{language(locale)}"]').count():
        page.select_option("#locale", language(locale))
    with SignupLinks() as mail:
        page.click('main form[action="/signup"] button[type="submit"]')
        expect(page.locator("#signup-sent")).to_be_visible()
    # The address is confirmed from the link in the email, with one button.
    page.goto(mail.latest())
    page.click("#confirm-signup")
    return email


def test_new_learner_completes_a_course_and_verifies_the_certificate(journey_page, shots, locale):
    page, course = journey_page, journey_course(language(locale))
    page.goto("/")
    expect(page.locator("html")).to_have_attribute(
        "lang", "en-GB" if locale == "en-GB" else language(locale)
    )
    shots(page, "catalogue")
    open_menu(page)
    page.click('header a[href="/signup"]')
    sign_up(page, locale)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator('form[action="/logout"]')).to_have_count(1)
    shots(page, "signed-up")

    page.click(f'main a[href="{course.url()}"]')
    expect(page).to_have_url(re.compile(re.escape(course.url()) + "$"))
    shots(page, "course")
    page.click("#course-start")

    for number, module in enumerate(course.modules):
        expect(page).to_have_url(re.compile(re.escape(course.module_url(module)) + "$"))
        if number == 0:
            shots(page, "module")
        # The learner reads the module in their language: no "not yet available" notice.
        expect(page.locator(".translation-notice")).to_have_count(0)
        # "Mark as read" (a module with a quiz) leads to the quiz; "Mark as complete" does not.
        page.click(f'main form[action="{course.module_url(module)}/complete"] button')
        if not module.questions:
            continue
        expect(page).to_have_url(re.compile(re.escape(course.module_url(module)) + "/quiz$"))
        if number == 0:
            shots(page, "quiz")
            # Nothing answered: lms.js asks first (accepted), then the attempt is not passed.
            page.once("dialog", lambda dialog: dialog.accept())
            page.click("#quiz-submit")
            expect(page.locator("[data-result]")).to_have_attribute("data-result", "fail")
            shots(page, "quiz-failed")
            page.click("#quiz-retry")
        answer_with_mouse(page, module.questions)
        if number == 0:
            shots(page, "quiz-answered")
        page.click("#quiz-submit")
        expect(page.locator("[data-result]")).to_have_attribute("data-result", "pass")
        if number == 0:
            shots(page, "quiz-passed")
        if number + 1 < len(course.modules):
            page.click("#next-module")

    shots(page, "last-quiz-passed")
    page.click(f'main .score a[href="{course.url()}"]')
    shots(page, "course-completed")
    page.click("#certificate-link")
    expect(page).to_have_url(re.compile(r"/certificates/C4-"))
    shots(page, "certificate")
    page.click("#verify-link")
    expect(page).to_have_url(re.compile(r"/verify/C4-"))
    expect(page.locator(".verify-ok")).to_be_visible()
    shots(page, "verified")
    page.goto("/me/learning")
    expect(page.locator('main a[href^="/certificates/C4-"]')).to_have_count(1)
    shots(page, "my-learning")

    # A module that has no translation in the learner's language says so, in their language.
    other = shortest_course()
    if other.slug != course.slug:
        page.goto(other.module_url(other.modules[0]))
        expect(page.locator(".translation-notice")).to_be_visible()
        expect(page.locator("article.module h1")).to_have_attribute("lang", "en")
        shots(page, "english-fallback")
