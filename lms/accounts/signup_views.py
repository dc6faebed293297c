"""Sign-up: the form, the confirmation mail (or the notice to an existing account) and the
page the mailed link opens."""

import logging

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import bp
from lms.accounts import links as mail_links
from lms.accounts import services as accounts
from lms.accounts.forms import (
    ConfirmSignupForm,
    SignupForm,
)
from lms.accounts.limits import (
    SIGNUP_ADDRESS_LIMIT,
    SIGNUP_EMAIL_LIMIT,
    account_key,
)
from lms.accounts.sessions import end_session, start_session
from lms.accounts.signals import signup_attempted, signup_requested
from lms.audit.services import record_event
from lms.extensions import db, limiter
from lms.mail import mail_configured
from lms.organisations.forms import about_answers, fill_about_choices

log = logging.getLogger(__name__)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(SIGNUP_ADDRESS_LIMIT, methods=["POST"])
@limiter.limit(SIGNUP_EMAIL_LIMIT, key_func=account_key, methods=["POST"])
def signup():
    """Ask for an account: a link confirms the address before the account exists.

    The answer is the same whether or not the address already has an account (its owner gets
    an email saying someone tried), so the form cannot be used to find out who is registered.
    """
    if current_user.is_authenticated:
        return redirect(url_for("progress.my_learning"))
    form = SignupForm()
    fill_about_choices(form)
    if form.validate_on_submit():
        try:
            outcome = mail_links.request_signup(
                form.email.data,
                form.name.data,
                form.password.data,
                locale=form.locale.data,
                about=about_answers(form),
            )
        except accounts.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            email = accounts.normalise_email(form.email.data)
            if outcome.token:
                _send_signup_link(email, form.name.data.strip(), outcome.token)
            elif outcome.existing is not None and outcome.existing.is_active:
                _send_already_registered(outcome.existing)
            record_event(
                "signup.requested",
                None,
                f"user:{outcome.existing.id}" if outcome.existing else None,
                email=email[:254],
            )
            db.session.commit()
            return render_template("accounts/signup_sent.html", email=email)
    return render_template(
        "accounts/signup.html", form=form
    ), 200 if request.method == "GET" or not form.errors else 422


def _send_signup_link(email: str, name: str, token: str) -> None:
    """Record the confirmation email (the outbox's worker sends it after the commit)."""
    link = url_for("accounts.confirm_signup", token=token, _external=True)
    signup_requested.send(email, name=name, link=link)
    if mail_configured():
        return
    if current_app.config["LMS_ENV"] in ("development", "testing"):
        log.warning("mail not configured; sign-up link for %s: %s", email, link)
    else:
        log.warning("sign-up requested, but no mail server is set (LMS_MAIL_SERVER)")


def _send_already_registered(user) -> None:
    if not mail_configured():
        log.info("sign-up for the existing account %s; no mail server to tell them", user.id)
    signup_attempted.send(user, link=url_for("accounts.login", _external=True))


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(SIGNUP_ADDRESS_LIMIT, methods=["POST"])
def confirm_signup(token: str):
    """The link in the sign-up email: one button makes the account and signs it in.

    A GET only shows the button, so a mail scanner opening the link creates nothing.
    """
    pending = mail_links.signup_request_for_token(token)
    if pending is None:
        return render_template("accounts/signup_invalid.html"), 400
    form = ConfirmSignupForm()
    if form.validate_on_submit():
        user = mail_links.confirm_signup(pending)
        record_event("user.created", user, f"user:{user.id}", via="signup")
        if current_user.is_authenticated:
            end_session(current_user._get_current_object())
        start_session(user)
        db.session.commit()
        flash(_("Welcome, %(name)s! Pick a course to start.", name=user.name), "success")
        return redirect(url_for("courses.catalogue"))
    return render_template("accounts/signup_confirm.html", form=form, pending=pending)
