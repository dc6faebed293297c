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
    full = root / relative
    try:
        return os.path.relpath(full)
    except ValueError:
        return str(full)


def _print_problems(tree) -> None:
    for problem in tree.problems:
        line = f"{_display_path(tree.root, problem.path)}:{problem.line}: "
        if problem.severity == "warning":
            click.echo(line + click.style("warning: ", fg="yellow") + problem.message, err=True)
        else:
            click.echo(line + problem.message, err=True)


def _summary_text(summary: dict) -> str:
    types = ", ".join(f"{k} {v}" for k, v in summary["questions_by_type"].items() if v)
    text = (
        f"{summary['areas']} areas, {summary['courses']} courses, "
        f"{summary['modules']} modules, {summary['quizzes']} quizzes, "
        f"{summary['questions']} questions"
    )
    return f"{text} ({types})" if types else text


@main.group()
def content():
    """Check and publish the markdown content."""


@content.command("check", with_appcontext=False)
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def content_check(directory, as_json):
    """Check DIRECTORY (the content root, an area or a course folder; default: content/).

    Prints every problem as path:line: message and exits 1 when there is an error.
    """
    from lms.content.loader import load_content

    tree = load_content(directory or _default_content_dir())
    summary = tree.summary()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": not tree.errors,
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
                f"{len(tree.errors)} error(s) found; nothing is wrong with the rest "
                f"({_summary_text(summary)}).",
                fg="red",
                err=True,
            )
        else:
            click.secho(f"OK: {_summary_text(summary)}.", fg="green")
    sys.exit(1 if tree.errors else 0)


@content.command("sync")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@with_appcontext
def content_sync(directory):
    """Check DIRECTORY, then publish it to the database in one transaction.

    Nothing changes when there is any error. Modules removed from git are archived and
    every learner's progress is kept.
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
            click.secho(
                f"{len(report.tree.errors)} error(s): nothing was published; "
                "the database is unchanged.",
                fg="red",
                err=True,
            )
            sys.exit(1)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _print_problems(report.tree)
    if not report.changed:
        click.secho(
            f"Nothing to change: the database already matches {directory} "
            f"({_summary_text(report.tree.summary())}).",
            fg="green",
        )
        return
    for change in report.changes:
        click.echo(f"  {change}")
    counts = ", ".join(f"{v} {k}" for k, v in report.counts.items() if v)
    click.secho(f"Published: {counts}.", fg="green")


def _register_quiz_commands():
    from lms.quizzes.cli import quiz  # noqa: PLC0415

    main.add_command(quiz)


_register_quiz_commands()


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

    try:
        user = create_user(email, name, password, role=role)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.secho(f"Created {user.role} {user.email}.", fg="green")


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
