"""Every offered language on the main pages, on a desktop and a phone (issue 18, item 4).

For each page: ``<html lang>`` is the language; no visible text (or accessible label) is an
English interface message that the language's catalogue translates differently (a string that
escaped translation); no text overflows its button, label or table cell (long German and
Hungarian words); and axe-core finds no WCAG 2.1 AA violation.
"""

import pytest
from babel.messages.pofile import read_po

from lms.i18n.catalogues import TRANSLATIONS_DIR
from lms.languages import UI_LANGUAGES
from tests.e2e.conftest import axe_violations, describe_violations
from tests.e2e.pages import PAGE_TYPES, visit

#: A browser locale per language (the region only picks date formats).
LOCALES = {"it": "it-IT", "de": "de-DE", "sl": "sl-SI", "hr": "hr-HR", "cs": "cs-CZ",
           "sk": "sk-SK", "pl": "pl-PL", "hu": "hu-HU"}
#: The pages learners, facilitators and admins use most.
MAIN_PAGES = [
    "catalogue", "sign-in-error", "sign-up-errors", "course", "module", "quiz",
    "quiz-result-failed", "my-learning", "my-sessions", "account", "dashboard",
    "cohort-matrix", "attendance", "session-form", "admin-users", "event-attendance",
]

#: Visible text and accessible labels, except inside an element marked as another language
#: (course content not translated yet is marked lang="en").
TEXTS_JS = """
() => {
  const lang = document.documentElement.lang;
  const foreign = el => { const l = el.closest('[lang]'); return l && l.lang !== lang; };
  const out = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest('script, style, template') || foreign(el)) continue;
    if (!el.getClientRects().length && !el.closest('.visually-hidden')) continue;
    const text = walker.currentNode.textContent.replace(/\\s+/g, ' ').trim();
    if (text) out.add(text);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], input[type=submit]')) {
    if (foreign(el)) continue;
    for (const a of ['aria-label', 'placeholder', 'title', 'value'])
      if (el.getAttribute(a) && (a !== 'value' || el.type === 'submit')) out.add(el.getAttribute(a).trim());
  }
  return [...out];
}
"""

#: Buttons, labels and cells whose text is wider than their box.
SPILL_JS = """
() => [...document.querySelectorAll('button, .button, label, th, td, .badge, nav a')]
  .filter(el => el.getClientRects().length && el.scrollWidth > el.clientWidth + 1
                && getComputedStyle(el).overflowX === 'visible')
  .map(el => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 60)}" `
             + `${el.scrollWidth}px in ${el.clientWidth}px`)
"""

_ENGLISH: dict[str, set[str]] = {}


def english_leftovers(language: str) -> set[str]:
    """English interface messages the language translates to something else."""
    if language not in _ENGLISH:
        with open(TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
            catalog = read_po(handle)
        # Words the language itself uses somewhere ("Module" is German for "Modules") are no sign.
        own = {
            form.strip()
            for m in catalog
            if m.id
            for form in (m.string if isinstance(m.string, tuple) else (m.string,))
            if form
        }
        _ENGLISH[language] = {
            m.id
            for m in catalog
            if m.id
            and isinstance(m.id, str)
            and "%" not in m.id
            and m.string
            and m.string.strip() != m.id.strip()
            and sum(ch.isalpha() for ch in m.id) >= 3
        } - own
    return _ENGLISH[language]


def test_every_offered_language_is_checked_here():
    assert set(LOCALES) == set(UI_LANGUAGES) - {"en"}


@pytest.mark.parametrize("page_name", MAIN_PAGES)
@pytest.mark.parametrize("locale", list(LOCALES.values()))
def test_main_pages_speak_the_language(page_name, locale, viewport, role_page, site, axe_source):
    language = locale.split("-")[0]
    page_type = next(p for p in PAGE_TYPES if p.name == page_name)
    page = role_page(page_type.role, viewport, locale)
    visit(page, page_type, site)
    problems = []
    if page.evaluate("document.documentElement.lang") != language:
        problems.append(f"<html lang> is {page.evaluate('document.documentElement.lang')!r}")
    leftovers = sorted(set(page.evaluate(TEXTS_JS)) & english_leftovers(language))
    if leftovers:
        problems.append(f"English left: {leftovers}")
    problems += [f"text spills out: {s}" for s in page.evaluate(SPILL_JS)]
    violations = axe_violations(page, axe_source)
    if violations:
        problems.append("axe-core:\n" + describe_violations(violations))
    assert not problems, f"{page_name} in {language} on {viewport} ({page.url}):\n" + "\n".join(
        problems
    )
