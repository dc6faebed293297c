"""The header on a phone fits one line (a "Menu" disclosure); a quiz with questions
unanswered asks before grading, with JavaScript (a prompt) and without (the server's step)."""

import re
from itertools import pairwise

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.course import answer_with_mouse, shortest_course

ROLES = ["anonymous", "learner", "facilitator", "admin"]

#: The header's boxes: the bar, the brand (and its text's line count), the Menu summary.
HEADER_JS = """
() => {
  const box = el => { const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height,
            width: r.width}; };
  const brand = document.querySelector('.site-header .brand');
  const text = brand.querySelector('span:not(.brand-mark)');
  const range = document.createRange();
  range.selectNodeContents(text);
  const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  const row = getComputedStyle(document.querySelector('.header-row'));
  return {header: box(document.querySelector('.site-header')), brand: box(brand),
          brandLines: lines, summary: box(document.querySelector('.site-menu > summary')),
          padding: parseFloat(row.paddingTop) + parseFloat(row.paddingBottom),
          viewport: document.documentElement.clientWidth};
}
"""

#: Every link and button of the header's menu, with its box and whether it can be seen.
MENU_ITEMS_JS = """
() => [...document.querySelectorAll('.site-menu li > a, .site-menu li button')].map(el => {
  const r = el.getBoundingClientRect();
  return {text: el.textContent.trim(), left: r.left, right: r.right, top: r.top,
          height: r.height, visible: el.checkVisibility() && r.width > 0 && r.height > 0};
})
"""


def assert_one_line(page: Page) -> dict:
    """The closed phone header: brand and Menu side by side, each one line high."""
    m = page.evaluate(HEADER_JS)
    brand, summary = m["brand"], m["summary"]
    assert summary["width"] > 0, "no Menu on a phone"
    assert summary["top"] < brand["bottom"] and brand["top"] < summary["bottom"], m
    assert m["brandLines"] == 1, m
    assert brand["left"] >= 0 and brand["right"] <= summary["left"], m
    assert summary["right"] <= m["viewport"], m
    tallest = max(brand["height"], summary["height"])
    assert m["header"]["height"] <= tallest + m["padding"] + 1, m
    return m


def screen(page: Page, shots, step: str) -> None:
    """A screenshot of what the screen shows (the shots fixture takes the whole page)."""
    shots.count += 1
    page.screenshot(path=str(shots.folder / f"{shots.count:02d}-{step}.png"), scale="css")


def tab_until(page: Page, selector: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got focus")


@pytest.mark.parametrize("role", ROLES)
def test_the_phone_header_is_one_line_and_its_menu_opens_with_the_keyboard(
    role, role_page, locale, shots, assert_accessible
):
    page = role_page(role, "phone", locale)
    page.goto("/")
    assert_one_line(page)
    items = page.evaluate(MENU_ITEMS_JS)
    assert items and not any(i["visible"] for i in items), items
    screen(page, shots, "closed")

    tab_until(page, ".site-menu > summary")
    page.keyboard.press("Enter")
    expect(page.locator("details.site-menu")).to_have_attribute("open", "")
    items = page.evaluate(MENU_ITEMS_JS)
    width = page.evaluate("document.documentElement.clientWidth")
    assert all(i["visible"] and 0 <= i["left"] and i["right"] <= width for i in items), items
    assert all(i["height"] >= 44 for i in items), items  # big enough to tap
    expected = {"anonymous": 3, "learner": 6, "facilitator": 7, "admin": 7}[role]
    assert len(items) >= expected, items
    # Tab goes on into the menu's first link; the page's layout does not move under it.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.site-menu li') !== null")
    screen(page, shots, "open")
    assert_accessible(page)
    # Escape folds it again and gives focus back to "Menu"; the header is one line again.
    page.keyboard.press("Escape")
    expect(page.locator("details.site-menu")).not_to_have_attribute("open", "")
    assert page.evaluate("document.activeElement.matches('.site-menu > summary')")
    assert_one_line(page)


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_the_phone_menu_works_without_javascript(role, browser, base_url, site, locale):
    from tests.e2e.conftest import open_context

    context = open_context(browser, base_url, "phone", locale, java_script_enabled=False)
    try:
        page = context.new_page()
        if role != "anonymous":
            sign_in(page, site.emails[role])
        page.goto("/")
        assert_one_line(page)
        page.locator(".site-menu > summary").click()
        expect(page.locator("details.site-menu")).to_have_attribute("open", "")
        link = page.locator('.site-menu a[href="/"]')
        expect(link).to_be_visible()
        link.click()
        expect(page).to_have_url(re.compile(r"/$"))
    finally:
        context.close()


def test_the_header_is_one_line_in_every_language_of_the_switcher(new_context, shots):
    """Chosen with the footer's language switcher, on the narrowest phone we design for."""
    page = new_context("phone").new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    codes = page.eval_on_selector_all(
        "#language-switcher-select option", "options => options.map(o => o.value)"
    )
    assert len(codes) >= 9, codes
    for code in codes:
        page.select_option("#language-switcher-select", code)
        with page.expect_navigation():
            page.click(".language-switcher button[type=submit]")
        expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{code}"))
        assert_one_line(page)
    screen(page, shots, "last-language")


@pytest.mark.parametrize("role", ROLES)
def test_the_desktop_header_shows_its_links_inline(role, role_page, locale):
    page = role_page(role, "desktop", locale)
    page.goto("/")
    expect(page.locator(".site-menu > summary")).to_be_hidden()
    items = page.evaluate(MENU_ITEMS_JS)
    assert items and all(i["visible"] for i in items), items
    # Side by side, left to right (not a list going down).
    assert all(b["left"] > a["right"] for a, b in pairwise(items)), items
    assert len({round(i["top"] + i["height"] / 2) for i in items}) == 1, items


def quiz_module():
    course = shortest_course()
    module = next(m for m in course.modules if len(m.questions) >= 2)
    return course, module


def test_with_javascript_the_quiz_asks_before_sending_unanswered_questions(
    new_context, make_account, viewport, shots
):
    course, module = quiz_module()
    page = new_context(viewport).new_page()
    _, email = make_account()
    sign_in(page, email)
    page.goto(course.module_url(module) + "/quiz")
    first = module.questions[0]
    answer_with_mouse(page, [first])
    messages = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("#quiz-submit")
    expect(page).to_have_url(re.compile("/quiz$"))  # nothing sent
    assert len(messages) == 1
    blank = page.locator(f"fieldset.question:not(:has([name='q-{first['id']}']))")
    numbers = [t.strip() for t in blank.locator(".q-number").all_text_contents()]
    assert numbers and all(n in messages[0] for n in numbers), (messages, numbers)
    # Cancelled: the first unanswered question has focus, and each is marked.
    assert page.evaluate("document.activeElement.closest('fieldset.question-unanswered') !== null")
    expect(page.locator("fieldset.question-unanswered")).to_have_count(len(numbers))
    screen(page, shots, "cancelled")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#quiz-submit")
    expect(page.locator("[data-result]")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))


def test_without_javascript_the_server_asks_first_and_keeps_the_answers(
    browser, base_url, make_account, viewport, shots
):
    from tests.e2e.conftest import open_context

    course, module = quiz_module()
    context = open_context(browser, base_url, viewport, "en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        _, email = make_account()
        sign_in(page, email)
        page.goto(course.module_url(module) + "/quiz")
        action = page.locator("form.quiz-form").get_attribute("action")
        first = module.questions[0]
        answer_with_mouse(page, [first])
        kept = page.evaluate(
            "name => [...document.querySelectorAll(`[name='${name}']`)].map(f =>"
            " f.type === 'radio' || f.type === 'checkbox' ? f.checked : f.value)",
            f"q-{first['id']}",
        )
        with page.expect_navigation():
            page.click("#quiz-submit")
        # The same attempt, not graded: the message, the marks, the answer as it was.
        expect(page.locator("#unanswered")).to_be_visible()
        assert page.locator("form.quiz-form").get_attribute("action") == action
        expect(page.locator("[data-result]")).to_have_count(0)
        links = page.locator("#unanswered a[href^='#question-']")
        expect(links).to_have_count(len(module.questions) - 1)
        expect(page.locator("fieldset.question-unanswered")).to_have_count(
            len(module.questions) - 1
        )
        assert (
            page.evaluate(
                "name => [...document.querySelectorAll(`[name='${name}']`)].map(f =>"
                " f.type === 'radio' || f.type === 'checkbox' ? f.checked : f.value)",
                f"q-{first['id']}",
            )
            == kept
        )
        screen(page, shots, "asked")  # axe checks this step as the page type "quiz-unanswered"
        # A link goes to its question.
        href = links.first.get_attribute("href")
        links.first.click()
        expect(page).to_have_url(re.compile(re.escape(href) + "$"))
        expect(page.locator(href)).to_be_in_viewport()
        screen(page, shots, "link-followed")
        with page.expect_navigation():
            page.click("#unanswered-submit-anyway")
        expect(page.locator("[data-result]")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
        screen(page, shots, "graded")
    finally:
        context.close()
