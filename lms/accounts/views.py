"""Sign up, sign in, sign out, password reset, the invitation's set-password page and the
account settings page."""

import logging

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts import bp
from lms.accounts import services as accounts
from lms.accounts.forms import (
    ChangePasswordForm,
    ConfirmSignupForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SetPasswordForm,
    SignupForm,
)
from lms.accounts.services import safe_next
from lms.accounts.sessions import TIMED_OUT_KEY, end_session, start_session
from lms.accounts.signals import password_reset_requested, signup_attempted, signup_requested
from lms.audit.services import record_event
from lms.extensions import db, limiter
from lms.mail import mail_configured
from lms.organisations.forms import about_answers, apply_about, fill_about_choices

log = logging.getLogger(__name__)


def _account_key() -> str:
    """Rate-limit per account (the email in the form) as well as per address."""
    return "account:" + accounts.normalise_email(request.form.get("email") or "")[:254]


def _account_address_key() -> str:
    """Failed sign-ins count per account *and* address: a stranger guessing someone's
    password from one address blocks only that pair, not the person's own sign-in."""
    from flask_limiter.util import get_remote_address

    return _account_key() + "|" + (get_remote_address() or "")


def _token_key() -> str:
    """Rate-limit reset submissions per link as well as per address."""
    return "reset:" + (request.view_args or {}).get("token", "")[:400]


def _user_key() -> str:
    return f"user:{current_user.id}"


#: Limits on POSTs only: per address, and also per account (or link, or signed-in user).
LOGIN_LIMIT = "10 per minute;60 per hour"
#: The per-account ceiling over all addresses, much higher: only a distributed guessing
#: campaign reaches it (docs/security.md, "Rate limits").
LOGIN_ACCOUNT_CEILING = "100 per hour;300 per day"
#: Sign-ups per address: a workshop room of 30 people behind one router signs up (and confirms)
#: within a few minutes, retries included (docs/security.md, "Rate limits").
SIGNUP_ADDRESS_LIMIT = "40 per minute;200 per hour"
#: Sign-ups per email address, over all addresses: one person does not need more; it also
#: caps the confirmation mail anyone can send to one inbox.
SIGNUP_EMAIL_LIMIT = "5 per minute;20 per hour"
RESET_REQUEST_LIMIT = "5 per minute;20 per hour"
RESET_SUBMIT_LIMIT = "10 per minute;30 per hour"
#: Password changes on the account page (guessing the current password).
CREDENTIAL_CHANGE_LIMIT = "5 per minute;20 per hour"


def _failed(response) -> bool:
    """Only failed sign-ins count against an address: a class signing in together from one
    school network must not lock itself out."""
    return response.status_code >= 400


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(SIGNUP_ADDRESS_LIMIT, methods=["POST"])
@limiter.limit(SIGNUP_EMAIL_LIMIT, key_func=_account_key, methods=["POST"])
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
            outcome = accounts.request_signup(
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
    pending = accounts.signup_request_for_token(token)
    if pending is None:
        return render_template("accounts/signup_invalid.html"), 400
    form = ConfirmSignupForm()
    if form.validate_on_submit():
        user = accounts.confirm_signup(pending)
        record_event("user.created", user, f"user:{user.id}", via="signup")
        if current_user.is_authenticated:
            end_session(current_user._get_current_object())
        start_session(user)
        db.session.commit()
        flash(_("Welcome, %(name)s! Pick a course to start.", name=user.name), "success")
        return redirect(url_for("courses.catalogue"))
    return render_template("accounts/signup_confirm.html", form=form, pending=pending)


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
@limiter.limit(LOGIN_LIMIT, methods=["POST"], deduct_when=_failed)
@limiter.limit(LOGIN_LIMIT, key_func=_account_address_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(LOGIN_ACCOUNT_CEILING, key_func=_account_key, methods=["POST"], deduct_when=_failed)
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
@limiter.limit(RESET_REQUEST_LIMIT, key_func=_account_key, methods=["POST"])
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
        "accounts.reset_password", token=accounts.password_reset_token(user), _external=True
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
@limiter.limit(RESET_SUBMIT_LIMIT, key_func=_token_key, methods=["POST"])
def reset_password(token: str):
    """Choose a new password with a reset link; then every other session ends."""
    user = accounts.user_for_password_reset_token(token)
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
@limiter.limit(CREDENTIAL_CHANGE_LIMIT, key_func=_user_key)
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
    user, reason = accounts.check_set_password_token(token)
    if user is None:
        # Not a dead end: what happened, and what to do (a new link, a reset, or sign in).
        return render_template(
            "accounts/set_password_invalid.html", reason=reason, mail=mail_configured()
        ), 404 if reason == accounts.LINK_INVALID else 410
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
