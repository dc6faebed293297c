"""A learner writing a long quiz answer is not signed out by the idle timeout (lms.js)."""

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.course import shortest_course


def test_typing_in_a_quiz_tells_the_server_the_learner_is_still_there(new_context, make_account):
    _, email = make_account()
    page = new_context().new_page()
    page.clock.install()
    sign_in(page, email)
    course = shortest_course()
    page.goto(course.module_url(course.modules[0]) + "/quiz")
    field = page.locator("form.quiz-form input:not([type=hidden]), form.quiz-form textarea").first
    expect(field).to_be_visible()
    page.clock.fast_forward("05:00")  # five minutes of reading the questions
    with page.expect_response("**/session/keepalive") as answer:
        if field.evaluate("el => el.type") in ("radio", "checkbox"):
            field.check()
        else:
            field.fill("Thinking it over")
    assert answer.value.status == 204  # signed in, CSRF token accepted, allowed by the CSP
