"""The journeys' course and its right answers, read from the quiz files in content/.

Answers are form values (choice indexes, ``true``/``false``, numbers, matching positions),
never the English texts of the questions, so they hold in every language.
"""

from dataclasses import dataclass
from functools import cache

from playwright.sync_api import Page
from werkzeug.datastructures import MultiDict

from lms.content.loader import load_content
from tests.e2e.conftest import CONTENT


@dataclass(frozen=True)
class JourneyModule:
    slug: str
    questions: tuple  #: the quiz's questions as ``parse_quiz`` returns them (empty: no quiz)


@dataclass(frozen=True)
class JourneyCourse:
    slug: str
    modules: tuple[JourneyModule, ...]

    def url(self) -> str:
        return f"/courses/{self.slug}/"

    def module_url(self, module: JourneyModule) -> str:
        return f"/courses/{self.slug}/{module.slug}"


@cache
def shortest_course() -> JourneyCourse:
    """The course of content/ with the fewest quiz questions (then modules, then slug)."""
    tree = load_content(CONTENT)
    assert not tree.errors, [str(p) for p in tree.errors]

    def size(course):
        questions = sum(len(m.quiz.questions) for m in course.modules if m.quiz)
        return (questions, len(course.modules), course.slug)

    course = min(tree.courses, key=size)
    return JourneyCourse(
        slug=course.slug,
        modules=tuple(
            JourneyModule(m.slug, tuple(m.quiz.questions) if m.quiz else ()) for m in course.modules
        ),
    )


@cache
def journey_course(language: str = "en") -> JourneyCourse:
    """The course a learner reading ``language`` takes: the smallest one translated whole into it.

    English, or a language no course is fully translated into, takes :func:`shortest_course`.
    """
    tree = load_content(CONTENT)
    assert not tree.errors, [str(p) for p in tree.errors]

    def translated(course) -> bool:
        return language in course.translations and all(
            language in m.translations and (m.quiz is None or language in m.quiz_translations)
            for m in course.modules
        )

    candidates = [c for c in tree.courses if language != "en" and translated(c)]
    if not candidates:
        return shortest_course()
    course = min(
        candidates,
        key=lambda c: (sum(len(m.quiz.questions) for m in c.modules if m.quiz), c.slug),
    )
    return JourneyCourse(
        slug=course.slug,
        modules=tuple(
            JourneyModule(m.slug, tuple(m.quiz.questions) if m.quiz else ()) for m in course.modules
        ),
    )


def right_answers(questions) -> MultiDict:
    """The form fields a learner who knows every answer sends."""
    fields = MultiDict()
    for q in questions:
        name = f"q-{q['id']}"
        kind = q["type"]
        if kind in ("single", "multiple"):
            for index, choice in enumerate(q["choices"]):
                if choice["correct"]:
                    fields.add(name, str(index))
                    if kind == "single":
                        break
        elif kind == "truefalse":
            fields.add(name, "true" if q["answer"] else "false")
        elif kind == "short":
            best = max(q["answers"], key=lambda a: a["credit"])
            fields.add(name, best["text"])
        elif kind == "numeric":
            best = max(q["answers"], key=lambda a: a["credit"])
            value = best["value"] if "value" in best else (best["min"] + best["max"]) / 2
            fields.add(name, f"{value:g}")
        elif kind == "matching":
            for index in range(len(q["pairs"])):
                fields.add(f"{name}-{index}", str(index))
        elif kind == "reflection":
            fields.add(name, "I will try this with the workshop I run next month.")
    return fields


def as_displayed(fields: MultiDict, layout: list) -> MultiDict:
    """Right answers written with the author's choice indices, as the page sends them: the
    display positions of the attempt's stored layout (a learner clicks what they read)."""
    orders = {}
    for entry in layout:
        if "choices" in entry:
            orders[f"q-{entry['id']}"] = entry["choices"]
        for row in range(len(entry.get("rights", []))):
            orders[f"q-{entry['id']}-{row}"] = entry["rights"]
    shown = MultiDict()
    for name, value in fields.items(multi=True):
        order = orders.get(name)
        if order is not None and value.isdigit() and int(value) in order:
            value = str(order.index(int(value)))
        shown.add(name, value)
    return shown


#: The live app of the browser tests (set by the ``live_app`` fixture), for attempt layouts.
LIVE_APP = None


def layout_on(page: Page) -> list:
    """The stored layout of the attempt whose quiz form the page shows."""
    import re

    from lms.extensions import db
    from lms.quizzes.models import Attempt

    action = page.locator("form.quiz-form").get_attribute("action")
    attempt_id = int(re.search(r"/attempts/(\d+)", action).group(1))
    with LIVE_APP.app_context():
        layout = db.session.get(Attempt, attempt_id).layout
        db.session.remove()
    return layout


def answer_with_mouse(page: Page, questions) -> None:
    """Fill the quiz form on the page with the right answers (clicks and typing)."""
    for name, value in as_displayed(right_answers(questions), layout_on(page)).items(multi=True):
        field = page.locator(f'form.quiz-form [name="{name}"]')
        kind = field.first.evaluate("el => el.type")
        if kind in ("radio", "checkbox"):
            page.locator(f'form.quiz-form [name="{name}"][value="{value}"]').check()
        elif kind.startswith("select"):
            field.select_option(value)
        else:
            field.fill(value)
