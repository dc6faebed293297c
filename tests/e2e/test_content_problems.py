"""Held-back courses on the admins' banner and on /admin/content (issue 13, item 11): valid
HTML, axe-clean, headings in order, no sideways scrolling, on a desktop and a phone.

The live app publishes the real content/ without problems, so the preview's findings are
set here as the live preview would set them, from a copy of content/ with a broken course.
"""

import shutil

import pytest
from playwright.sync_api import expect

from lms.content.holdback import LiveCourse, hold_back
from lms.content.loader import load_content
from tests.e2e.conftest import CONTENT, axe_violations, describe_violations, sign_in, vnu_messages
from tests.e2e.test_accessibility import HEADINGS_JS, OVERFLOW_JS, heading_problems


@pytest.fixture
def previewed(live_app, tmp_path):
    """What the preview reports for content/ with one published course broken and one new,
    never published course broken; yields the two held-back courses' names."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    published = sorted(copy.glob("*/*/course.md"))[0]
    published.write_text(published.read_text().replace("level: ", "level: x", 1))
    new = copy / "trends" / "a-new-course"
    new.mkdir()
    (new / "course.md").write_text("---\ntitle: A new course\n---\n\nSoon.\n")
    tree = load_content(copy)
    live = {
        d.name: LiveCourse(d.parent.name) for d in tree.link_index.course_dirs if d.name != new.name
    }
    held_back = hold_back(tree, live)
    saved = {
        k: live_app.extensions.get(k) for k in ("lms_content_problems", "lms_content_held_back")
    }
    live_app.extensions["lms_content_problems"] = tree.errors
    live_app.extensions["lms_content_held_back"] = held_back
    yield [h.course for h in held_back]
    live_app.extensions.update(saved)


def test_admins_see_which_courses_are_held_back_and_why(
    previewed, new_context, make_account, viewport, shots, axe_source, tmp_path
):
    _, email = make_account("admin")
    page = new_context(viewport).new_page()
    sign_in(page, email)
    problems, html_files = [], []
    for path, step in (("/", "banner"), ("/admin/content", "admin-content")):
        response = page.goto(path)
        assert response.status == 200
        shots(page, f"{step}-{viewport}")
        html_files.append(tmp_path / f"{step}.html")
        html_files[-1].write_bytes(response.body())
        violations = axe_violations(page, axe_source)
        if violations:
            problems.append(f"{path}: axe-core:\n" + describe_violations(violations))
        problems += [f"{path}: {p}" for p in heading_problems(page.evaluate(HEADINGS_JS))]
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow["scroll"] > 0:
            problems.append(f"{path}: scrolls sideways by {overflow['scroll']}px")
    assert not problems, "\n".join(problems)

    page.goto("/")
    banner = page.locator("section.content-problems")
    for course in previewed:
        expect(banner.locator("code", has_text=course).first).to_be_visible()
    page.goto("/admin/content")
    sections = page.locator("main section")
    expect(sections).to_have_count(len(previewed))
    for course in previewed:
        expect(page.locator("main h2", has_text=course)).to_have_count(1)

    messages = vnu_messages(html_files)
    assert not messages, messages
