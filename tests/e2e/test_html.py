"""Every page type is valid HTML for the W3C Nu Html Checker (vnu.jar, the machine's Java)."""

from tests.e2e.conftest import vnu_messages
from tests.e2e.pages import PAGE_TYPES, visit


def test_every_page_type_is_valid_html(role_page, site, locale, tmp_path):
    """The HTML as the server sent it (not the browser's DOM), all pages in one JVM run."""
    pages = {}
    files = []
    for page_type in PAGE_TYPES:
        role = page_type.role
        if role not in pages:
            pages[role] = role_page(role, locale=locale)
        response = visit(pages[role], page_type, site)
        path = tmp_path / f"{page_type.name}.html"
        path.write_bytes(response.body())
        files.append(path)
    # A page with a known error proves the checker runs and reports.
    planted = tmp_path / "planted-error.html"
    planted.write_text(
        '<!doctype html><html lang="en"><head><title>x</title></head>'
        '<body><p id="twice"></p><p id="twice"></p></body></html>'
    )
    files.append(planted)
    messages = vnu_messages(files)
    assert any(m["url"].endswith("/planted-error.html") for m in messages), messages[:5]
    messages = [m for m in messages if not m["url"].endswith("/planted-error.html")]
    report = "\n".join(
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']} "
        f"[{m.get('extract', '').strip()[:80]}]"
        for m in messages
    )
    assert not messages, report
