"""``lms doctor``: the health report for an operator, with what to do about each problem."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.health.checks import DEGRADED, DOWN, OK, overall, run_checks

_COLOURS = {OK: "green", DEGRADED: "yellow", DOWN: "red"}


@click.command("doctor")
@with_appcontext
def doctor():
    """Check the database, Redis and any other configured dependency; exit 1 when users cannot work."""
    checks = run_checks(current_app)
    for check in checks:
        label = click.style(f"{check.status:<8}", fg=_COLOURS[check.status], bold=True)
        role = "required" if check.required else "optional"
        timing = f" ({check.latency_ms:g} ms)" if check.latency_ms is not None else ""
        click.echo(
            f"{label} {check.name} [{role}]{timing}" + (f": {check.detail}" if check.detail else "")
        )
        if check.error:
            click.echo(f"         error: {check.error}")
        if check.advice and check.status != OK:
            click.echo(f"         what to do: {check.advice}")
    status = overall(checks)
    click.secho(f"overall: {status}", fg=_COLOURS[status], bold=True)
    if status == DOWN:
        click.echo("Users cannot work: the site answers 503 'we are back in a moment'.")
    elif status == DEGRADED:
        click.echo("Users can work; fix the problems above before they grow.")
    sys.exit(1 if status == DOWN else 0)
