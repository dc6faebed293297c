"""``lms worker``: deliver notifications and compute scheduled ones until stopped."""

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--once", is_flag=True, help="One pass (scheduled kinds, then delivery), then exit.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Deliver the notification outbox (and compute reminders) until stopped."""
    from lms.notifications.worker import loop, run_once

    app = current_app._get_current_object()
    if once:
        click.echo(f"sent {run_once(app)}")
        return
    click.echo("lms worker: delivering notifications (Ctrl+C to stop)")
    loop(app)
