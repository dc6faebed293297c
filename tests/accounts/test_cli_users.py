"""``lms users disable|enable|set-role``: the same rules and audit events as the admin pages."""

import sqlalchemy as sa

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.cli import main
from lms.extensions import db


def account(app, email):
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == email))


def kinds(app):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent.kind).order_by(AuditEvent.id)).all()


def test_disable_and_enable_an_account(app, runner, make_user):
    _, email = make_user()
    version = account(app, email).session_version
    result = runner.invoke(main, ["users", "disable", email.upper()])
    assert result.exit_code == 0 and f"Disabled {email}" in result.output
    assert not account(app, email).active
    assert account(app, email).session_version > version
    assert "already disabled" in runner.invoke(main, ["users", "disable", email]).output
    result = runner.invoke(main, ["users", "enable", email])
    assert result.exit_code == 0 and account(app, email).active
    assert kinds(app) == ["user.disabled", "user.enabled"]


def test_set_role(app, runner, make_user):
    _, email = make_user()
    result = runner.invoke(main, ["users", "set-role", email, "facilitator"])
    assert result.exit_code == 0, result.output
    assert account(app, email).role == "facilitator"
    assert kinds(app) == ["user.role_changed"]


def test_the_last_admin_is_kept(app, runner, make_user):
    _, email = make_user("admin")
    result = runner.invoke(main, ["users", "set-role", email, "learner"])
    assert result.exit_code == 1 and "last administrator" in result.output
    result = runner.invoke(main, ["users", "disable", email])
    assert result.exit_code == 1 and "last administrator" in result.output
    assert account(app, email).role == "admin" and account(app, email).active


def test_an_unknown_email_or_role_is_a_clear_error(runner):
    result = runner.invoke(main, ["users", "disable", "ghost@example.org"])
    assert result.exit_code == 1 and "no account uses ghost@example.org" in result.output
    result = runner.invoke(main, ["users", "set-role", "ghost@example.org", "root"])
    assert result.exit_code == 2


def test_set_role_offers_the_partner_and_programme_manager_roles(app, runner, make_user):
    _, email = make_user()
    result = runner.invoke(main, ["users", "set-role", email, "programme_manager"])
    assert result.exit_code == 0, result.output
    assert account(app, email).role == "programme_manager"
    result = runner.invoke(main, ["users", "set-role", email, "partner_manager"])
    assert result.exit_code == 0, result.output
    assert account(app, email).role == "partner_manager"
