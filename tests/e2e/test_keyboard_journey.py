"""The learner journey with the keyboard alone: Tab, Shift+Tab, Enter, Space and arrow keys.

Every element that receives focus on the way must show a visible focus indicator.
"""

import re
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.conftest import FOCUS_JS, PASSWORD, SignupLinks, language
from tests.e2e.course import as_displayed, layout_on, right_answers, shortest_course


class Keyboard:
    """Moves focus with Tab / Shift+Tab and records every focused element without a ring."""

    def __init__(self, page: Page):
        self.page = page
        self.unmarked: list[str] = []

    def focused(self) -> dict:
        info = self.page.evaluate(FOCUS_JS)
        if info["tag"] != "body" and not info["visible"]:
            self.unmarked.append(f"{self.page.url}: {info['html']}")
        return info

    def tab_to(self, selector: str, backwards: bool = False, limit: int = 250) -> None:
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            self.focused()
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} never got focus with {key} on {self.page.url}")

    def activate(self, selector: str) -> None:
        """Tab to a link or button, press Enter and wait for the page it opens."""
        self.tab_to(selector)
        self.enter()

    def enter(self) -> None:
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def type_into(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.type(text)

    def open_menu(self) -> None:
        """On a phone the header's links are behind its "Menu": Tab to it, press Enter."""
        if not self.page.locator("header .site-menu > summary").is_visible():
            return
        self.tab_to("header .site-menu > summary")
        self.page.keyboard.press("Enter")
        expect(self.page.locator("header details.site-menu")).to_have_attribute("open", "")

    def choose(self, selector: str, value: str) -> None:
        """Tab to a drop-down and pick the option with ``value`` (if it has one) with arrows."""
        self.tab_to(selector)
        self.pick_option(value)

    def pick_option(self, value: str) -> None:
        page = self.page
        options = page.evaluate("() => [...document.activeElement.options].map(o => o.value)")
        if value not in options:
            return
        for key in ("ArrowDown", "ArrowUp"):
            for _step in range(len(options)):
                if page.evaluate("() => document.activeElement.value") == value:
                    return
                page.keyboard.press(key)
        raise AssertionError(f"could not pick {value!r} with the arrow keys")

    def answer_quiz(self, questions) -> None:
        """Walk the quiz form with Tab, answering each field as it gets focus."""
        wanted = as_displayed(right_answers(questions), layout_on(self.page))
        done_radios: set[str] = set()
        page = self.page
        self.tab_to("form.quiz-form :is(input, select, textarea)")
        for _ in range(400):
            info = self.focused()
            name, kind = info["name"], info["type"]
            if info["id"] == "quiz-submit":
                return
            if kind == "radio" and name not in done_radios:
                target = wanted.get(name)
                if target is not None:
                    # Arrow keys move the selection within a group; Space picks the first.
                    for _step in range(20):
                        if page.evaluate("() => document.activeElement.value") == target:
                            break
                        page.keyboard.press("ArrowDown")
                    page.keyboard.press("Space")
                    assert page.evaluate("() => document.activeElement.checked"), name
                done_radios.add(name)
            elif kind == "checkbox" and info["value"] in wanted.getlist(name):
                page.keyboard.press("Space")
            elif info["tag"] == "select" and name in wanted:
                self.pick_option(wanted[name])
                assert page.evaluate("() => document.activeElement.value") == wanted[name], name
            elif info["tag"] in ("input", "textarea") and kind not in ("radio", "checkbox"):
                if name in wanted:
                    page.keyboard.type(wanted[name])
            page.keyboard.press("Tab")
        raise AssertionError("never reached the quiz's submit button")


def test_learner_journey_with_the_keyboard_alone(journey_page, shots, locale):
    page, course = journey_page, shortest_course()
    keys = Keyboard(page)
    page.goto("/")
    keys.open_menu()
    keys.activate('header a[href="/signup"]')
    expect(page).to_have_url(re.compile("/signup$"))
    keys.type_into("#name", "Kai Keyboard")
    keys.type_into("#email", f"keys-{uuid.uuid4().hex[:10]}@example.org")
    keys.type_into("#password", PASSWORD)
    keys.type_into("#confirm", PASSWORD)
    keys.choose("#locale", language(locale))
    keys.tab_to('main form[action="/signup"] button[type="submit"]')
    keys.tab_to("#password", backwards=True)  # back to check, then on again
    keys.tab_to('main form[action="/signup"] button[type="submit"]')
    shots(page, "sign-up")
    with SignupLinks() as mail:
        keys.enter()
        expect(page.locator("#signup-sent")).to_be_visible()
    page.goto(mail.latest())  # the link in the email
    keys.activate("#confirm-signup")
    expect(page.locator('form[action="/logout"]')).to_have_count(1)

    keys.activate(f'main a[href="{course.url()}"]')
    expect(page).to_have_url(re.compile(re.escape(course.url()) + "$"))
    keys.activate("#course-start")
    for number, module in enumerate(course.modules):
        expect(page).to_have_url(re.compile(re.escape(course.module_url(module)) + "$"))
        keys.activate(f'main form[action="{course.module_url(module)}/complete"] button')
        if not module.questions:
            continue
        expect(page).to_have_url(re.compile("/quiz$"))
        if number == 0:
            page.once("dialog", lambda dialog: dialog.accept())  # "not answered yet: submit?"
            keys.activate("#quiz-submit")
            expect(page.locator("[data-result]")).to_have_attribute("data-result", "fail")
            shots(page, "quiz-failed")
            keys.activate("#quiz-retry")
        keys.answer_quiz(module.questions)
        shots(page, f"quiz-{number + 1}-answered")
        keys.enter()
        expect(page.locator("[data-result]")).to_have_attribute("data-result", "pass")
        if number + 1 < len(course.modules):
            keys.activate("#next-module")

    keys.activate(f'main .score a[href="{course.url()}"]')
    keys.activate("#certificate-link")
    expect(page).to_have_url(re.compile("/certificates/C4-"))
    shots(page, "certificate")
    keys.activate("#verify-link")
    expect(page.locator(".verify-ok")).to_be_visible()
    shots(page, "verified")
    assert not keys.unmarked, "focus not visible on:\n" + "\n".join(keys.unmarked)
