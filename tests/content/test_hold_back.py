"""One broken course does not block the others (issue 13, item 11).

A course with errors keeps its last good version (or stays off the site) while every other
course publishes; ``lms content sync`` says which courses it held back and exits 1.
"""

import time

import pytest
import sqlalchemy as sa

from lms.cli import main
from lms.content import render
from lms.courses.models import Course, CourseTranslation, Module
from lms.extensions import db
from lms.progress.models import Completion
from lms.publishing.sync import sync_content
from tests.conftest import complete_with_quiz, login
from tests.content.test_checker import COURSE, edit

FUTURE = "trends/future-course"


def rows_of(slug: str) -> dict:
    """Every content row of one course, to compare before and after."""
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None:
        return {}
    modules = db.session.scalars(
        sa.select(Module).where(Module.course_id == course.id).order_by(Module.id)
    )
    translations = db.session.scalars(
        sa.select(CourseTranslation).where(CourseTranslation.course_id == course.id)
    )

    def values(obj):
        return tuple(getattr(obj, c.key) for c in type(obj).__table__.columns)

    return {
        "course": values(course),
        "modules": [values(m) for m in modules],
        "translations": sorted(values(t) for t in translations),
    }


def title_of(slug: str) -> str | None:
    return db.session.scalar(sa.select(Course.title).where(Course.slug == slug))


def add_course(content_dir, where: str, module_front: str = "duration_minutes: 10") -> None:
    """A new course with one module, written into ``where`` (``<area>/<folder>``)."""
    folder = content_dir / where
    folder.mkdir()
    (folder / "course.md").write_text(
        "---\ntitle: New course\nsummary: Brand new.\nlevel: beginner\nduration_hours: 1\n"
        "language: en\nobjectives:\n  - Begin.\n---\n\nHello.\n"
    )
    (folder / "01-start.md").write_text(
        f"---\ntitle: Start\n{module_front}\nobjectives:\n  - Start.\n---\n\nText.\n"
    )


def test_a_broken_course_keeps_its_last_version_and_progress_while_the_others_publish(
    app, content_dir, runner, learner_client
):
    complete_with_quiz(learner_client)
    with app.app_context():
        before = rows_of("sample-course")
    edit(content_dir, f"{COURSE}/course.md", "title: Sample course", "title: Renamed course")
    edit(content_dir, f"{COURSE}/course.md", "level: beginner", "level: expert")
    edit(content_dir, f"{COURSE}/01-first-steps.md", "title: First steps", "title: Renamed")
    edit(
        content_dir, f"{COURSE}/02-second-steps.md", "duration_minutes: 25", "duration_minutes: -1"
    )
    edit(content_dir, f"{COURSE}/course.it.md", "title: Corso di esempio", "title: Rinominato")
    edit(content_dir, f"{FUTURE}/course.md", "title: Future course", "title: Future, renamed")

    result = runner.invoke(main, ["content", "sync", str(content_dir)])

    assert result.exit_code == 1, result.output
    assert f"{COURSE}/course.md:4: 'level' must be one of" in result.output
    assert f"{COURSE}/02-second-steps.md:3:" in result.output
    assert "updated: course future-course" in result.output
    assert "Published: 1 updated" in result.output
    assert (
        "Held back: technology/sample-course (2 problems, listed above): "
        "learners keep its last good version." in result.output
    )
    changes = [
        line for line in result.output.splitlines() if line.startswith("  ") and ": " in line
    ]
    assert changes == ["  updated: course future-course"]
    with app.app_context():
        assert rows_of("sample-course") == before  # its translation follows it
        assert title_of("future-course") == "Future, renamed"
        assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1
    page = learner_client.get("/courses/sample-course/").get_data(as_text=True)
    assert "Sample course" in page and "50% complete" in page


def test_fixing_the_error_publishes_the_held_back_course_with_progress_kept(
    app, content_dir, runner, learner_client
):
    complete_with_quiz(learner_client)
    edit(content_dir, f"{COURSE}/course.md", "title: Sample course", "title: Renamed course")
    edit(content_dir, f"{COURSE}/course.md", "level: beginner", "level: expert")
    assert runner.invoke(main, ["content", "sync", str(content_dir)]).exit_code == 1
    edit(content_dir, f"{COURSE}/course.md", "level: expert", "level: beginner")

    result = runner.invoke(main, ["content", "sync", str(content_dir)])

    assert result.exit_code == 0, result.output
    assert "updated: course sample-course" in result.output and "Held back" not in result.output
    with app.app_context():
        assert title_of("sample-course") == "Renamed course"
        assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1
    assert "50% complete" in learner_client.get("/courses/sample-course/").get_data(as_text=True)


def test_nothing_else_to_change_is_said_and_the_exit_code_still_fails(app, content_dir, runner):
    edit(content_dir, f"{FUTURE}/course.md", "level: intermediate", "level: x")
    result = runner.invoke(main, ["content", "sync", str(content_dir)])
    assert result.exit_code == 1
    assert "Nothing else to change" in result.output
    assert "Held back: trends/future-course (1 problem, listed above)" in result.output


def test_a_broken_course_never_published_is_absent_not_half_created(app, content_dir, runner):
    add_course(content_dir, "technology/new-course", "duration_minutes: soon")
    edit(content_dir, f"{FUTURE}/course.md", "title: Future course", "title: Future, renamed")

    result = runner.invoke(main, ["content", "sync", str(content_dir)])

    assert result.exit_code == 1
    assert "technology/new-course/01-start.md:3:" in result.output
    assert (
        "Held back: technology/new-course (1 problem, listed above): not on the site yet."
        in result.output
    )
    with app.app_context():
        assert rows_of("new-course") == {}
        assert db.session.scalar(sa.select(sa.func.count(Module.id))) == 3
        assert title_of("future-course") == "Future, renamed"


def test_an_unchanged_broken_course_is_not_archived(app, content_dir):
    (content_dir / COURSE / "course.md").write_text("not front matter\n")
    with app.app_context():
        report = sync_content(content_dir)
        db.session.commit()
        assert [h.course for h in report.held_back] == [COURSE]
        course = db.session.scalar(sa.select(Course).where(Course.slug == "sample-course"))
        assert course.archived_at is None
        assert not any("sample-course" in change for change in report.changes)


def test_references_to_a_held_back_course_use_its_live_version(app, content_dir, learner_client):
    """sample-course's prerequisite and link point into future-course, which is broken but live."""
    edit(content_dir, f"{FUTURE}/course.md", "level: intermediate", "level: x")
    edit(content_dir, f"{COURSE}/course.md", "title: Sample course", "title: Renamed course")
    with app.app_context():
        report = sync_content(content_dir)
        db.session.commit()
        assert [(h.course, h.live) for h in report.held_back] == [(FUTURE, True)]
        assert title_of("sample-course") == "Renamed course"
    page = learner_client.get("/courses/sample-course/").get_data(as_text=True)
    assert 'href="/courses/future-course/"' in page
    page = learner_client.get("/courses/sample-course/second-steps").get_data(as_text=True)
    assert 'href="../future-course/looking-ahead"' in page
    assert learner_client.get("/courses/future-course/looking-ahead").status_code == 200


def test_a_link_to_a_module_the_live_version_lacks_holds_back_the_linking_course(app, content_dir):
    edit(content_dir, f"{FUTURE}/course.md", "level: intermediate", "level: x")
    (content_dir / FUTURE / "02-later.md").write_text(
        "---\ntitle: Later\nduration_minutes: 5\nobjectives:\n  - Wait.\n---\n\nLater.\n"
    )
    edit(
        content_dir,
        f"{COURSE}/02-second-steps.md",
        "(../../trends/future-course/01-looking-ahead.md)",
        "(../../trends/future-course/02-later.md)",
    )
    with app.app_context():
        before = rows_of("sample-course")
        report = sync_content(content_dir)
        db.session.commit()
        held = {h.course: h for h in report.held_back}
        assert set(held) == {COURSE, FUTURE}
        [problem] = held[COURSE].problems
        assert problem.path == f"{COURSE}/02-second-steps.md"
        assert "link to module 'later' of trends/future-course" in problem.message
        assert problem in report.tree.problems
        assert rows_of("sample-course") == before


def test_a_reference_to_a_never_published_held_back_course_is_a_problem_of_the_referrer(
    app, content_dir, runner
):
    add_course(content_dir, "trends/new-course", "duration_minutes: soon")
    edit(content_dir, f"{COURSE}/course.md", "  - Curiosity.", "  - trends/new-course")
    edit(content_dir, f"{COURSE}/course.md", "title: Sample course", "title: Renamed course")
    result = runner.invoke(main, ["content", "sync", str(content_dir)])
    assert result.exit_code == 1
    assert (
        f"{COURSE}/course.md:11: prerequisite course 'trends/new-course' is held back by its "
        "own problems and is not on the site yet; fix that course first" in result.output
    )
    assert "Held back: technology/sample-course (1 problem, listed above)" in result.output
    assert "Held back: trends/new-course (1 problem, listed above)" in result.output
    with app.app_context():
        assert title_of("sample-course") == "Sample course"
        assert title_of("new-course") is None


def test_a_translation_linking_to_a_never_published_course_is_skipped_not_its_course(
    app, content_dir
):
    add_course(content_dir, "trends/new-course", "duration_minutes: soon")
    translation = f"{COURSE}/01-first-steps.it.md"
    edit(content_dir, translation, "I consigli", "[Nuovo](../../trends/new-course/01-start.md). I")
    edit(content_dir, f"{COURSE}/course.md", "title: Sample course", "title: Renamed course")
    with app.app_context():
        report = sync_content(content_dir)
        db.session.commit()
        assert [h.course for h in report.held_back] == ["trends/new-course"]
        assert report.skipped == [translation]
        assert any(
            p.path == translation and "link into trends/new-course" in p.message
            for p in report.tree.problems
        )
        assert title_of("sample-course") == "Renamed course"


def test_two_folders_with_one_slug_are_both_held_back_and_the_course_stays(app, content_dir):
    """The new folder sorts first (mindset before technology) yet does not take the course."""
    import shutil

    shutil.copytree(content_dir / COURSE, content_dir / "mindset" / "sample-course")
    edit(content_dir, "mindset/sample-course/course.md", "title: Sample course", "title: Copy")
    with app.app_context():
        report = sync_content(content_dir)
        db.session.commit()
        assert [(h.course, h.live) for h in report.held_back] == [
            ("mindset/sample-course", False),
            (COURSE, True),
        ]
        course = db.session.scalar(sa.select(Course).where(Course.slug == "sample-course"))
        assert (course.area, course.title) == ("technology", "Sample course")


def test_a_course_failing_halfway_is_rolled_back_alone(app, content_dir, monkeypatch, caplog):
    """An exception while one course publishes undoes that course only: its updated row, its
    updated module and its new module (already written: 02 comes before 03); the other course
    publishes."""
    real_render = render.Renderer.render

    def render_or_explode(self, text, *args, **kwargs):
        if "EXPLODE" in text:
            raise RuntimeError("renderer bug")
        return real_render(self, text, *args, **kwargs)

    monkeypatch.setattr(render.Renderer, "render", render_or_explode)
    edit(content_dir, f"{FUTURE}/course.md", "title: Future course", "title: Future, renamed")
    edit(content_dir, f"{FUTURE}/01-looking-ahead.md", "Text about trends.", "New text.")
    module = "---\ntitle: {}\nduration_minutes: 5\nobjectives:\n  - Wait.\n---\n\n{}\n"
    (content_dir / FUTURE / "02-later.md").write_text(module.format("Later", "Text."))
    (content_dir / FUTURE / "03-boom.md").write_text(module.format("Boom", "EXPLODE"))
    edit(content_dir, f"{COURSE}/course.md", "title: Sample course", "title: Renamed course")
    with app.app_context():
        before = rows_of("future-course")
        report = sync_content(content_dir)
        db.session.commit()
        assert report.applied
        [held] = report.held_back
        assert (held.course, held.live) == (FUTURE, True)
        assert "publishing this course failed unexpectedly (RuntimeError" in str(held.problems[0])
        assert not any("future-course" in change for change in report.changes)
        assert report.changes and all("sample-course" in c for c in report.changes)
        assert rows_of("future-course") == before
        assert db.session.scalar(sa.select(Module).where(Module.slug == "later")) is None
        assert title_of("sample-course") == "Renamed course"
    assert "publishing course trends/future-course failed" in caplog.text


@pytest.fixture
def preview_app(app):
    app.config["LMS_CONTENT_AUTOSYNC"] = True
    from lms.publishing.autosync import init_autosync

    init_autosync(app)
    return app


def test_the_preview_publishes_the_good_courses_and_lists_the_held_back_one(
    preview_app, content_dir, make_user
):
    _, email = make_user("admin")
    admin = preview_app.test_client()
    login(admin, email)
    time.sleep(0.01)
    edit(content_dir, f"{COURSE}/course.md", "title: Sample course", "title: Renamed course")
    edit(content_dir, f"{COURSE}/course.md", "level: beginner", "level: expert")
    edit(content_dir, f"{FUTURE}/course.md", "title: Future course", "title: Future, renamed")

    html = admin.get("/").get_data(as_text=True)
    assert "Future, renamed" in html and "Sample course" in html
    assert "<code>technology/sample-course</code> (last good version still live)" in html
    page = admin.get("/admin/content").get_data(as_text=True)
    assert "Held back: technology/sample-course" in page
    assert "Its last good version is still live" in page
    assert f"{COURSE}/course.md:4" in page


def test_the_preview_says_when_a_problem_outside_every_course_blocks_all(
    preview_app, content_dir, make_user
):
    _, email = make_user("admin")
    admin = preview_app.test_client()
    login(admin, email)
    time.sleep(0.01)
    (content_dir / "stray").mkdir()
    edit(content_dir, f"{FUTURE}/course.md", "title: Future course", "title: Future, renamed")
    html = admin.get("/").get_data(as_text=True)
    assert "Future course" in html and "Future, renamed" not in html
    assert "Nothing was published: a problem outside every course folder" in html
    page = admin.get("/admin/content").get_data(as_text=True)
    assert "Nothing was published" in page and "stray:1" in page
