"""Sign up, sign in, sign out."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.accounts import bp
from lms.accounts.forms import LoginForm, SignupForm
from lms.accounts.services import AccountError, authenticate, create_user
from lms.extensions import db, limiter


def _account_key() -> str:
    """Rate-limit sign-in attempts per account as well as per address."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


#: Sign-in and sign-up limits (POSTs only): per address, and sign-in also per account.
LOGIN_LIMIT = "10 per minute;60 per hour"
SIGNUP_LIMIT = "5 per minute;20 per hour"


def _is_get() -> bool:
    return request.method != "POST"


def safe_next(target: str | None) -> str | None:
    """Only paths on this site are followed after sign-in (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return None
    return target


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(SIGNUP_LIMIT, exempt_when=_is_get)
def signup():
    """Create a learner account and sign it in."""
    if current_user.is_authenticated:
        return redirect(url_for("progress.my_learning"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data, form.name.data, form.password.data, locale=form.locale.data
            )
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome, %(name)s! Pick a course to start.", name=user.name), "success")
            return redirect(url_for("courses.catalogue"))
    return render_template(
        "accounts/signup.html", form=form
    ), 200 if request.method == "GET" or not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, exempt_when=_is_get)
@limiter.limit(LOGIN_LIMIT, key_func=_account_key, exempt_when=_is_get)
def login():
    """Sign in with email and password."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("progress.my_learning"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(next_url or url_for("progress.my_learning"))
        form.password.errors.append(_("The email address or password is not right."))
        status = 401
    elif form.errors:
        status = 422
    return render_template("accounts/login.html", form=form, next_url=next_url), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (a POST with a CSRF token, so no other site can sign people out)."""
    logout_user()
    flash(_("You are signed out. See you soon."), "info")
    return redirect(url_for("courses.catalogue"))
