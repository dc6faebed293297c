"""The on-platform list, preferences, one-click unsubscribe, delivery admin, nudges."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from lms.accounts.access import admin_required, facilitator_required
from lms.accounts.models import User
from lms.extensions import csrf, db
from lms.notifications import bp, services
from lms.notifications.delivery import retry
from lms.notifications.kinds import KINDS
from lms.notifications.models import CHANNELS, OUTBOX_STATUSES, Notification, OutboxMessage

CHANNEL_LABELS = {
    "email": _l("Email and on the platform"),
    "platform": _l("On the platform only"),
    "off": _l("Off"),
}
NUDGE_TEMPLATES = {
    "miss_you": (
        _l("We miss you"),
        _l(
            "Hello {name}, we have not seen you on the platform for a while. Your cohort {cohort} is waiting for you: pick up where you left off."
        ),
    ),
    "next_module": (
        _l("Your next module"),
        _l(
            "Hello {name}, you have completed {completed} of {total} modules in {cohort}. Your next module is ready for you."
        ),
    ),
    "session_week": (
        _l("Session this week"),
        _l(
            "Hello {name}, a session of {cohort} takes place this week. Please prepare the modules listed on the sessions page."
        ),
    ),
}
PAGE_SIZE = 20


class ConfirmForm(FlaskForm):
    """CSRF only; the fields are read from the request."""


def load_notification_or_404(notification_id: int, user) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        abort(404)
    return notification


@bp.route("/notifications")
@login_required
def index():
    """The person's notifications, newest first, a page at a time."""
    page = db.paginate(
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=max(request.args.get("page", 1, type=int) or 1, 1),
        per_page=PAGE_SIZE,
        error_out=False,
    )
    return render_template("notifications/index.html", page=page, form=ConfirmForm())


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_all():
    if ConfirmForm().validate_on_submit():
        services.mark_read(current_user)
        db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@login_required
def open_(notification_id: int):
    notification = load_notification_or_404(notification_id, current_user)
    if ConfirmForm().validate_on_submit():
        services.mark_read(current_user, notification.id)
        db.session.commit()
    target = notification.url if notification.url.startswith("/") else ""
    return redirect(
        target if target and not target.startswith("//") else url_for("notifications.index")
    )


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Per kind: email, on the platform only, or off; security email cannot be turned off."""
    form = ConfirmForm()
    if form.validate_on_submit():
        for key in services.preferences_of(current_user):
            channel = request.form.get(f"kind-{key}", "")
            if channel in CHANNELS:
                services.set_preference(current_user, key, channel)
        db.session.commit()
        flash(_("Your choices are saved."), "success")
        return redirect(url_for("notifications.preferences"))
    return render_template(
        "notifications/preferences.html",
        form=form,
        chosen=services.preferences_of(current_user),
        kinds=KINDS,
        labels=CHANNEL_LABELS,
    )


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """RFC 8058 one-click: POST turns the kind's email off; GET asks first. No sign-in."""
    found = services.read_unsubscribe_token(token)
    user = db.session.get(User, found[0]) if found else None
    if user is None or user.deleted_at is not None:
        return render_template("notifications/unsubscribe.html", invalid=True), 404
    kind = KINDS[found[1]]
    if request.method == "POST":
        services.set_preference(user, kind.key, "platform")
        db.session.commit()
        return render_template("notifications/unsubscribe.html", done=True, kind=kind)
    return render_template("notifications/unsubscribe.html", kind=kind, token=token)


@bp.route("/admin/notifications")
@admin_required
def admin_outbox():
    """Delivery: queued, sent and failed messages with their SMTP errors."""
    status = request.args.get("status", "")
    stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in OUTBOX_STATUSES:
        stmt = stmt.where(OutboxMessage.status == status)
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    page = db.paginate(
        stmt, page=max(request.args.get("page", 1, type=int) or 1, 1), per_page=50, error_out=False
    )
    return render_template(
        "notifications/admin.html", page=page, counts=counts, status=status, form=ConfirmForm()
    )


@bp.route("/admin/notifications/<int:message_id>/retry", methods=["POST"])
@admin_required
def admin_retry(message_id: int):
    outbox = db.get_or_404(OutboxMessage, message_id)
    if ConfirmForm().validate_on_submit() and outbox.status == "failed":
        retry(outbox)
        db.session.commit()
        flash(_("The message is queued again."), "success")
    return redirect(url_for("notifications.admin_outbox", status="failed"))


def _fill(text: str, row, cohort) -> str:
    values = {
        "name": row.user.name,
        "cohort": cohort.name,
        "completed": row.completed,
        "total": row.total,
    }
    try:
        return str(text).format(**values)
    except (KeyError, IndexError, ValueError):
        return str(text)


@bp.route("/facilitate/cohorts/<int:cohort_id>/message", methods=["GET", "POST"])
@facilitator_required
def cohort_message(cohort_id: int):
    """A nudge to chosen learners (or everyone a filter shows), or an announcement to all."""
    from lms.cohorts import services as cohorts

    cohort = cohorts.load_cohort_or_404(cohort_id, current_user)
    report = cohorts.cohort_report(cohort)
    show = request.values.get("show", "all")
    show = show if show in cohorts.FILTERS else "all"
    rows = cohorts.filter_rows(report.rows, show=show)
    picked = {int(i) for i in request.values.getlist("user_id") if i.isdigit()}
    if picked:
        rows = [r for r in rows if r.user.id in picked]
    choice = request.values.get("template", "miss_you")
    kind = "announcement" if request.values.get("kind") == "announcement" else "nudge"
    subject = request.values.get("subject", "").strip()[:200]
    body = request.values.get("body", "").strip()[:5000]
    if choice in NUDGE_TEMPLATES and not body:
        subject = subject or str(NUDGE_TEMPLATES[choice][0])
        body = str(NUDGE_TEMPLATES[choice][1])
    form = ConfirmForm()
    errors = {}
    if (
        request.method == "POST"
        and request.form.get("action") == "send"
        and form.validate_on_submit()
    ):
        if not subject:
            errors["subject"] = _("Write a subject.")
        if not body:
            errors["body"] = _("Write a message.")
        if not rows:
            errors["audience"] = _("Nobody is selected.")
        if not errors:
            stamp = services.utcnow().strftime("%Y%m%d%H%M%S")
            for row in rows:
                services.notify(
                    kind,
                    row.user,
                    f"cohort:{cohort.id}:{stamp}",
                    {
                        "subject": _fill(subject, row, cohort),
                        "body": _fill(body, row, cohort),
                        "sender": current_user.name,
                        "cohort": cohort,
                    },
                    url="/me/learning",
                    cohort_id=cohort.id,
                )
            db.session.commit()
            flash(ngettext("Sent to %(num)d learner.", "Sent to %(num)d learners.", len(rows)), "success")
            return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))
    previews = [(row, _fill(subject, row, cohort), _fill(body, row, cohort)) for row in rows[:5]]
    return render_template(
        "notifications/cohort_message.html",
        cohort=cohort,
        rows=rows,
        previews=previews,
        subject=subject,
        body=body,
        choice=choice,
        kind=kind,
        show=show,
        picked=picked,
        templates=NUDGE_TEMPLATES,
        filters=cohorts.FILTERS,
        form=form,
        errors=errors,
        status=400 if errors else 200,
    ), 400 if errors else 200


@bp.route("/facilitate/cohorts/<int:cohort_id>/learners/<int:user_id>/messages")
@facilitator_required
def learner_messages(cohort_id: int, user_id: int):
    """What a learner of the cohort was sent, and when."""
    from lms.cohorts import services as cohorts

    cohort = cohorts.load_cohort_or_404(cohort_id, current_user)
    membership = cohorts.load_member_or_404(cohort, user_id)
    return render_template(
        "notifications/learner_messages.html",
        cohort=cohort,
        learner=membership.user,
        sent=services.sent_to(user_id, cohort.id),
    )
