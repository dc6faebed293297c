"""Browser tests: the real app served from a thread, driven by Debian's Chromium.

Run with ``make test-e2e`` (``pytest --e2e tests/e2e``). The app has its own SQLite file and
the real ``content/``; every test makes its own accounts, so tests never share a learner.
Elements are found by id, name, form action, href or data attribute, never by English text,
so the same journeys run in every language listed in ``LOCALES``.
"""

import json
import re
import shutil
import subprocess
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from lms.accounts.services import create_user
from lms.extensions import db
from tests.support import build_test_app

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
AXE_JS = ROOT / "node_modules/axe-core/axe.min.js"
VNU_JAR = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
#: Screenshots of every journey's main steps, for review (git-ignored).
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "e2e journeys password"

#: Browser locales the journeys run in. Add "it-IT" here once the Italian UI has landed.
LOCALES = ["en-GB", "it-IT"]

#: A desktop screen, and a 375-pixel-wide phone.
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 375, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
#: WCAG's rule sets that axe-core checks.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app with its own database and the real content/, as production would run it."""
    folder = tmp_path_factory.mktemp("live")
    app = build_test_app(
        folder / "instance",
        f"sqlite:///{folder / 'e2e.sqlite3'}",
        CONTENT,
        secret_key="e2e-secret-key-that-is-long-enough-for-tests",
        TESTING=False,  # errors render as a visitor would see them
    )
    import tests.e2e.course

    tests.e2e.course.LIVE_APP = app
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """Serve the app on a free 127.0.0.1 port from a background thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    # Absolute links (certificate verification, calendar feeds) come from the base URL.
    live_app.config["LMS_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium; Playwright's own browsers are never downloaded."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic"],
    }


def language(locale: str) -> str:
    """``"it-IT"`` -> ``"it"``: the language a user account prefers."""
    return locale.split("-")[0]


@contextmanager
def in_app(live_app):
    """An app context on the live app's database (fixtures set data up through services)."""
    with live_app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def make_account(live_app):
    """``make_account(role, name, locale)`` -> ``(user_id, email)``; the password is
    ``PASSWORD``, the preferred language that of the browser locale (``"it-IT"``: Italian)."""

    def factory(role: str = "learner", name: str | None = None, locale: str = "en-GB"):
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.org"
        with in_app(live_app):
            user = create_user(
                email,
                name or f"{role.title()} Tester",
                PASSWORD,
                role=role,
                locale=language(locale),
            )
            db.session.commit()
            return user.id, email

    return factory


@pytest.fixture(params=LOCALES)
def locale(request):
    return request.param


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


def open_context(browser, base_url: str, viewport: str, locale: str, **extra):
    """A browser context on the viewport, asking for the locale's language."""
    context = browser.new_context(
        base_url=base_url,
        locale=locale,
        extra_http_headers={"Accept-Language": f"{locale},{language(locale)};q=0.9"},
        **VIEWPORTS[viewport],
        **extra,
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def new_context(browser, base_url):
    """``new_context(viewport, locale, storage_state=None)``: a fresh browser context."""
    contexts = []

    def factory(viewport: str = "desktop", locale: str = "en-GB", **extra):
        contexts.append(open_context(browser, base_url, viewport, locale, **extra))
        return contexts[-1]

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def _role_contexts(browser):
    """Shared contexts, closed before the browser (hence the dependency)."""
    contexts = {}
    yield contexts
    for context in contexts.values():
        context.close()


@pytest.fixture
def role_page(_role_contexts, browser, base_url, site):
    """``role_page(role, viewport, locale)``: a new page, anonymous or signed in as the site's
    learner or facilitator; contexts are shared by the tests of one role, viewport and locale."""
    pages = []

    def factory(role: str, viewport: str = "desktop", locale: str = "en-GB") -> Page:
        key = (role, viewport, locale)
        if key not in _role_contexts:
            context = open_context(browser, base_url, viewport, locale)
            if role != "anonymous":
                sign_in(context.new_page(), site.emails[role])
            _role_contexts[key] = context
        pages.append(_role_contexts[key].new_page())
        return pages[-1]

    yield factory
    for page in pages:
        page.close()


@pytest.fixture
def journey_page(new_context, viewport, locale) -> Page:
    """A page on the parametrized viewport and locale."""
    return new_context(viewport, locale).new_page()


class Screenshots:
    """Numbered full-page screenshots under artifacts/e2e/<test>/."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def __call__(self, page: Page, step: str) -> None:
        self.count += 1
        page.screenshot(
            path=str(self.folder / f"{self.count:02d}-{step}.png"), full_page=True, scale="css"
        )


@pytest.fixture
def shots(request) -> Screenshots:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    shutil.rmtree(folder, ignore_errors=True)  # no stale steps from an earlier run
    return Screenshots(folder)


def open_menu(page: Page) -> None:
    """On a phone, open the header's "Menu" (its links are folded away); elsewhere nothing."""
    summary = page.locator("header .site-menu > summary")
    if summary.is_visible():
        summary.click()
        expect(page.locator("header details.site-menu")).to_have_attribute("open", "")


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click('main form[action^="/login"] button[type="submit"]')
    expect(page.locator('form[action="/logout"]')).to_have_count(1)


@pytest.fixture(scope="session")
def _sites():
    return {}


@pytest.fixture
def site(_sites, live_app, locale):
    """The data every page type needs (see pages.py), once per language."""
    from tests.e2e.pages import build_site

    if locale not in _sites:
        _sites[locale] = build_site(live_app, language(locale))
    return _sites[locale]


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_JS.read_text()


def vnu_messages(files) -> list[dict]:
    """What the Nu Html Checker (errors only) says of these HTML files."""
    proc = subprocess.run(
        [
            shutil.which("java") or "java",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    return json.loads(proc.stdout)["messages"]


def axe_violations(page: Page, source: str) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations of impact serious or critical on the page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)  # not a <script> tag: a strict CSP would block that
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe_violations(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']}: {v['help']} @ "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in violations
    )


@pytest.fixture
def assert_accessible(axe_source):
    def check(page: Page) -> None:
        bad = axe_violations(page, axe_source)
        assert not bad, f"{page.url}\n" + describe_violations(bad)

    return check


#: The focused element, and whether it shows a focus indicator (outline or box shadow).
FOCUS_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: 'body', visible: false, id: ''};
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
          type: el.getAttribute('type') || '', value: el.value === undefined ? '' : String(el.value),
          href: el.getAttribute('href') || '', visible: Boolean(outline || shadow),
          html: el.outerHTML.slice(0, 160)};
}
"""


class SignupLinks:
    """Catches the sign-up links the live server logs (it has no mail server), as the person
    would find them in their inbox."""

    def __init__(self):
        import logging

        class Handler(logging.Handler):
            def __init__(self, links):
                super().__init__()
                self.links = links

            def emit(self, record):
                match = re.search(r"https?://[^/\s]+(/signup/confirm/\S+)", record.getMessage())
                if match:
                    self.links.append(match.group(1))

        self.links: list[str] = []
        self._handler = Handler(self.links)
        self._logger = logging.getLogger("lms.accounts")

    def __enter__(self):
        self._logger.addHandler(self._handler)
        return self

    def __exit__(self, *exc):
        self._logger.removeHandler(self._handler)

    def latest(self) -> str:
        assert self.links, "no sign-up link was sent"
        return self.links[-1]
