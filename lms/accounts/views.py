"""Sign in, sign out, password reset, the invitation's set-password page and the
account settings page (sign-up: :mod:`lms.accounts.signup_views`)."""

import logging

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts import bp
from lms.accounts import links as mail_links
from lms.accounts import services as accounts
from lms.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SetPasswordForm,
)
from lms.accounts.limits import (
    CREDENTIAL_CHANGE_LIMIT,
    LOGIN_ACCOUNT_CEILING,
    LOGIN_LIMIT,
    RESET_REQUEST_LIMIT,
    RESET_SUBMIT_LIMIT,
    account_address_key,
    account_key,
    failed,
    token_key,
    user_key,
)
from lms.accounts.services import safe_next
from lms.accounts.sessions import TIMED_OUT_KEY, end_session, start_session
from lms.accounts.signals import password_reset_requested
from lms.audit.services import record_event
from lms.extensions import db, limiter
from lms.mail import mail_configured
from lms.organisations.forms import apply_about, fill_about_choices

log = logging.getLogger(__name__)


def _timed_out_message(reason: str | None) -> str | None:
    if reason == "idle":
        return _(
            "You were signed out after %(minutes)d minutes of inactivity. Please sign in again.",
            minutes=current_app.config["LMS_SESSION_IDLE_MINUTES"],
        )
    if reason == "max":
        return _(
            "You were signed out because you had been signed in for %(hours)d hours. "
            "Please sign in again.",
            hours=current_app.config["LMS_SESSION_MAX_HOURS"],
        )
    return None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"], deduct_when=failed)
@limiter.limit(LOGIN_LIMIT, key_func=account_address_key, methods=["POST"], deduct_when=failed)
@limiter.limit(LOGIN_ACCOUNT_CEILING, key_func=account_key, methods=["POST"], deduct_when=failed)
def login():
    """Sign in with email and password."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("progress.my_learning"))
    timed_out = _timed_out_message(session.pop(TIMED_OUT_KEY, None))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        attempt = accounts.check_sign_in(form.email.data, form.password.data)
        if attempt.user is not None:
            start_session(attempt.user, remember=form.remember.data)
            record_event("login.success", attempt.user, f"user:{attempt.user.id}")
            db.session.commit()
            flash(_("Welcome back, %(name)s.", name=attempt.user.name), "success")
            return redirect(next_url or url_for("progress.my_learning"))
        record_event(
            "login.failure",
            None,
            f"user:{attempt.account.id}" if attempt.account else None,
            email=accounts.normalise_email(form.email.data)[:254],
            reason=attempt.reason,
        )
        db.session.commit()
        form.password.errors.append(_("The email address or password is not right."))
        status = 401
    elif form.errors:
        status = 422
    return render_template(
        "accounts/login.html", form=form, next_url=next_url, timed_out=timed_out
    ), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (a POST with a CSRF token, so no other site can sign people out)."""
    record_event("logout", current_user, f"user:{current_user.id}")
    end_session(current_user._get_current_object())
    db.session.commit()
    flash(_("You are signed out. See you soon."), "info")
    return redirect(url_for("courses.catalogue"))


@bp.route("/session/keepalive", methods=["POST"])
@login_required
def keepalive():
    """Count typing in a long form as activity (lms.js calls this), so the idle timeout does not
    sign out a learner in the middle of writing a reflection and lose their answers."""
    return "", 204


# --- password reset -----------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(RESET_REQUEST_LIMIT, methods=["POST"])
@limiter.limit(RESET_REQUEST_LIMIT, key_func=account_key, methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data)
        user = accounts.find_user_by_email(email)
        if user is not None and user.active:
            _send_reset_link(user)
        record_event(
            "password.reset_requested",
            None,
            f"user:{user.id}" if user else None,
            email=email[:254],
        )
        db.session.commit()
        return render_template("accounts/forgot_sent.html", email=email)
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


def _send_reset_link(user) -> None:
    """Record the reset email; the outbox's worker sends it after the commit."""
    link = url_for(
        "accounts.reset_password", token=mail_links.password_reset_token(user), _external=True
    )
    password_reset_requested.send(user, link=link)
    if mail_configured():
        return
    if current_app.config["LMS_ENV"] == "development":
        log.warning("mail not configured; password reset link for %s: %s", user.email, link)
    else:
        log.warning(
            "password reset requested for user %s, but no mail server is set (LMS_MAIL_SERVER)",
            user.id,
        )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(RESET_SUBMIT_LIMIT, methods=["POST"])
@limiter.limit(RESET_SUBMIT_LIMIT, key_func=token_key, methods=["POST"])
def reset_password(token: str):
    """Choose a new password with a reset link; then every other session ends."""
    user = mail_links.user_for_password_reset_token(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetPasswordForm()
    form.account = user
    if form.validate_on_submit():
        accounts.change_password(user, form.password.data)
        record_event("password.reset", user, f"user:{user.id}")
        start_session(user)
        db.session.commit()
        flash(_("Your password is changed and you are signed in."), "success")
        return redirect(url_for("progress.my_learning"))
    return render_template("accounts/reset.html", form=form, user=user), (
        422 if form.errors else 200
    )


# --- account settings ---------------------------------------------------------------------


def _privacy_links() -> list[tuple[str, str]]:
    """Links of the privacy feature (data export, deletion) when it is installed."""
    wanted = [
        ("privacy.export", _("Download your data")),
        ("privacy.delete_account", _("Delete your account")),
    ]
    return [
        (url_for(endpoint), label)
        for endpoint, label in wanted
        if endpoint in current_app.view_functions
    ]


def _account_page(profile=None, password=None, status=200):
    if profile is None:
        profile = ProfileForm(prefix="profile", obj=current_user)
        profile.organisation_id.data = current_user.organisation_id or 0
    fill_about_choices(profile)
    password = password or ChangePasswordForm(prefix="password")
    return render_template(
        "accounts/account.html",
        profile=profile,
        password=password,
        privacy_links=_privacy_links(),
    ), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Name and preferred language; the password form posts to :func:`change_password`."""
    if request.method == "GET":
        return _account_page()
    form = ProfileForm(prefix="profile")
    fill_about_choices(form)
    if not form.validate_on_submit():
        return _account_page(profile=form, status=422)
    current_user.name = form.name.data.strip()
    current_user.locale = form.locale.data
    apply_about(form, current_user)
    db.session.commit()
    flash(_("Your account settings are saved."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/password", methods=["POST"])
@login_required
@limiter.limit(CREDENTIAL_CHANGE_LIMIT)
@limiter.limit(CREDENTIAL_CHANGE_LIMIT, key_func=user_key)
def change_password():
    """A new password, given the current one; every other session of the account ends."""
    form = ChangePasswordForm(prefix="password")
    form.account = current_user
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            user = current_user._get_current_object()
            accounts.change_password(user, form.password.data)
            record_event("password.changed", user, f"user:{user.id}")
            start_session(user, remember=bool(session.get("remember")))
            db.session.commit()
            flash(
                _("Your password is changed. You were signed out on every other device."),
                "success",
            )
            return redirect(url_for("accounts.account"))
    return _account_page(password=form, status=422)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """The link a new, imported learner gets: choose a password and sign in."""
    user, reason = mail_links.check_set_password_token(token)
    if user is None:
        # Not a dead end: what happened, and what to do (a new link, a reset, or sign in).
        return render_template(
            "accounts/set_password_invalid.html", reason=reason, mail=mail_configured()
        ), 404 if reason == mail_links.LINK_INVALID else 410
    form = SetPasswordForm()
    form.account = user
    if form.validate_on_submit():
        accounts.change_password(user, form.password.data)
        record_event("password.set", user, f"user:{user.id}", via="invitation")
        start_session(user)
        db.session.commit()
        flash(_("Your password is set. Welcome, %(name)s!", name=user.name), "success")
        return redirect(url_for("progress.my_learning"))
    return render_template("accounts/set_password.html", form=form, user=user), (
        422 if form.errors else 200
    )
