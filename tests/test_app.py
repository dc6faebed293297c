"""Configuration, migrations, error pages and the development content preview."""

import time

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms import ConfigError, create_app
from lms.extensions import db
from tests.conftest import login
from tests.content.test_checker import COURSE, edit


def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("LMS_BASE_URL", "https://academy.example.org")
    for weak in ("", "dev", "short-key"):
        monkeypatch.setenv("LMS_SECRET_KEY", weak)
        with pytest.raises(ConfigError, match="LMS_SECRET_KEY must be set"):
            create_app()
    monkeypatch.setenv("LMS_SECRET_KEY", "x" * 48)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_configuration_comes_from_lms_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_ENV", "development")
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite3'}")
    monkeypatch.setenv("LMS_CONTENT_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.sqlite3")
    assert app.config["LMS_CONTENT_DIR"] == str(tmp_path / "elsewhere")
    assert app.config["LMS_CONTENT_AUTOSYNC"] is True
    # Development invents a key once and keeps it, so sign-ins survive restarts.
    assert len(app.config["SECRET_KEY"]) >= 32
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_default_database_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_ENV", "development")
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.sqlite3'}"


def test_migrations_match_the_models(tmp_path, monkeypatch):
    """Fails when a model changed without a migration (run `make migration m=...`)."""
    from flask_migrate import downgrade, upgrade

    from tests.conftest import SERVER_URL, throwaway_database

    if SERVER_URL:
        url, drop = throwaway_database(SERVER_URL)
    else:
        url, drop = f"sqlite:///{tmp_path / 'm.sqlite3'}", (lambda: None)
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    try:
        app = create_app(
            {"LMS_ENV": "testing", "SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": url}
        )
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                diff = compare_metadata(context, db.metadata)
            downgrade(revision="base")  # every migration can be undone ...
            upgrade()  # ... and applied again
            db.engine.dispose()
    finally:
        drop()
    assert diff == []


def test_sqlite_runs_with_foreign_keys_and_wal(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


def test_error_pages_are_friendly_html_and_json_for_the_api(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "Go to the course catalogue" in page.get_data(as_text=True)
    api = client.get("/api/v1/none")
    assert api.status_code == 404 and api.is_json


def test_quiz_and_markdown_files_are_never_served_as_assets(client):
    for name in ("01-first-steps.quiz.yml", "01-first-steps.md", "course.md", "../../../setup.cfg"):
        assert client.get(f"/courses/sample-course/assets/{name}").status_code == 404


@pytest.fixture
def preview_app(app):
    app.config["LMS_CONTENT_AUTOSYNC"] = True
    from lms.publishing.autosync import init_autosync

    app.before_request_funcs.setdefault(None, [])
    init_autosync(app)
    return app


def test_preview_shows_a_saved_change_on_the_next_page_load(preview_app, content_dir):
    client = preview_app.test_client()
    client.get("/")
    time.sleep(0.01)
    edit(content_dir, f"{COURSE}/course.md", "title: Sample course", "title: Freshly renamed")
    assert "Freshly renamed" in client.get("/").get_data(as_text=True)


def test_preview_shows_problems_to_admins_instead_of_an_error(preview_app, content_dir, make_user):
    """Issue 13, item 12: the banner is for authors (admins), with a page of its own."""
    _, admin_email = make_user("admin")
    _, learner_email = make_user("learner")
    edit(content_dir, f"{COURSE}/course.md", "level: beginner", "level: expert")
    anonymous = preview_app.test_client()
    response = anonymous.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Sample course" in html
    assert "Content problems" not in html
    learner = preview_app.test_client()
    login(learner, learner_email)
    assert "Content problems" not in learner.get("/").get_data(as_text=True)
    assert learner.get("/admin/content").status_code == 403
    admin = preview_app.test_client()
    login(admin, admin_email)
    html = admin.get("/").get_data(as_text=True)
    assert "Content problems" in html and f"{COURSE}/course.md:4" in html
    assert 'href="/admin/content"' in html
    page = admin.get("/admin/content").get_data(as_text=True)
    assert f"{COURSE}/course.md:4" in page and "content-problems-title" not in page
