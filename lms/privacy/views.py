"""Your data (download), deleting an account, the same for admins, and the privacy notice."""

from datetime import UTC, datetime

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from lms.accounts.access import admin_required, load_user_or_404
from lms.accounts.models import User
from lms.audit.services import record_event
from lms.extensions import db, limiter
from lms.privacy import bp, deletion
from lms.privacy import export as data_export
from lms.privacy.forms import AdminDeleteForm, DeleteAccountForm, ExportForm

#: Password checks on the deletion forms, per signed-in account.
DELETE_LIMIT = "5 per minute;20 per hour"


def _user_key() -> str:
    return f"delete-account:{current_user.id}"


def _download(user: User, fmt: str) -> Response:
    """The person's data as a JSON document or a zip of CSV files, never cached."""
    data = data_export.collect(user)
    record_event("data.exported", actor=current_user, target=f"user:{user.id}", format=fmt)
    db.session.commit()
    current_app.logger.info("data export (%s) of user %s by user %s", fmt, user.id, current_user.id)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    if fmt == "json":
        body, mimetype, name = data_export.as_json(data), "application/json", "json"
    else:
        body, mimetype, name = data_export.as_zip(data), "application/zip", "zip"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": (
                f'attachment; filename="coco4cci-data-user-{user.id}-{stamp}.{name}"'
            ),
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
        },
    )


def _export_page(user: User, template: str, **context):
    # Rendered fresh (not from the posted data): each button keeps its own format.
    forms = {fmt: ExportForm(formdata=None, format=fmt) for fmt in ("json", "csv")}
    if request.method == "POST":
        form = ExportForm()
        if form.validate_on_submit():
            return _download(user, form.format.data)
        return render_template(template, forms=forms, user=user, **context), 400
    return render_template(template, forms=forms, user=user, **context)


@bp.route("/account/data", methods=["GET", "POST"])
@login_required
def export():
    """ "Your data": what we hold, downloadable as JSON or as CSV files."""
    return _export_page(current_user, "privacy/your_data.html")


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(DELETE_LIMIT, key_func=_user_key, methods=["POST"])
def delete_account():
    """Delete your own account, after your password and a confirming tick."""
    form = DeleteAccountForm()
    refusal = _refusal(current_user)
    status = 200
    if refusal is None and form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("That password is not right."))
            status = 401
        else:
            user = current_user._get_current_object()
            deletion.delete_account(user)
            event = record_event("user.deleted", actor=user, target=f"user:{user.id}", by="self")
            event.ip = None  # the address would be the deleted person's
            db.session.commit()
            current_app.logger.info("user %s deleted their account", user.id)
            logout_user()
            flash(
                _("Your account is deleted. Thank you for learning with us."),
                "success",
            )
            return redirect(url_for("courses.catalogue"))
    elif form.errors:
        status = 422
    return render_template(
        "privacy/delete_account.html", form=form, refusal=refusal, user=current_user
    ), 409 if refusal and request.method == "POST" else status


def _refusal(user: User) -> str | None:
    try:
        deletion.check_deletable(user)
    except deletion.DeletionRefused as exc:
        return str(exc)
    return None


@bp.route("/admin/users/<int:user_id>/export", methods=["GET", "POST"])
@admin_required
def admin_export(user_id: int):
    """An admin downloads someone's data on their request."""
    user = load_user_or_404(user_id)
    return _export_page(user, "privacy/admin_export.html")


@bp.route("/admin/users/<int:user_id>/delete", methods=["GET", "POST"])
@admin_required
@limiter.limit(DELETE_LIMIT, key_func=_user_key, methods=["POST"])
def admin_delete(user_id: int):
    """An admin deletes someone's account on their request, with the admin's own password."""
    user = load_user_or_404(user_id)
    form = AdminDeleteForm()
    refusal = _refusal(user)
    status = 200
    if refusal is None and form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("That password is not right."))
            status = 401
        else:
            myself = user.id == current_user.id
            deletion.delete_account(user)
            record_event("user.deleted", actor=current_user, target=f"user:{user.id}", by="admin")
            db.session.commit()
            current_app.logger.info(
                "user %s deleted the account of user %s", current_user.id, user.id
            )
            if myself:
                logout_user()
                flash(_("Your account is deleted."), "success")
                return redirect(url_for("courses.catalogue"))
            flash(
                _("The account is deleted; its results stay in cohort figures, anonymised."),
                "success",
            )
            return redirect(url_for("privacy.admin_delete", user_id=user.id))
    elif form.errors:
        status = 422
    return render_template(
        "privacy/admin_delete.html", form=form, refusal=refusal, user=user
    ), 409 if refusal and request.method == "POST" else status


@bp.route("/privacy")
def notice():
    """What we store, why, who sees it, how long we keep it, and your rights."""
    return render_template(
        "privacy/notice.html", contact=current_app.config.get("LMS_CONTACT_EMAIL", "")
    )
