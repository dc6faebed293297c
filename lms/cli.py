"""The ``lms`` command: Flask's CLI for this app (``lms run``, ``lms db upgrade``,
``lms shell``) plus our own groups ``content``, ``users`` and ``demo``."""

import json
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from lms.extensions import db


def _create_app():
    from lms import ConfigError, create_app

    try:
        return create_app()
    except ConfigError as exc:
        click.secho(f"Cannot start: {exc}", fg="red", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app)
def main():
    """COCO4CCI Academy: manage content, users and the database, or run the server."""


def _default_content_dir() -> str:
    return os.environ.get("LMS_CONTENT_DIR") or "content"


def _display_path(root: Path, relative: str) -> str:
    from lms.content.problems import display_path

    return display_path(root, relative)


def _counted(count: int, word: str, plural: str | None = None) -> str:
    """``1 area``, ``2 areas``, ``no quiz``."""
    if count == 0:
        return f"no {word}"
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _print_problems(tree) -> None:
    for problem in tree.problems:
        line = f"{_display_path(tree.root, problem.path)}:{problem.line}: "
        if problem.severity == "warning":
            click.echo(line + click.style("warning: ", fg="yellow") + problem.message, err=True)
        else:
            click.echo(line + problem.message, err=True)


def _summary_text(summary: dict) -> str:
    types = ", ".join(f"{k} {v}" for k, v in summary["questions_by_type"].items() if v)
    text = ", ".join(
        (
            _counted(summary["areas"], "area"),
            _counted(summary["courses"], "course"),
            _counted(summary["modules"], "module"),
            _counted(summary["quizzes"], "quiz", "quizzes"),
            _counted(summary["questions"], "question"),
        )
    )
    text = f"{text} ({types})" if types else text
    translations = _translations_text(summary.get("translations") or {})
    return f"{text}; translations: {translations}" if translations else text


def _translations_text(counts: dict) -> str:
    """``it 5 files (1 out of date), de 5 files``."""
    parts = []
    for language, count in counts.items():
        notes = [f"{count[k]} {k}" for k in ("out of date", "with errors") if count.get(k)]
        files = f"{count['files']} file" + ("" if count["files"] == 1 else "s")
        parts.append(f"{language} {files}" + (f" ({', '.join(notes)})" if notes else ""))
    return ", ".join(parts)


@main.group()
def content():
    """Check and publish the markdown content."""


@content.command("check", with_appcontext=False)
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (out-of-date translations).")
def content_check(directory, as_json, strict):
    """Check DIRECTORY (the content root, an area or a course folder; default: content/).

    Prints every problem as path:line: message and exits 1 when there is an error (with
    --strict, also when there is a warning, such as an out-of-date translation).
    """
    from lms.content.loader import load_content

    tree = load_content(directory or _default_content_dir())
    summary = tree.summary()
    failed = bool(tree.errors or (strict and tree.warnings))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": not failed,
                    "root": str(tree.root),
                    "summary": summary,
                    "questions_by_type": summary["questions_by_type"],
                    "problems": [
                        {**p.as_dict(), "file": _display_path(tree.root, p.path)}
                        for p in tree.problems
                    ],
                },
                indent=2,
            )
        )
    else:
        _print_problems(tree)
        if tree.errors:
            click.secho(
                f"{_counted(len(tree.errors), 'error')} (listed above): fix, then check "
                f"again. Loaded without errors: {_summary_text(summary)}.",
                fg="red",
                err=True,
            )
        elif failed:
            click.secho(
                f"{_counted(len(tree.warnings), 'warning')}, which --strict counts as failures "
                f"({_summary_text(summary)}).",
                fg="red",
                err=True,
            )
        else:
            click.secho(f"OK: {_summary_text(summary)}.", fg="green")
    sys.exit(1 if failed else 0)


@content.command("translation-hash", with_appcontext=False)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True))
def translation_hash(files):
    """Print the hash of an original FILE to paste as 'translation_of:' in its translations."""
    from lms.content.translations import HASH_LENGTH, file_hash

    for name in files:
        digest = file_hash(Path(name).read_bytes())[:HASH_LENGTH]
        click.echo(digest if len(files) == 1 else f"{digest}  {name}")


@content.command("sync")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@with_appcontext
def content_sync(directory):
    """Check DIRECTORY, then publish it to the database course by course.

    A course with errors is held back: learners keep its last good version (or do not see
    it yet) while every other course publishes; exits 1 when any course was held back. An
    error outside every course folder publishes nothing. Modules removed from git are
    archived and every learner's progress is kept.
    """
    from lms.content.sync import sync_content

    directory = directory or current_app.config["LMS_CONTENT_DIR"]
    click.echo(f"Checking and publishing {directory} ...")

    def progress(done, total):
        click.echo(f"  {done}/{total} courses", err=True)

    try:
        report = sync_content(directory, progress=progress)
        if not report.applied:
            db.session.rollback()
            _print_problems(report.tree)
            count = len(report.tree.global_errors)
            click.secho(
                f"{_counted(count, 'problem')} outside every course folder (listed above) "
                f"{'holds' if count == 1 else 'hold'} back every course: nothing was "
                "published; the database is unchanged.",
                fg="red",
                err=True,
            )
            sys.exit(1)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _print_problems(report.tree)
    for path in report.skipped:
        click.secho(
            f"Skipped {path}: it has errors (above); learners see the last good version "
            "of this translation, or the original.",
            fg="yellow",
            err=True,
        )
    if report.changed:
        for change in report.changes:
            click.echo(f"  {change}")
        counts = ", ".join(f"{v} {k}" for k, v in report.counts.items() if v)
        click.secho(f"Published: {counts}.", fg="green")
    elif report.held_back:
        click.echo("Nothing else to change: every other course is already published as it is.")
    else:
        click.secho(
            f"Nothing to change: the database already matches {directory} "
            f"({_summary_text(report.tree.summary())}).",
            fg="green",
        )
    for held in report.held_back:
        outcome = "learners keep its last good version" if held.live else "not on the site yet"
        click.secho(
            f"Held back: {held.course} ({_counted(len(held.problems), 'problem')}, "
            f"listed above): {outcome}.",
            fg="red",
            err=True,
        )
    if report.held_back:
        sys.exit(1)


def _register_quiz_commands():
    from lms.content.gift.cli import quiz  # noqa: PLC0415

    main.add_command(quiz)


_register_quiz_commands()


def _progress_printer(label: str):
    """A progress line for page copies: rewritten in place on a terminal, printed once
    at the end otherwise."""
    interactive = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        if interactive:
            click.echo(f"\r  {label}: {done}/{total} pages", nl=False, err=True)
            if done >= total:
                click.echo(err=True)
        elif done >= total:
            click.echo(f"  {label}: {done}/{total} pages", err=True)

    return show


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def db_backup(path):
    """Back up the whole database to PATH (safe while the app runs).

    SQLite: an online copy, written to a temporary file and renamed into place.
    PostgreSQL: pg_dump --format=custom.
    """
    from lms.backup import BackupError, backup, display_url

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    click.echo(f"Backing up {display_url(url)} to {path} ...")
    try:
        backup(url, path, progress=_progress_printer("copied"))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    size = path.stat().st_size
    click.secho(f"Backup written: {path} ({size / 1024 / 1024:.1f} MB).", fg="green")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def db_restore(path, yes):
    """Replace everything in the database with the backup at PATH.

    The file is checked first: anything that is not a backup of this app is refused and
    nothing changes. Asks for confirmation unless --yes is given.
    """
    from lms.backup import BackupError, check_backup, display_url, restore

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        facts = check_backup(url, path)
    except BackupError as exc:
        click.secho(f"Nothing was restored: {exc}", fg="red", err=True)
        sys.exit(1)
    if "users" in facts:
        click.echo(f"{path}: a backup with {facts['tables']} tables and {facts['users']} accounts.")
    if not yes:
        click.confirm(
            f"This replaces everything in {display_url(url)} with the backup. Continue?",
            abort=True,
        )
    db.session.remove()
    db.engine.dispose()  # no pooled connection holds a lock or a stale copy
    try:
        restore(url, path, progress=_progress_printer("restored"))
    except BackupError as exc:
        click.secho(f"Restore failed: {exc}", fg="red", err=True)
        sys.exit(1)
    db.engine.dispose()
    click.secho(
        f"Restored {display_url(url)} from {path}. Run `lms db upgrade` if the backup is "
        "older than this version of the app.",
        fg="green",
    )


def _register_db_commands():
    """``lms db backup`` and ``lms db restore`` beside Flask-Migrate's ``lms db upgrade``."""
    from flask_migrate.cli import db as db_group  # noqa: PLC0415

    db_group.add_command(db_backup)
    db_group.add_command(db_restore)


_register_db_commands()


@main.command("serve", context_settings={"ignore_unknown_options": True})
@click.option("--bind", help="Address to listen on (default 127.0.0.1:8000, or LMS_BIND).")
@click.option("--workers", type=int, help="Worker processes (default: 2 per core + 1).")
@click.argument("gunicorn_args", nargs=-1, type=click.UNPROCESSED)
def serve(bind, workers, gunicorn_args):
    """Serve the app with gunicorn (production); extra arguments go to gunicorn."""
    config = Path(__file__).with_name("gunicorn_conf.py")
    args = [sys.executable, "-m", "gunicorn", "-c", str(config)]
    if bind:
        args += ["--bind", bind]
    if workers:
        args += ["--workers", str(workers)]
    os.execv(sys.executable, [*args, *gunicorn_args])  # noqa: S606 - our own argv, no shell  # nosec B606


@main.group()
def users():
    """Manage user accounts."""


@users.command("create")
@click.option("--email", prompt=True, help="Sign-in email address.")
@click.option("--name", prompt=True, help="Name shown to others.")
@click.option(
    "--role",
    type=click.Choice(["learner", "facilitator", "admin"]),
    default="learner",
    show_default=True,
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 10 characters; prompted for when not given.",
)
@with_appcontext
def users_create(email, name, role, password):
    """Create an account (for operators)."""
    from lms.accounts.services import AccountError, create_user
    from lms.audit.services import record_event

    try:
        user = create_user(email, name, password, role=role)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    record_event("user.created", None, f"user:{user.id}", via="cli", role=user.role)
    db.session.commit()
    click.secho(f"Created {user.role} {user.email}.", fg="green")


def _user_or_fail(email: str):
    from lms.accounts.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account uses {email.strip().lower()}")
    return user


def _change_account(change, user, *args) -> bool:
    """Run an account service, commit, and turn a refusal into a clear error."""
    from lms.accounts.services import AccountError

    try:
        changed = change(user, *args, None)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    return changed


@users.command("disable")
@click.argument("email")
@with_appcontext
def users_disable(email):
    """Disable the account: it cannot sign in and every session of it ends."""
    from lms.accounts.services import set_active

    user = _user_or_fail(email)
    if _change_account(set_active, user, False):
        click.secho(f"Disabled {user.email}; its sessions have ended.", fg="green")
    else:
        click.echo(f"{user.email} was already disabled.")


@users.command("enable")
@click.argument("email")
@with_appcontext
def users_enable(email):
    """Let a disabled account sign in again."""
    from lms.accounts.services import set_active

    user = _user_or_fail(email)
    if _change_account(set_active, user, True):
        click.secho(f"Enabled {user.email}.", fg="green")
    else:
        click.echo(f"{user.email} was already enabled.")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["learner", "facilitator", "admin"]))
@with_appcontext
def users_set_role(email, role):
    """Give the account ROLE (its sessions end; it signs in again with the new role)."""
    from lms.accounts.services import set_role

    user = _user_or_fail(email)
    if _change_account(set_role, user, role):
        click.secho(f"{user.email} is now {role}; its sessions have ended.", fg="green")
    else:
        click.echo(f"{user.email} already is {role}.")


@main.group()
def demo():
    """Demo data for trying the platform (never in production)."""


@demo.command("create")
@with_appcontext
def demo_create():
    """Create the documented demo accounts and a demo cohort (refused in production)."""
    from lms.demo import DEMO_PASSWORD, create_demo_cohort, create_demo_data

    if current_app.config["LMS_ENV"] == "production":
        raise click.ClickException("demo data is never created in production (LMS_ENV=production).")
    created = create_demo_data()
    for email, role, new in created:
        state = "created" if new else "already there"
        click.echo(f"  {role:<12} {email:<28} {state}")
    click.echo("Creating the demo cohort (about 20 learners with varied progress) ...")
    cohort = create_demo_cohort()
    db.session.commit()
    if cohort:
        click.echo(f"  cohort       {cohort}, run by facilitator@example.org")
    else:
        click.echo("  cohort       already there")
    click.secho(f"Demo accounts ready; password for all: {DEMO_PASSWORD}", fg="green")


if __name__ == "__main__":
    main()


@main.group()
def translations():
    """The UI's translation catalogues (``make translations`` extracts and compiles them)."""


@translations.command("status", with_appcontext=False)
@click.option("--verbose", "-v", is_flag=True, help="List every message still to translate.")
@click.option(
    "--directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A translations folder to check instead of the app's (a translator's copy).",
)
def translations_status(verbose, directory):
    """How many messages each language still lacks, is unsure of (fuzzy) or gets wrong."""
    from lms.i18n.catalogues import TRANSLATIONS_DIR, catalogue_reports
    from lms.languages import UI_LANGUAGES

    for report in catalogue_reports(directory or TRANSLATIONS_DIR):
        share = 100 * report.translated // report.total if report.total else 0
        line = (
            f"{report.language}: {report.translated} of {report.total} translated ({share} %), "
            f"{len(report.untranslated)} untranslated, {len(report.fuzzy)} fuzzy, "
            f"{len(report.placeholder_mismatches)} with wrong placeholders "
            f"({report.plural_forms} plural forms)"
            + (", offered" if report.language in UI_LANGUAGES else "")
        )
        click.echo(click.style(line, fg="green") if report.complete else line)
        if verbose:
            for msgid in report.untranslated:
                click.echo(f"  untranslated: {msgid}")
            for msgid in report.fuzzy:
                click.echo(f"  fuzzy: {msgid}")
            for msgid, problem in report.placeholder_mismatches:
                click.echo(f"  placeholders: {msgid}: {problem}")
