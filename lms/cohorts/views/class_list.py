"""Bringing learners in: the class-list import, its set-password links, and a new sign-in
link for one learner. Pages and files holding links are kept in no cache."""

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import links as mail_links
from lms.accounts.access import facilitator_required
from lms.accounts.models import User
from lms.audit.services import record_event
from lms.cohorts import access, bp, classlist, exports, operations
from lms.cohorts.forms import ImportForm, ImportLinksForm, SignInLinkForm
from lms.errors import render_error
from lms.extensions import db
from lms.mail import mail_configured


def _no_store(body, status: int = 200) -> Response:
    """A page or file holding set-password links: kept in no cache, shared or private."""
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response


def _set_password_link(user: User) -> str:
    return url_for("accounts.set_password", token=mail_links.set_password_token(user), _external=True)


@bp.route("/facilitate/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@facilitator_required
def import_learners(cohort_id: int):
    """Class list import: preview first, then import every acceptable row in one go."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    form = ImportForm()
    rows, problem, encoding = None, None, None
    importing = request.form.get("action") == "import"
    if form.validate_on_submit():
        text = form.csv_text.data or ""
        upload = request.files.get("csv_file")
        try:
            if importing and form.carried.data:
                rows = classlist.parse_carried(form.carried.data, cohort_.id)
            else:
                if upload and upload.filename:
                    text, encoding = classlist.decode(
                        upload.read(classlist.MAX_BYTES + 1), cohort_.language
                    )
                rows = classlist.parse_class_list(text, cohort_.id)
        except classlist.ClassListError as exc:
            problem = str(exc)
        if rows is not None and importing:
            created = operations.import_class_list(cohort_, rows, current_user, _set_password_link)
            db.session.commit()
            current_app.logger.info(
                "class list import into cohort %s by user %s: %d rows",
                cohort_.id,
                current_user.id,
                len(rows),
            )
            links_form = ImportLinksForm()
            links_form.result.data = classlist.import_result_token(
                cohort_.id,
                current_user.id,
                [(line, user.id) for line, (user, _link) in created.items()],
            )
            return _no_store(
                render_template(
                    "cohorts/import_done.html",
                    cohort=cohort_,
                    rows=rows,
                    results={line: link for line, (_u, link) in created.items()},
                    links_form=links_form,
                    mail=mail_configured(),
                )
            )
        if rows is not None:
            form.carried.data = classlist.canonical_csv(rows)
    elif form.errors:
        problem = _("Your form expired. Please send the list again.")
    return render_template(
        "cohorts/import.html",
        cohort=cohort_,
        form=form,
        rows=rows,
        problem=problem,
        encoding=encoding,
    ), 422 if problem else 200


@bp.route("/facilitate/cohorts/<int:cohort_id>/import/links.csv", methods=["POST"])
@facilitator_required
def import_links(cohort_id: int):
    """The set-password links of the accounts an import created, as CSV, by line in the file.

    No link is stored: the import's page holds a signed list of (line, account) and the links
    are made again here, only for accounts still in this cohort that have never signed in.
    """
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    form = ImportLinksForm()
    created = (
        classlist.import_result(form.result.data, cohort_.id, current_user.id)
        if form.validate_on_submit()
        else None
    )
    if created is None:
        flash(
            _(
                "This import's links can no longer be downloaded. Send a new sign-in link "
                "from each learner's page."
            ),
            "warning",
        )
        return redirect(url_for("cohorts.cohort", cohort_id=cohort_.id))
    with force_locale("en"):  # files are data: the same English whatever the UI language
        data = exports.import_links_csv(cohort_, created, _set_password_link)
    record_event("cohort.exported", current_user, f"cohort:{cohort_.id}", export="import-links")
    db.session.commit()
    current_app.logger.info(
        "set-password links of an import into cohort %s downloaded by user %s",
        cohort_.id,
        current_user.id,
    )
    response = exports.csv_response(
        f"cohort-{cohort_.id}-set-password-links.csv", exports.LINKS_HEADER, data
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(
    "/facilitate/cohorts/<int:cohort_id>/learners/<int:user_id>/sign-in-link", methods=["POST"]
)
@facilitator_required
def learner_sign_in_link(cohort_id: int, user_id: int):
    """A new set-password link for a learner of the cohort: shown to copy, and emailed when
    mail is configured. For an account that never signed in, earlier links stop working."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    membership = access.load_member_or_404(cohort_, user_id)
    user = membership.user
    if not access.may_get_link(user):
        return render_error(403, _("Sign-in links are for active learner accounts only."))
    if not SignInLinkForm().validate_on_submit():
        return render_error(400, _("Your form expired. Please go back and try again."))
    signed_in_before = user.last_seen_at is not None
    emailed = mail_configured()
    link, retired = operations.new_sign_in_link(
        cohort_, user, current_user, _set_password_link, emailed
    )
    if emailed:
        operations.email_sign_in_link(cohort_, user, link)
    db.session.commit()
    current_app.logger.info(
        "user %s made a set-password link for user %s (cohort %s)",
        current_user.id,
        user.id,
        cohort_.id,
    )
    return _no_store(
        render_template(
            "cohorts/sign_in_link.html",
            cohort=cohort_,
            learner=user,
            link=link,
            emailed=emailed,
            retired=retired,
            signed_in_before=signed_in_before,
        )
    )
