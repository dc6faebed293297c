"""Facilitator pages: the dashboard, the cohort and learner pages, cohort settings and
target dates, and the CSV exports."""

from datetime import datetime

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import facilitator_required, role_required
from lms.accounts.models import User
from lms.audit.services import record_event
from lms.cohorts import access, attendance, bp, exports, lists, meetings, operations, reports
from lms.cohorts.forms import CohortForm, SignInLinkForm
from lms.cohorts.models import ModuleTarget
from lms.cohorts.module_reports import module_report, module_stats
from lms.cohorts.rsvps import answers_of, who_is_coming
from lms.courses.services import published_courses
from lms.extensions import db, utcnow
from lms.mail import mail_configured
from lms.organisations.services import partner_choices
from lms.quizzes.models import Attempt


@bp.route("/facilitate")
@facilitator_required
def dashboard():
    """The facilitator's cohorts with headline figures."""
    mine = access.cohorts_for(current_user)
    now = utcnow()
    figures = [(c, reports.cohort_report(c, now).headline(now)) for c in mine]
    upcoming = meetings.next_meetings([c.id for c in mine])
    return render_template("cohorts/dashboard.html", reports=figures, upcoming=upcoming)


@bp.route("/facilitate/cohorts/<int:cohort_id>")
@facilitator_required
def cohort(cohort_id: int):
    """The learner x module matrix a page at a time, per-module figures, sessions, joining."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    report = reports.cohort_report(cohort_)
    args = lists.matrix_args(request.args)
    page = lists.page_of(
        lists.filter_rows(report.rows, **args), request.args.get("page", 1, type=int)
    )
    reports.load_cells(report, page.rows)
    saved = request.args.get("saved", type=int)
    return render_template(
        "cohorts/cohort.html",
        cohort=cohort_,
        report=report,
        saved_meeting=saved if saved in {m.id for m in report.meetings} else None,
        coming=who_is_coming(
            [m for m in report.meetings if not m.cancelled_at and m.ends_at >= utcnow()],
            [r.user for r in report.rows],
        ),
        now=utcnow(),
        page=page,
        module_stats=module_stats(report),
        args=args,
        headline=report.headline(utcnow()),
        join_url=url_for("cohorts.join_code", code=cohort_.join_code, _external=True),
        feed_url=url_for("cohorts.cohort_feed", token=cohort_.calendar_token, _external=True),
    )


@bp.route("/facilitate/cohorts/<int:cohort_id>/modules/<int:module_id>")
@facilitator_required
def cohort_module(cohort_id: int, module_id: int):
    """One module in the cohort: completion, scores, hardest questions, who has not done it."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    course, module = access.load_cohort_module_or_404(cohort_, module_id)
    return render_template(
        "cohorts/module.html",
        cohort=cohort_,
        report=module_report(cohort_, course, module),
    )


@bp.route("/facilitate/cohorts/<int:cohort_id>/export/<kind>.csv")
@facilitator_required
def export(cohort_id: int, kind: str):
    """The matrix, quiz results or attendance as CSV, with the filters of the page."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    if kind not in exports.KINDS:
        abort(404)
    report = reports.cohort_report(cohort_)
    rows = lists.filter_rows(report.rows, **lists.matrix_args(request.args))  # every page, not just one
    current_app.logger.info("export %s of cohort %s by user %s", kind, cohort_.id, current_user.id)
    record_event("cohort.exported", current_user, f"cohort:{cohort_.id}", export=kind)
    db.session.commit()
    # Files are data for spreadsheets and scripts: the same English whatever the UI language.
    with force_locale("en"):
        header, data = exports.cohort_csv(cohort_, kind, report, rows)
        return exports.csv_response(f"cohort-{cohort_.id}-{kind}.csv", header, data)


@bp.app_template_global()
def risk_text(kind: str, detail: str) -> str:
    return exports.risk_text(kind, detail)


# --- cohorts: create, edit, targets, members ------------------------------------------------


def _fill_cohort_choices(form: CohortForm, cohort_=None) -> None:
    form.courses.choices = [(c.id, c.title) for c in published_courses()]
    facilitators = db.session.scalars(
        sa.select(User)
        .where(User.role.in_(("facilitator", "admin")), User.active.is_(True))
        .order_by(User.name)
    )
    form.facilitators.choices = [(u.id, f"{u.name} ({u.email})") for u in facilitators]
    choices = partner_choices()
    if not current_user.is_admin and current_user.is_partner_manager:
        # A partner manager runs their own partners' cohorts: they cannot hand one to another.
        own = set(access.managed_partner_ids(current_user))
        if cohort_ is not None:
            own.add(cohort_.partner_id)
        choices = [(value, label) for value, label in choices if value in own]
    form.partner_id.choices = choices


@bp.route("/facilitate/cohorts/new", methods=["GET", "POST"])
@role_required(lambda user: user.is_admin or user.is_partner_manager)
def new_cohort():
    """Admins (any partner) and partner managers (their own partners) create cohorts and
    assign their facilitators."""
    form = CohortForm()
    _fill_cohort_choices(form)
    if not form.partner_id.choices:
        flash(_("You are not a manager of any partner organisation yet."), "error")
        return redirect(url_for("cohorts.dashboard"))
    if request.method == "GET":
        form.facilitators.data = []
        form.courses.data = []
    if form.validate_on_submit():
        cohort_ = operations.create_cohort(
            form.name.data,
            form.partner_id.data,
            form.language.data,
            form.starts_on.data,
            form.ends_on.data,
            form.courses.data or [],
            form.facilitators.data or [],
        )
        cohort_.join_open = form.join_open.data
        db.session.commit()
        flash(
            _(
                "Cohort “%(name)s” created. Share the join link with its learners.",
                name=cohort_.name,
            ),
            "success",
        )
        return redirect(url_for("cohorts.cohort", cohort_id=cohort_.id))
    return render_template("cohorts/cohort_form.html", form=form, cohort=None, may_assign=True), (
        422 if form.errors else 200
    )


@bp.route("/facilitate/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_cohort(cohort_id: int):
    """Facilitators manage their cohorts; admins and the partner's managers change who
    facilitates."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    form = CohortForm(obj=cohort_)
    _fill_cohort_choices(form, cohort_)
    may_assign = access.may_assign_facilitators(current_user, cohort_)
    if request.method == "GET":
        form.courses.data = [cc.course_id for cc in cohort_.courses]
        form.facilitators.data = [f.user_id for f in cohort_.facilitators]
    if not may_assign:
        form.facilitators.data = [f.user_id for f in cohort_.facilitators]
    if form.validate_on_submit():
        operations.update_cohort(
            cohort_,
            name=form.name.data,
            partner=form.partner_id.data,
            language=form.language.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            join_open=form.join_open.data,
            course_ids=form.courses.data or [],
            facilitator_ids=(form.facilitators.data or []) if may_assign else None,
        )
        db.session.commit()
        flash(_("Cohort saved."), "success")
        return redirect(url_for("cohorts.cohort", cohort_id=cohort_.id))
    return render_template(
        "cohorts/cohort_form.html", form=form, cohort=cohort_, may_assign=may_assign
    ), (422 if form.errors else 200)


@bp.route("/facilitate/cohorts/<int:cohort_id>/targets", methods=["GET", "POST"])
@facilitator_required
def targets(cohort_id: int):
    """Target dates per module, so that "behind schedule" means something."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    courses = access.cohort_modules(cohort_)
    current = dict(
        db.session.execute(
            sa.select(ModuleTarget.module_id, ModuleTarget.due_on).where(
                ModuleTarget.cohort_id == cohort_.id
            )
        ).all()
    )
    errors: dict[int, str] = {}
    values = {
        m.id: (current[m.id].isoformat() if m.id in current else "")
        for _c, ms in courses
        for m in ms
    }
    if request.method == "POST":
        parsed = {}
        for _c, modules in courses:
            for module in modules:
                raw = request.form.get(f"due-{module.id}", "").strip()
                values[module.id] = raw
                if not raw:
                    parsed[module.id] = None
                    continue
                try:
                    parsed[module.id] = datetime.strptime(raw, "%Y-%m-%d").date()
                except ValueError:
                    errors[module.id] = _("Give a date such as 2027-03-31.")
        if not errors:
            operations.set_targets(cohort_, parsed)
            db.session.commit()
            flash(_("Target dates saved."), "success")
            return redirect(url_for("cohorts.cohort", cohort_id=cohort_.id))
    return render_template(
        "cohorts/targets.html", cohort=cohort_, courses=courses, values=values, errors=errors
    ), 422 if errors else 200


@bp.route("/facilitate/cohorts/<int:cohort_id>/join-code", methods=["POST"])
@facilitator_required
def reset_join_code(cohort_id: int):
    """A new join code; the old code and link stop working."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    operations.renew_join_code(cohort_)
    db.session.commit()
    flash(
        _("New join code: %(code)s. The old code no longer works.", code=cohort_.join_code),
        "success",
    )
    return redirect(url_for("cohorts.cohort", cohort_id=cohort_.id))


@bp.route("/facilitate/cohorts/<int:cohort_id>/calendar", methods=["POST"])
@facilitator_required
def reset_cohort_feed(cohort_id: int):
    """A new calendar feed address; the old one stops working."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    operations.renew_calendar_token(cohort_)
    db.session.commit()
    flash(_("The cohort calendar has a new address; the old one no longer works."), "success")
    return redirect(url_for("cohorts.cohort", cohort_id=cohort_.id))


@bp.route("/facilitate/cohorts/<int:cohort_id>/learners/<int:user_id>")
@facilitator_required
def learner(cohort_id: int, user_id: int):
    """One learner: progress, attempts with answers, reflections and attendance."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    membership = access.load_member_or_404(cohort_, user_id)
    report = reports.cohort_report(cohort_, user_ids=[user_id])
    (row,) = report.rows
    reports.load_cells(report, [row])
    module_ids = [m.id for m in report.modules]
    attempts = list(
        db.session.scalars(
            sa.select(Attempt)
            .where(
                Attempt.user_id == user_id,
                Attempt.module_id.in_(module_ids),
                Attempt.submitted_at.is_not(None),
            )
            .order_by(Attempt.module_id, Attempt.number)
        )
    )
    return render_template(
        "cohorts/learner.html",
        cohort=cohort_,
        membership=membership,
        row=row,
        report=report,
        attempts=attempts,
        attendance=attendance.attendance_of(cohort_, [user_id]),
        answers=answers_of(user_id, report.meetings),
        now=utcnow(),
        link_form=SignInLinkForm() if access.may_get_link(membership.user) else None,
        mail=mail_configured(),
    )


@bp.route(
    "/facilitate/cohorts/<int:cohort_id>/learners/<int:user_id>/remove", methods=["GET", "POST"]
)
@facilitator_required
def remove_learner(cohort_id: int, user_id: int):
    """Take a learner out of the cohort (after confirmation); their progress is kept."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    membership = access.load_member_or_404(cohort_, user_id)
    if request.method == "POST":
        name = membership.user.name
        operations.remove_member(membership)
        db.session.commit()
        current_app.logger.info(
            "user %s removed learner %s from cohort %s", current_user.id, user_id, cohort_.id
        )
        flash(_("%(name)s left the cohort. Their own progress is kept.", name=name), "success")
        return redirect(url_for("cohorts.cohort", cohort_id=cohort_.id))
    return render_template("cohorts/confirm_remove.html", cohort=cohort_, membership=membership)
