"""Admins see delivery: /admin/mail lists the outbox by status, with the SMTP error of failed
messages and a retry button for failed and unknown ones."""

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.access import admin_required
from lms.audit.services import record_event
from lms.extensions import db
from lms.forms import LmsForm
from lms.notifications import bp, delivery
from lms.notifications.models import OutboxMessage

#: The states an admin filters by, with their labels.
STATUS_LABELS = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "unknown": _l("Maybe sent"),
    "digest": _l("Held for the digest"),
}
MAX_PAGE = 100_000


class RetryForm(LmsForm):
    """The retry button: only the CSRF token."""


def load_retryable_or_404(message_id: int) -> OutboxMessage:
    message = db.get_or_404(OutboxMessage, message_id)
    return message


@bp.route("/admin/mail")
@admin_required
def admin_mail():
    """Counts by status and the newest messages of one status (failed first by default)."""
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        ).all()
    )
    status = request.args.get("status", "")
    if status not in STATUS_LABELS:
        status = "failed" if counts.get("failed") else "queued" if counts.get("queued") else "sent"
    page = db.paginate(
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == status)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        page=min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE),
        per_page=current_app.config["LMS_PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "notifications/admin/mail.html",
        counts=counts,
        status=status,
        labels=STATUS_LABELS,
        page=page,
        form=RetryForm(),
        mail_server=bool(current_app.config.get("LMS_MAIL_SERVER")),
    )


@bp.route("/admin/mail/<int:message_id>/retry", methods=["POST"])
@admin_required
def admin_mail_retry(message_id: int):
    """Queue a failed or maybe-sent message again (an admin's decision, never automatic)."""
    message = load_retryable_or_404(message_id)
    status = message.status
    if not RetryForm().validate_on_submit():
        flash(_("Your form expired. Please go back and try again."), "warning")
    elif delivery.retry(message):
        record_event("mail.retried", current_user, f"outbox:{message.id}", was=status)
        db.session.commit()
        current_app.logger.info("user %s queued message %s again", current_user.id, message.id)
        flash(_("The message to %(email)s is queued again.", email=message.to_email), "success")
    else:
        flash(_("This message is not failed any more; nothing to retry."), "info")
    return redirect(url_for("notifications.admin_mail", status=status))
