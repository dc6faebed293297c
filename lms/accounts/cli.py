"""``lms users ...``: accounts for operators (create, disable, enable, set-role)."""

import click
from flask.cli import AppGroup, with_appcontext

from lms.accounts.models import ROLES
from lms.extensions import db


@click.group(cls=AppGroup)
def users():
    """Manage user accounts."""


@users.command("create")
@click.option("--email", prompt=True, help="Sign-in email address.")
@click.option("--name", prompt=True, help="Name shown to others.")
@click.option(
    "--role",
    type=click.Choice(ROLES),
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
@click.argument("role", type=click.Choice(ROLES))
@with_appcontext
def users_set_role(email, role):
    """Give the account ROLE (its sessions end; it signs in again with the new role)."""
    from lms.accounts.services import set_role

    user = _user_or_fail(email)
    if _change_account(set_role, user, role):
        click.secho(f"{user.email} is now {role}; its sessions have ended.", fg="green")
    else:
        click.echo(f"{user.email} already is {role}.")
