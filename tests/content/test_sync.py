"""``lms content sync``: one transaction, idempotent, slug-keyed, never loses progress.

Course by course publishing (a broken course held back): tests/content/test_hold_back.py.
"""

import sqlalchemy as sa

from lms.cli import main
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress.models import Completion
from lms.publishing.sync import sync_content
from lms.quizzes.models import Quiz
from tests.conftest import complete_with_quiz, post_form
from tests.content.test_checker import COURSE, edit


def snapshot():
    """Every row of the content tables, to compare before and after."""
    rows = {}
    for model in (Course, Module, Quiz):
        rows[model.__tablename__] = [
            tuple(getattr(obj, c.key) for c in model.__table__.columns)
            for obj in db.session.scalars(sa.select(model).order_by(model.id))
        ]
    return rows


def test_second_sync_of_unchanged_content_changes_nothing_and_says_so(app, content_dir, runner):
    with app.app_context():
        before = snapshot()
    result = runner.invoke(main, ["content", "sync", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "Nothing to change" in result.output
    with app.app_context():
        assert snapshot() == before


def test_sync_reports_what_changed(app, content_dir, runner):
    edit(content_dir, f"{COURSE}/02-second-steps.md", "title: Second steps", "title: Step two")
    result = runner.invoke(main, ["content", "sync", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "updated: module sample-course/second-steps" in result.output
    assert "Published: 1 updated" in result.output


def test_a_problem_outside_every_course_leaves_the_database_exactly_as_it_was(
    app, content_dir, runner
):
    with app.app_context():
        before = snapshot()
    edit(content_dir, f"{COURSE}/02-second-steps.md", "title: Second steps", "title: Renamed")
    (content_dir / "stray").mkdir()
    result = runner.invoke(main, ["content", "sync", str(content_dir)])
    assert result.exit_code == 1
    assert "stray:1: 'stray' is not a training area" in result.output
    assert (
        "1 problem outside every course folder (listed above) holds back every course: "
        "nothing was published; the database is unchanged." in result.output
    )
    with app.app_context():
        assert snapshot() == before


def _complete(client, module_slug):
    return post_form(
        client,
        f"/courses/sample-course/{module_slug}/complete",
        token_from=f"/courses/sample-course/{module_slug}",
    )


def test_progress_survives_renaming_and_reordering_modules(app, content_dir, learner_client):
    complete_with_quiz(learner_client)
    course = content_dir / COURSE
    edit(content_dir, f"{COURSE}/01-first-steps.md", "title: First steps", "title: Getting going")
    (course / "01-first-steps.md").rename(course / "05-first-steps.md")
    (course / "01-first-steps.quiz.yml").rename(course / "05-first-steps.quiz.yml")
    edit(content_dir, f"{COURSE}/course.md", "01-first-steps.md", "05-first-steps.md")
    edit(content_dir, f"{COURSE}/02-second-steps.md", "(01-first-steps.md)", "(05-first-steps.md)")
    with app.app_context():
        report = sync_content(content_dir)
        assert report.applied, [str(p) for p in report.tree.problems]
        db.session.commit()
        module = db.session.scalar(sa.select(Module).where(Module.slug == "first-steps"))
        assert module.title == "Getting going" and module.position == 5
        assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1
    page = learner_client.get("/courses/sample-course/").get_data(as_text=True)
    assert page.index("Second steps") < page.index("Getting going")
    assert "50% complete" in page


def test_removed_module_is_archived_and_progress_kept(app, content_dir, learner_client):
    _complete(learner_client, "second-steps")
    edit(content_dir, f"{COURSE}/01-first-steps.md", "(02-second-steps.md#details)", "(#x)")
    original = (content_dir / COURSE / "02-second-steps.md").read_text()
    (content_dir / COURSE / "02-second-steps.md").unlink()
    with app.app_context():
        report = sync_content(content_dir)
        assert report.applied, [str(p) for p in report.tree.problems]
        assert "archived: module sample-course/second-steps" in report.changes
        db.session.commit()
        module = db.session.scalar(sa.select(Module).where(Module.slug == "second-steps"))
        assert module.archived_at is not None
        assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1
    assert learner_client.get("/courses/sample-course/second-steps").status_code == 404
    # Put it back: the learner's completion is still there.
    (content_dir / COURSE / "02-second-steps.md").write_text(original)
    with app.app_context():
        report = sync_content(content_dir)
        assert "restored: module sample-course/second-steps" in report.changes
        db.session.commit()
    page = learner_client.get("/courses/sample-course/").get_data(as_text=True)
    assert "50% complete" in page


def test_removed_course_is_archived_not_deleted(app, content_dir):
    import shutil

    edit(content_dir, f"{COURSE}/course.md", "  - trends/future-course\n", "")
    edit(
        content_dir,
        f"{COURSE}/02-second-steps.md",
        "[another course](../../trends/future-course/01-looking-ahead.md)",
        "another course",
    )
    shutil.rmtree(content_dir / "trends" / "future-course")
    with app.app_context():
        report = sync_content(content_dir)
        assert report.applied, [str(p) for p in report.tree.problems]
        db.session.commit()
        course = db.session.scalar(sa.select(Course).where(Course.slug == "future-course"))
        assert course is not None and course.archived_at is not None


def test_links_and_assets_are_rewritten_to_urls(app, learner_client):
    html = learner_client.get("/courses/sample-course/first-steps").get_data(as_text=True)
    assert 'href="second-steps#details"' in html
    assert 'src="assets/images/diagram.svg"' in html
    html = learner_client.get("/courses/sample-course/second-steps").get_data(as_text=True)
    assert 'href="../future-course/looking-ahead"' in html
    with learner_client.get("/courses/sample-course/assets/images/diagram.svg") as response:
        assert response.status_code == 200
        assert "sandbox" in response.headers["Content-Security-Policy"]
