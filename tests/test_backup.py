"""`lms db backup` and `lms db restore`: every table comes back as it was (SQLite, and
PostgreSQL in `make test-postgres`)."""

import sqlite3

import pytest
import sqlalchemy as sa

from lms import backup as backups
from lms.cli import main
from lms.extensions import db
from tests.privacy.everything import fill_every_table, table_rows


@pytest.fixture
def filled(app, client, make_user, make_cohort):
    """Every table holds rows: the privacy tests' data plus the demo accounts and cohort."""
    from lms.demo import create_demo_cohort, create_demo_data

    ids = fill_every_table(app, client, make_user, make_cohort)
    with app.app_context():
        create_demo_data()
        create_demo_cohort(size=5)
        _fill_notifications(ids.other_id)
        _messages_to_the_demo_cohort()
        db.session.commit()
        db.session.remove()
    return ids


def _fill_notifications(user_id: int) -> None:
    """A platform entry, an email in the outbox and choices (issue 16), for Boris."""
    from lms.notifications.models import (
        Notification,
        NotificationPreference,
        NotificationSettings,
        OutboxMessage,
    )

    db.session.add(Notification(user_id=user_id, kind="test", key="k", title="Hello"))
    db.session.add(
        OutboxMessage(
            dedupe_key=f"test:{user_id}:k",
            kind="test",
            user_id=user_id,
            to_email="boris@example.org",
            subject="Hello",
            text_body="Hello\n",
            headers={"List-Unsubscribe": "<http://localhost/x>"},
        )
    )
    db.session.add(NotificationPreference(user_id=user_id, kind="test", channel="platform"))
    db.session.add(NotificationSettings(user_id=user_id, daily_digest=True))


def _messages_to_the_demo_cohort():
    """An announcement and a nudge (issue 16)."""
    from lms.accounts.services import find_user_by_email
    from lms.cohorts.models import Cohort
    from lms.cohorts.reports import cohort_report, load_cells
    from lms.notifications.nudges import announce, send_nudges

    facilitator = find_user_by_email("facilitator@example.org")
    learner = find_user_by_email("learner@example.org")
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name.like("%(demo)%")))
    announce(cohort, facilitator, "Welcome", "Our first session is next week.")
    report = cohort_report(cohort, user_ids=[learner.id])
    load_cells(report, report.rows)
    send_nudges(report, report.rows, None, facilitator, "miss_you", "", "", "backup-test")


def vandalise(app):
    """Change, delete and add rows across many tables."""
    from lms.accounts.services import create_user
    from lms.cohorts.models import Attendance, Cohort, FeedToken, Rsvp
    from lms.progress.models import Completion
    from lms.quizzes.models import AttemptAnswer

    with app.app_context():
        db.session.execute(sa.text("UPDATE users SET name = 'Overwritten'"))
        for model in (Rsvp, Attendance, FeedToken, Completion, AttemptAnswer):
            db.session.execute(sa.delete(model))
        db.session.execute(sa.update(Cohort).values(name="Renamed"))
        create_user("intruder@example.org", "Intruder", "a long password here")
        db.session.commit()
        db.session.remove()


def test_every_table_comes_back_after_a_restore(app, runner, filled, tmp_path):
    before = table_rows(app)
    empty = [name for name, rows in before.items() if not rows]
    assert empty == [], f"fill these tables in the test: {empty}"
    target = tmp_path / "backups" / "nightly.backup"
    result = runner.invoke(main, ["db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output and target.is_file()
    assert list(target.parent.iterdir()) == [target]  # no temporary file left behind

    vandalise(app)
    assert table_rows(app) != before
    result = runner.invoke(main, ["db", "restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert table_rows(app) == before
    # The app works on the restored database: Alma signs in again.
    from tests.conftest import login

    login(app.test_client(), filled.learner_email)


def test_restore_asks_first_and_changes_nothing_when_told_no(app, runner, filled, tmp_path):
    target = tmp_path / "before.backup"
    assert runner.invoke(main, ["db", "backup", str(target)]).exit_code == 0
    vandalise(app)
    changed = table_rows(app)
    result = runner.invoke(main, ["db", "restore", str(target)], input="n\n")
    assert result.exit_code == 1
    assert "This replaces everything in" in result.output
    assert table_rows(app) == changed
    result = runner.invoke(main, ["db", "restore", str(target)], input="y\n")
    assert result.exit_code == 0, result.output
    assert table_rows(app) != changed


def test_restore_refuses_a_file_that_is_not_a_backup(app, runner, tmp_path, make_user):
    make_user()
    with app.app_context():
        dialect = db.engine.dialect.name
    real = tmp_path / "real.backup"
    assert runner.invoke(main, ["db", "backup", str(real)]).exit_code == 0
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(real.read_bytes()[: real.stat().st_size // 2])
    garbage = tmp_path / "notes.txt"
    garbage.write_text("shopping list: milk, eggs\n")
    foreign = tmp_path / "other.backup"
    if dialect == "sqlite":
        connection = sqlite3.connect(foreign)
        connection.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
        connection.commit()
        connection.close()
    else:
        foreign.write_bytes(b"PGDMP" + b"\x01" * 200)
    before = table_rows(app)
    for path in (garbage, foreign, truncated, tmp_path / "missing.backup"):
        result = runner.invoke(main, ["db", "restore", "--yes", str(path)])
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Nothing was restored: "), result.output
        assert table_rows(app) == before
    assert "There is no file" in result.output


def test_a_sqlite_backup_is_consistent_while_a_writer_is_busy(app, runner, tmp_path, make_user):
    """The online backup holds what was committed, never a half-written transaction."""
    make_user(email="committed@example.org")
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's online backup")
        path = db.engine.url.database
        db.session.remove()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO users (email, name, password_hash, role, locale, active, created_at) "
        "VALUES ('half@example.org', 'Half', 'x', 'learner', 'en', 1, '2026-01-01 00:00:00')"
    )
    try:
        target = tmp_path / "busy.backup"
        result = runner.invoke(main, ["db", "backup", str(target)])
        assert result.exit_code == 0, result.output
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    copy = sqlite3.connect(target)
    emails = {row[0] for row in copy.execute("SELECT email FROM users")}
    mode = copy.execute("PRAGMA journal_mode").fetchone()[0]
    copy.close()
    assert "committed@example.org" in emails and "half@example.org" not in emails
    assert mode == "delete"  # one self-contained file


def test_passwords_in_the_database_url_are_never_printed(app, runner, tmp_path):
    url = "postgresql+psycopg://academy:s3cret-pass@db.internal:5432/academy"
    assert "s3cret-pass" not in backups.display_url(url)
    conninfo, env = backups._pg_connection(url)
    assert "s3cret-pass" not in conninfo and env["PGPASSWORD"] == "s3cret-pass"
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        real = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    # The test server trusts local connections, so a made-up password is accepted.
    app.config["SQLALCHEMY_DATABASE_URI"] = real.set(password="s3cret-pass").render_as_string(
        hide_password=False
    )
    result = runner.invoke(main, ["db", "backup", str(tmp_path / "pg.backup")])
    assert result.exit_code == 0, result.output
    assert "s3cret-pass" not in result.output and "***" in result.output


def test_a_missing_postgresql_tool_is_named_with_what_to_install():
    with pytest.raises(backups.BackupError, match="pg_nonexistent was not found.*LMS_PG_BIN"):
        backups.find_pg_tool("pg_nonexistent")


def test_a_backup_of_the_other_kind_of_database_is_refused(app, tmp_path):
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"PGDMP" + b"\0" * 100)
    with pytest.raises(backups.BackupError, match="PostgreSQL backup, but the configured"):
        backups.check_backup("sqlite:///somewhere.sqlite3", dump)
    lite = tmp_path / "x.sqlite3"
    sqlite3.connect(lite).execute("CREATE TABLE users (id INTEGER)").connection.close()
    with pytest.raises(backups.BackupError, match="SQLite backup, but the configured"):
        backups.check_backup("postgresql+psycopg://u@h/d", lite)
