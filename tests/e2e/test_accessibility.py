"""WCAG 2.1 AA on every page type, on a desktop and a phone: axe-core, and what axe cannot see."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.cohorts.models import Membership
from lms.extensions import db
from tests.e2e.conftest import FOCUS_JS, in_app
from tests.e2e.pages import PAGE_TYPES, visit

#: Headings in document order: one h1, and no level skipped on the way down.
HEADINGS_JS = """
() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .filter(h => h.getClientRects().length || h.closest('.visually-hidden'))
  .map(h => ({level: Number(h.tagName[1]), text: h.textContent.trim().slice(0, 60)}))
"""

#: Elements that show a status: each must say it in text (or an accessible label), not only
#: with its colour.
STATUS_JS = """
() => [...document.querySelectorAll(
    '.badge, .cell, .score h2, .verify-verdict, .risk, .flash, .field-error, progress')]
  .filter(el => !(el.textContent || '').trim() && !el.getAttribute('aria-label'))
  .map(el => el.outerHTML.slice(0, 120))
"""

#: Wider than the window: the page scrolls sideways (data tables may scroll inside their box).
OVERFLOW_JS = """
() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('main *')].filter(el => {
    if (el.closest('.table-wrap, pre, .figure-link')) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > doc.clientWidth + 1;
  }).map(el => el.outerHTML.slice(0, 100));
  return {scroll: doc.scrollWidth - doc.clientWidth, wide: wide.slice(0, 5)};
}
"""


def heading_problems(headings: list[dict]) -> list[str]:
    problems = []
    if [h["level"] for h in headings].count(1) != 1:
        problems.append("the page needs exactly one h1")
    previous = 0
    for h in headings:
        if h["level"] > previous + 1:
            problems.append(f"h{h['level']} '{h['text']}' follows h{previous}")
        previous = h["level"]
    return problems


def open_page(role_page, site, page_type, viewport="desktop", locale="en-GB") -> Page:
    page = role_page(page_type.role, viewport, locale)
    visit(page, page_type, site)
    return page


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda p: p.name)
def test_page_type_meets_wcag_21_aa(page_type, viewport, locale, role_page, site, axe_source):
    from tests.e2e.conftest import axe_violations, describe_violations

    page = open_page(role_page, site, page_type, viewport, locale)
    problems = []
    violations = axe_violations(page, axe_source)
    if violations:
        problems.append("axe-core:\n" + describe_violations(violations))
    problems += heading_problems(page.evaluate(HEADINGS_JS))
    problems += [f"status shown without text: {html}" for html in page.evaluate(STATUS_JS)]
    if not page.locator("main#main").count():
        problems.append("no <main id=main> for the skip link")
    overflow = page.evaluate(OVERFLOW_JS)
    if overflow["scroll"] > 0:
        problems.append(f"scrolls sideways by {overflow['scroll']}px: {overflow['wide']}")
    if viewport == "desktop":
        # 200% zoom of a 1280-pixel screen: a 640-pixel-wide layout at twice the pixel density.
        page.set_viewport_size({"width": 640, "height": 400})
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow["scroll"] > 0:
            problems.append(f"at 200% zoom, scrolls sideways: {overflow['wide']}")
    assert not problems, f"{page_type.name} ({page.url}):\n" + "\n".join(problems)


@pytest.mark.parametrize("path", ["/", "/login", "/accessibility"])
def test_skip_link_is_the_first_stop_and_moves_focus_to_main(path, viewport, locale, new_context):
    page = new_context(viewport, locale).new_page()
    page.goto(path)
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUS_JS)
    assert focused["href"] == "#main" and focused["visible"], focused
    box = page.locator(".skip-link").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


@pytest.mark.parametrize(
    "name", ["sign-up-errors", "sign-in-error", "session-form-errors"], ids=str
)
def test_form_errors_are_announced_and_tied_to_their_fields(name, role_page, site, locale):
    page_type = next(p for p in PAGE_TYPES if p.name == name)
    page = open_page(role_page, site, page_type, locale=locale)
    summary = page.locator(".error-summary[role=alert]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() >= 1
    for index in range(invalid.count()):
        field = invalid.nth(index)
        ids = (field.get_attribute("aria-describedby") or "").split()
        errors = [i for i in ids if i.endswith("-error")]
        assert errors, field.evaluate("el => el.outerHTML")
        assert page.locator(f"#{errors[0]}").inner_text().strip()
        # The summary links to the field.
        field_id = field.get_attribute("id")
        assert summary.locator(f'a[href="#{field_id}"]').count() == 1, field_id


def test_cohort_matrix_is_a_table_with_headers(role_page, site, locale, live_app):
    page_type = next(p for p in PAGE_TYPES if p.name == "cohort-matrix")
    page = open_page(role_page, site, page_type, locale=locale)
    table = page.locator("table.matrix")
    expect(table.locator("caption")).to_have_count(1)
    columns = table.locator("thead th")
    assert columns.count() >= 4
    assert all(columns.nth(i).get_attribute("scope") == "col" for i in range(columns.count()))
    rows = table.locator("tbody tr")
    # One row per learner of the cohort (the class-list page type may have added some).
    with in_app(live_app):
        members = db.session.scalar(
            sa.select(sa.func.count(Membership.id)).where(Membership.cohort_id == site.cohort)
        )
    assert members >= 2 and rows.count() == members
    for i in range(rows.count()):
        assert rows.nth(i).locator("th[scope=row]").count() == 1
    # Status in the cells is written out for screen readers, not only drawn.
    cell = table.locator("td.cell").first
    assert cell.locator(".visually-hidden").inner_text().strip()
    risk = table.locator(f'tr[data-learner="{site.at_risk_learner}"] [data-risk]').first
    assert risk.inner_text().strip()


def test_axe_check_catches_a_planted_violation(new_context, axe_source):
    """The checker itself works: an unlabelled field and grey-on-white text are reported."""
    from tests.e2e.conftest import axe_violations

    page = new_context().new_page()
    page.goto("/")
    assert not axe_violations(page, axe_source)
    page.evaluate(
        """() => {
          const main = document.querySelector('main');
          main.insertAdjacentHTML('beforeend',
            '<input type="text"><p class="planted">faint text</p>');
          main.querySelector('.planted').style.color = '#cccccc';
        }"""
    )
    found = {v["id"] for v in axe_violations(page, axe_source)}
    assert {"label", "color-contrast"} <= found, found
