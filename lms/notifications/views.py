"""Pages of the notifications feature: a person's list, their choices, unsubscribing."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from lms.accounts.models import User
from lms.accounts.services import safe_next
from lms.extensions import csrf, db
from lms.forms import LmsForm
from lms.notifications import bp, choices, digest, inbox  # noqa: F401 (digest registers its kind and job)
from lms.notifications.forms import field_name, preferences_form
from lms.notifications.kinds import KINDS
from lms.notifications.unsubscribe import read_unsubscribe_token

#: Past this the database's OFFSET could overflow; the list shows its empty state instead.
MAX_PAGE = 100_000


@bp.app_context_processor
def _notifications_in_header():
    """The header's unread count (one COUNT per page, none for visitors)."""

    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        return inbox.unread_count(current_user.id)

    return {"unread_notifications": unread}


@bp.route("/notifications")
@login_required
def index():
    """The person's notifications, newest first, a page at a time."""
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    page = db.paginate(
        inbox.entries_query(current_user.id),
        page=number,
        per_page=current_app.config["LMS_PAGE_SIZE"],
        error_out=False,
    )
    return render_template("notifications/index.html", page=page, form=LmsForm())


@bp.route("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Follow an entry's link and mark it read; someone else's entry is a 404."""
    entry = inbox.load_notification_or_404(notification_id, current_user)
    inbox.mark_read(entry)
    db.session.commit()
    return redirect(safe_next(entry.link) or url_for("notifications.index"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_all_read():
    """Mark every notification of the person read."""
    form = LmsForm()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please send it again."), "error")
        return redirect(url_for("notifications.index"))
    count = inbox.mark_all_read(current_user.id)
    db.session.commit()
    if count:
        flash(
            ngettext(
                "%(num)d notification marked as read.",
                "%(num)d notifications marked as read.",
                count,
            ),
            "success",
        )
    return redirect(url_for("notifications.index"))


def _preferences_page(form, status: int = 200):
    return render_template(
        "notifications/preferences.html",
        form=form,
        groups=choices.grouped_kinds(),
        field_name=field_name,
    ), status


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    """Per kind of message: email, on the platform only or off; and the daily digest."""
    kinds = choices.choosable_kinds()
    if request.method == "GET":
        current = choices.current_choices(current_user.id)
        form = preferences_form(kinds, formdata=None)
        for kind in kinds:
            if not kind.security:
                form[field_name(kind)].data = current[kind.name]
        form.daily_digest.data = choices.daily_digest(current_user.id)
        return _preferences_page(form)
    form = preferences_form(kinds)
    if not form.validate_on_submit():
        return _preferences_page(form, 422)
    choices.save_choices(
        current_user.id,
        {kind.name: form[field_name(kind)].data for kind in kinds if not kind.security},
        bool(form.daily_digest.data),
    )
    db.session.commit()
    flash(_("Your notification choices are saved."), "success")
    return redirect(url_for("notifications.preferences"))


def _unsubscribe_target(token: str):
    """The (person, kind) a token names, or ``None`` for a link that does not work."""
    found = read_unsubscribe_token(token)
    if found is None or found[1] not in KINDS or KINDS[found[1]].security:
        return None
    user = db.session.get(User, found[0])
    if user is None or user.deleted_at is not None:
        return None
    return user, KINDS[found[1]]


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" without a session
def unsubscribe(token: str):
    """Turn one kind of email off for the person in the signed token; no sign-in needed.

    The signed token is the proof: a forged or altered one is a 404, so the endpoint needs no
    CSRF token and serves the page's own button and a mail client's one-click POST alike.
    The page names the kind only, never the account.
    """
    target = _unsubscribe_target(token)
    if target is None:
        return render_template("notifications/unsubscribe_invalid.html"), 404
    user, kind = target
    if request.method == "GET":
        return render_template("notifications/unsubscribe.html", kind=kind, token=token)
    choices.unsubscribe(user.id, kind.name)
    db.session.commit()
    current_app.logger.info("user %s unsubscribed from %s emails", user.id, kind.name)
    return render_template("notifications/unsubscribed.html", kind=kind)
