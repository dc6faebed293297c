"""``lms db backup`` and ``lms db restore``, added beside Flask-Migrate's ``lms db upgrade``."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.extensions import db


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
