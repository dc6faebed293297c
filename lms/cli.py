"""The ``lms`` command: Flask's CLI for this app (``lms run``, ``lms db upgrade``,
``lms shell``) plus the commands each feature brings (``content``, ``quiz``, ``users``,
``demo``, ``translations``, ``doctor``, ``worker``, ``db backup`` / ``db restore``) and ``serve``.

Where to add a command: in the feature's own ``cli.py`` (``lms/<feature>/cli.py``), as a
click group or command that imports nothing from this module; then import it here and
add it to ``FEATURE_COMMANDS``. Every command hangs on the root group ``main``, not on
``app.cli``: commands such as ``lms content check`` must work without a configured app, and
a command that needs one asks for it with ``@with_appcontext``. Commands that belong under
Flask-Migrate's ``lms db`` go in ``DB_COMMANDS``.
"""

import os
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup
from flask_migrate.cli import db as db_group

from lms.accounts.cli import users
from lms.backup.cli import db_backup, db_restore
from lms.content.gift.cli import quiz
from lms.demo.cli import demo
from lms.health.cli import doctor
from lms.i18n.cli import translations
from lms.notifications.cli import worker
from lms.publishing.cli import content

#: Every feature's click group or command, added to ``lms``.
FEATURE_COMMANDS = (content, quiz, users, demo, translations, doctor, worker)
#: Commands added to Flask-Migrate's ``lms db`` group, beside ``lms db upgrade``.
DB_COMMANDS = (db_backup, db_restore)


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


def register_commands(root: click.Group) -> None:
    """Add every feature's commands to ``root`` and the ``db`` extras to Flask-Migrate's group."""
    for command in FEATURE_COMMANDS:
        root.add_command(command)
    for command in DB_COMMANDS:
        db_group.add_command(command)


register_commands(main)


if __name__ == "__main__":
    main()
