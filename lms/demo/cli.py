"""``lms demo create``: the documented demo accounts and cohort (refused in production)."""

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from lms.extensions import db


@click.group(cls=AppGroup)
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
