"""The catalogue says which languages each course is available in (issue 13, item 4)."""

import hashlib
import re

from lms.extensions import db
from lms.publishing.sync import sync_content


def languages_on_card(html: str) -> list[str]:
    line = re.search(r'<p class="meta course-languages">(.*?)</p>', html, re.S).group(1)
    return re.findall(r'<span lang="(\w+)">', line)


def test_a_course_lists_the_languages_every_module_is_translated_into(app, client, content_dir):
    html = client.get("/").get_data(as_text=True)
    # Only the first of two modules is in Italian: the course is not available in Italian yet.
    assert languages_on_card(html) == ["en"]
    assert '<span lang="en">English</span>' in html
    folder = content_dir / "technology" / "sample-course"
    original = (folder / "02-second-steps.md").read_bytes()
    (folder / "02-second-steps.it.md").write_text(
        "---\ntitle: Secondi passi\n"
        f"translation_of: {hashlib.sha256(original).hexdigest()[:12]}\n---\n\nTesto italiano.\n",
        encoding="utf-8",
    )
    with app.app_context():
        report = sync_content(content_dir)
        assert report.applied, [str(p) for p in report.tree.problems]
        db.session.commit()
    html = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert languages_on_card(html) == ["en", "it"]
    assert "Verfügbar in:" in html and '<span lang="it">Italiano</span>' in html


def test_the_module_page_shows_the_course_outline_with_status(learner_client):
    """Issue 13, item 2: every module with its status, the current one marked."""
    from tests.conftest import complete_with_quiz

    complete_with_quiz(learner_client)
    html = learner_client.get("/courses/sample-course/second-steps").get_data(as_text=True)
    outline = html[html.index('id="course-outline"') : html.index("</details>", html.index('id="course-outline"'))]
    first = outline[outline.index("First steps") :].split("</li>")[0]
    second = outline[outline.index("Second steps") - 60 :].split("</li>")[0]
    assert 'href="/courses/sample-course/first-steps"' in outline and "Completed" in first
    assert 'aria-current="page"' in second and "In progress" in second
    assert "Module 2 of 2" in outline
