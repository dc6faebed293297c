"""Facilitator pages (dashboard, cohort, learner, meetings, attendance, import, exports)
and learner pages (join, my sessions, check-in, calendar feeds, set password)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_time
from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts import services as accounts
from lms.accounts.access import facilitator_required, role_required
from lms.accounts.models import User
from lms.accounts.sessions import start_session
from lms.audit.services import record_event
from lms.cohorts import bp, classlist
from lms.cohorts import services as cohorts
from lms.cohorts.forms import (
    CohortForm,
    ImportForm,
    ImportLinksForm,
    JoinForm,
    MeetingForm,
    SetPasswordForm,
    SignInLinkForm,
)
from lms.cohorts.models import (
    ATTENDANCE_STATUSES,
    RSVP_ANSWERS,
    Attendance,
    Cohort,
    FeedToken,
    Meeting,
    Membership,
    ModuleTarget,
    Rsvp,
)
from lms.cohorts.rsvps import answers_of, who_is_coming
from lms.courses.services import published_courses
from lms.csvfile import csv_text
from lms.errors import render_error
from lms.extensions import db, utcnow
from lms.i18n.services import ui_languages
from lms.mail import mail_configured, send_mail, send_mail_in_background
from lms.organisations.services import partner_choices, partner_for
from lms.progress import services as progress
from lms.quizzes.models import Attempt

#: A learner checking in this long after the start is recorded as late.
LATE_AFTER = timedelta(minutes=10)

# --- dashboard and cohort page ------------------------------------------------------------


@bp.route("/facilitate")
@facilitator_required
def dashboard():
    """The facilitator's cohorts with headline figures."""
    mine = cohorts.cohorts_for(current_user)
    now = utcnow()
    reports = [(c, cohorts.cohort_report(c, now).headline(now)) for c in mine]
    upcoming = cohorts.next_meetings([c.id for c in mine])
    return render_template("cohorts/dashboard.html", reports=reports, upcoming=upcoming)


def _matrix_args():
    show = request.args.get("show", "all")
    sort = request.args.get("sort", "name")
    return {
        "query": request.args.get("q", "")[:100],
        "show": show if show in cohorts.FILTERS else "all",
        "sort": sort if sort in cohorts.SORT_KEYS else "name",
        "descending": request.args.get("dir") == "desc",
    }


@bp.route("/facilitate/cohorts/<int:cohort_id>")
@facilitator_required
def cohort(cohort_id: int):
    """The learner x module matrix a page at a time, per-module figures, sessions, joining."""
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
    report = cohorts.cohort_report(cohort_)
    args = _matrix_args()
    page = cohorts.page_of(
        cohorts.filter_rows(report.rows, **args), request.args.get("page", 1, type=int)
    )
    cohorts.load_cells(report, page.rows)
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
        module_stats=cohorts.module_stats(report),
        args=args,
        headline=report.headline(utcnow()),
        join_url=url_for("cohorts.join_code", code=cohort_.join_code, _external=True),
        feed_url=url_for("cohorts.cohort_feed", token=cohort_.calendar_token, _external=True),
    )


@bp.route("/facilitate/cohorts/<int:cohort_id>/modules/<int:module_id>")
@facilitator_required
def cohort_module(cohort_id: int, module_id: int):
    """One module in the cohort: completion, scores, hardest questions, who has not done it."""
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
    course, module = cohorts.load_cohort_module_or_404(cohort_, module_id)
    return render_template(
        "cohorts/module.html",
        cohort=cohort_,
        report=cohorts.module_report(cohort_, course, module),
    )


# --- exports ------------------------------------------------------------------------------


def _csv_response(filename: str, header: list[str], rows) -> Response:
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


STATUS_WORDS = {
    "not_started": "not started",
    "in_progress": "in progress",
    "completed": "completed",
}


@bp.route("/facilitate/cohorts/<int:cohort_id>/export/<kind>.csv")
@facilitator_required
def export(cohort_id: int, kind: str):
    """The matrix, quiz results or attendance as CSV, with the filters of the page."""
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
    if kind not in ("matrix", "quiz-results", "attendance"):
        abort(404)
    report = cohorts.cohort_report(cohort_)
    rows = cohorts.filter_rows(report.rows, **_matrix_args())  # every page, not just one
    current_app.logger.info("export %s of cohort %s by user %s", kind, cohort_.id, current_user.id)
    record_event("cohort.exported", current_user, f"cohort:{cohort_.id}", export=kind)
    db.session.commit()
    slug = f"cohort-{cohort_.id}-{kind}.csv"
    # Files are data for spreadsheets and scripts: the same English whatever the UI language.
    with force_locale("en"):
        return _export_csv(cohort_, kind, report, rows, slug)


def _export_csv(cohort_, kind: str, report, rows, slug: str) -> Response:
    """The rows of one export; call it under ``force_locale("en")``."""
    if kind == "matrix":
        cohorts.load_cells(report, rows)
        header = ["Learner", "Email", "Progress %", "Average score %", "Last active", "At risk"]
        header += [m.title for m in report.modules]
        data = [
            [
                r.user.name,
                r.user.email,
                r.percent,
                r.average_score,
                r.last_active.isoformat(timespec="minutes") if r.last_active else "",
                "; ".join(_risk_text(k, d) for k, d in r.risks),
            ]
            + [_cell_text(r.cells[m.id]) for m in report.modules]
            for r in rows
        ]
        return _csv_response(slug, header, data)
    if kind == "quiz-results":
        cohorts.load_cells(report, rows)
        header = ["Learner", "Email", "Course", "Module", "Best score %", "Attempts", "Passed"]
        data = [
            [
                r.user.name,
                r.user.email,
                course.title,
                m.title,
                r.cells[m.id].score,
                r.cells[m.id].attempts,
                "yes" if r.cells[m.id].passed else "no",
            ]
            for r in rows
            for course, modules in report.courses
            for m in modules
            if r.cells[m.id].attempts
        ]
        return _csv_response(slug, header, data)
    recorded = cohorts.attendance_of(cohort_)
    meetings = [m for m in report.meetings if m.cancelled_at is None]
    header = ["Learner", "Email"] + [f"{m.title} ({m.starts_at:%Y-%m-%d})" for m in meetings]
    data = [
        [r.user.name, r.user.email]
        + [
            recorded.get(
                (m.id, r.user.id), "" if m.starts_at >= r.joined_at else "not yet a member"
            )
            for m in meetings
        ]
        for r in rows
    ]
    return _csv_response(slug, header, data)


def _cell_text(cell) -> str:
    text = STATUS_WORDS[cell.status]
    if cell.score is not None:
        text += f" ({cell.score:.0f}%)"
    return text


def _risk_text(kind: str, detail: str) -> str:
    """Why a learner is at risk, in words; ``detail`` is a count, or a module's title."""
    if kind == "failed_quiz":
        return _("failed the quiz of “%(module)s” twice", module=detail)
    count = int(detail) if str(detail).isdigit() else 0
    if kind == "inactive":
        return ngettext("inactive for %(num)d day", "inactive for %(num)d days", count)
    if kind == "behind":
        return ngettext(
            "behind schedule on %(num)d module", "behind schedule on %(num)d modules", count
        )
    if kind == "missed_sessions":
        return ngettext("missed %(num)d session", "missed %(num)d sessions", count)
    return kind


@bp.app_template_global()
def risk_text(kind: str, detail: str) -> str:
    return _risk_text(kind, detail)


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
        own = set(cohorts.managed_partner_ids(current_user))
        if cohort_ is not None:
            own.add(cohort_.partner_id)
        choices = [(value, label) for value, label in choices if value in own]
    form.partner_id.choices = choices


def _may_assign_facilitators(cohort_=None) -> bool:
    """Admins, and partner managers for their own partners' cohorts."""
    if current_user.is_admin:
        return True
    own = cohorts.managed_partner_ids(current_user)
    return bool(own) and (cohort_ is None or cohort_.partner_id in own)


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
        cohort_ = cohorts.create_cohort(
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
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
    form = CohortForm(obj=cohort_)
    _fill_cohort_choices(form, cohort_)
    may_assign = _may_assign_facilitators(cohort_)
    if request.method == "GET":
        form.courses.data = [cc.course_id for cc in cohort_.courses]
        form.facilitators.data = [f.user_id for f in cohort_.facilitators]
    if not may_assign:
        form.facilitators.data = [f.user_id for f in cohort_.facilitators]
    if form.validate_on_submit():
        for name in ("name", "language", "starts_on", "ends_on", "join_open"):
            setattr(cohort_, name, getattr(form, name).data)
        cohort_.partner = partner_for(form.partner_id.data)
        cohorts.set_courses(cohort_, form.courses.data or [])
        if may_assign:
            cohorts.set_facilitators(cohort_, form.facilitators.data or [])
        db.session.commit()
        flash(_("Cohort saved."), "success")
        return redirect(url_for("cohorts.cohort", cohort_id=cohort_.id))
    return render_template(
        "cohorts/cohort_form.html", form=form, cohort=cohort_, may_assign=may_assign
    ), (
        422 if form.errors else 200
    )


@bp.route("/facilitate/cohorts/<int:cohort_id>/targets", methods=["GET", "POST"])
@facilitator_required
def targets(cohort_id: int):
    """Target dates per module, so that "behind schedule" means something."""
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
    courses = cohorts.cohort_modules(cohort_)
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
            cohorts.set_targets(cohort_, parsed)
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
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
    cohort_.join_code = cohorts.new_join_code()
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
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
    cohort_.calendar_token = cohorts.new_token()
    db.session.commit()
    flash(_("The cohort calendar has a new address; the old one no longer works."), "success")
    return redirect(url_for("cohorts.cohort", cohort_id=cohort_.id))


@bp.route("/facilitate/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@facilitator_required
def import_learners(cohort_id: int):
    """Class list import: preview first, then import every acceptable row in one go."""
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
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
            created = _apply_import(cohort_, rows)
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


def _no_store(body, status: int = 200) -> Response:
    """A page or file holding set-password links: kept in no cache, shared or private."""
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response


def _set_password_link(user: User) -> str:
    return url_for("cohorts.set_password", token=accounts.set_password_token(user), _external=True)


def _apply_import(cohort_, rows) -> dict[int, tuple[User, str]]:
    """Create accounts and memberships; returns the new accounts and their set-password links
    by line."""
    created: dict[int, tuple[User, str]] = {}
    for row in rows:
        if row.outcome == classlist.CREATE:
            user = accounts.create_invited_user(row.email, row.name, locale=cohort_.language)
            record_event("user.created", current_user, f"user:{user.id}", via="class list")
            link = _set_password_link(user)
            created[row.line] = (user, link)
            # The new learner has chosen no language yet: write in the cohort's, if we can.
            language = cohort_.language if cohort_.language in ui_languages() else "en"
            with force_locale(language):
                subject = _("Your COCO4CCI Academy account")
                body = _(
                    "Hello %(name)s,\n\nyou have been added to the cohort %(cohort)s. "
                    "Choose your password here (the link works for 14 days):\n%(link)s\n",
                    name=user.name,
                    cohort=cohort_.name,
                    link=link,
                )
            send_mail(user.email, subject, body)
            cohorts.add_member(cohort_, user)
        elif row.outcome == classlist.ADD:
            user = accounts.find_user_by_email(row.email)
            cohorts.add_member(cohort_, user)
    return created


@bp.route("/facilitate/cohorts/<int:cohort_id>/import/links.csv", methods=["POST"])
@facilitator_required
def import_links(cohort_id: int):
    """The set-password links of the accounts an import created, as CSV, by line in the file.

    No link is stored: the import's page holds a signed list of (line, account) and the links
    are made again here, only for accounts still in this cohort that have never signed in.
    """
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
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
    ids = [user_id for _line, user_id in created]
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    members = set(
        db.session.scalars(
            sa.select(Membership.user_id).where(
                Membership.cohort_id == cohort_.id, Membership.user_id.in_(ids)
            )
        )
    )
    data = []
    with force_locale("en"):  # files are data: the same English whatever the UI language
        for line, user_id in created:
            user = users.get(user_id)
            if user is None or user_id not in members or not _may_get_link(user):
                data.append([line, "", "", "", "not in this cohort any more"])
            elif user.last_seen_at is not None:
                data.append([line, user.name, user.email, "", "signed in already"])
            else:
                data.append([line, user.name, user.email, _set_password_link(user), ""])
    record_event("cohort.exported", current_user, f"cohort:{cohort_.id}", export="import-links")
    db.session.commit()
    current_app.logger.info(
        "set-password links of an import into cohort %s downloaded by user %s",
        cohort_.id,
        current_user.id,
    )
    response = _csv_response(
        f"cohort-{cohort_.id}-set-password-links.csv",
        ["Line", "Name", "Email", "Set-password link", "Note"],
        data,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_get_link(user: User) -> bool:
    """Set-password links are for active learner accounts only (never a facilitator's or
    admin's account, even when it is a member of the cohort)."""
    return user.role == "learner" and user.is_active


@bp.route("/facilitate/cohorts/<int:cohort_id>/learners/<int:user_id>")
@facilitator_required
def learner(cohort_id: int, user_id: int):
    """One learner: progress, attempts with answers, reflections and attendance."""
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
    membership = cohorts.load_member_or_404(cohort_, user_id)
    report = cohorts.cohort_report(cohort_, user_ids=[user_id])
    (row,) = report.rows
    cohorts.load_cells(report, [row])
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
        attendance=cohorts.attendance_of(cohort_, [user_id]),
        answers=answers_of(user_id, report.meetings),
        now=utcnow(),
        link_form=SignInLinkForm() if _may_get_link(membership.user) else None,
        mail=mail_configured(),
    )


@bp.route(
    "/facilitate/cohorts/<int:cohort_id>/learners/<int:user_id>/sign-in-link", methods=["POST"]
)
@facilitator_required
def learner_sign_in_link(cohort_id: int, user_id: int):
    """A new set-password link for a learner of the cohort: shown to copy, and emailed when
    mail is configured. For an account that never signed in, earlier links stop working."""
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
    membership = cohorts.load_member_or_404(cohort_, user_id)
    user = membership.user
    if not _may_get_link(user):
        return render_error(403, _("Sign-in links are for active learner accounts only."))
    if not SignInLinkForm().validate_on_submit():
        return render_error(400, _("Your form expired. Please go back and try again."))
    signed_in_before = user.last_seen_at is not None
    retired = accounts.retire_set_password_links(user)
    link = _set_password_link(user)
    emailed = mail_configured()
    record_event(
        "user.sign_in_link",
        current_user,
        f"user:{user.id}",
        cohort=cohort_.id,
        emailed=emailed,
        earlier_links_retired=retired,
    )
    db.session.commit()
    current_app.logger.info(
        "user %s made a set-password link for user %s (cohort %s)",
        current_user.id,
        user.id,
        cohort_.id,
    )
    if emailed:
        language = user.locale if user.locale in ui_languages() else "en"
        with force_locale(language):
            subject = _("Your sign-in link for COCO4CCI Academy")
            body = _(
                "Hello %(name)s,\n\nyour facilitator sent you a new link for the cohort "
                "%(cohort)s. Choose your password here (the link works for 14 days, once):"
                "\n%(link)s\n",
                name=user.name,
                cohort=cohort_.name,
                link=link,
            )
        send_mail_in_background(user.email, subject, body)
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


@bp.route(
    "/facilitate/cohorts/<int:cohort_id>/learners/<int:user_id>/remove", methods=["GET", "POST"]
)
@facilitator_required
def remove_learner(cohort_id: int, user_id: int):
    """Take a learner out of the cohort (after confirmation); their progress is kept."""
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
    membership = cohorts.load_member_or_404(cohort_, user_id)
    if request.method == "POST":
        name = membership.user.name
        db.session.delete(membership)
        db.session.commit()
        current_app.logger.info(
            "user %s removed learner %s from cohort %s", current_user.id, user_id, cohort_.id
        )
        flash(_("%(name)s left the cohort. Their own progress is kept.", name=name), "success")
        return redirect(url_for("cohorts.cohort", cohort_id=cohort_.id))
    return render_template("cohorts/confirm_remove.html", cohort=cohort_, membership=membership)


# --- meetings -----------------------------------------------------------------------------


def _module_choices(cohort_):
    return [
        (m.id, f"{c.title}: {m.title}") for c, ms in cohorts.cohort_modules(cohort_) for m in ms
    ]


def _meeting_times(form: MeetingForm) -> tuple[datetime, datetime]:
    zone = ZoneInfo(form.timezone.data)
    start = datetime.combine(form.day.data, form.start_time.data, tzinfo=zone)
    end = datetime.combine(form.day.data, form.end_time.data, tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def _save_meeting(meeting: Meeting, form: MeetingForm) -> None:
    meeting.title = form.title.data.strip()
    meeting.starts_at, meeting.ends_at = _meeting_times(form)
    meeting.timezone = form.timezone.data
    meeting.place = (form.place.data or "").strip()
    meeting.online_url = (form.online_url.data or "").strip()
    meeting.capacity = form.capacity.data
    meeting.notes = (form.notes.data or "").strip()
    cohorts.set_meeting_modules(meeting, form.prepare.data or [], form.follow_up.data or [])
    if meeting.id is not None:
        meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = utcnow()


def _back_to_sessions(meeting: Meeting):
    """To the cohort page's sessions, where the confirmation then shows (not at the top of
    the page, scrolled out of view) and the session is marked."""
    return redirect(
        url_for("cohorts.cohort", cohort_id=meeting.cohort_id, saved=meeting.id, _anchor="sessions")
    )


@bp.route("/facilitate/cohorts/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
@facilitator_required
def new_meeting(cohort_id: int):
    """Schedule a face-to-face session for the cohort."""
    cohort_ = cohorts.load_cohort_or_404(cohort_id, current_user)
    form = MeetingForm()
    form.prepare.choices = form.follow_up.choices = _module_choices(cohort_)
    if request.method == "GET":
        form.prepare.data, form.follow_up.data = [], []
        zone = cohorts.default_timezone(cohort_)
        if zone in {choice.value for choice in form.timezone.choices}:
            form.timezone.data = zone
    if form.validate_on_submit():
        meeting = Meeting(
            cohort_id=cohort_.id,
            checkin_token=cohorts.new_token(),
            starts_at=utcnow(),
            ends_at=utcnow(),
            title="",
        )
        db.session.add(meeting)
        _save_meeting(meeting, form)
        db.session.commit()
        flash(_("Session “%(title)s” scheduled.", title=meeting.title), "success")
        return _back_to_sessions(meeting)
    return render_template(
        "cohorts/meeting_form.html", form=form, cohort=cohort_, meeting=None
    ), 422 if form.errors else 200


@bp.route("/facilitate/sessions/<int:meeting_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_meeting(meeting_id: int):
    meeting = cohorts.load_meeting_or_404(meeting_id, current_user)
    form = MeetingForm(obj=meeting)
    form.prepare.choices = form.follow_up.choices = _module_choices(meeting.cohort)
    if request.method == "GET":
        local_start = meeting.starts_at.astimezone(ZoneInfo(meeting.timezone))
        form.day.data = local_start.date()
        form.start_time.data = local_start.time().replace(tzinfo=None)
        form.end_time.data = meeting.ends_at.astimezone(ZoneInfo(meeting.timezone)).time()
        form.prepare.data = [m.module_id for m in meeting.modules if m.kind == "prepare"]
        form.follow_up.data = [m.module_id for m in meeting.modules if m.kind == "follow_up"]
    if form.validate_on_submit():
        _save_meeting(meeting, form)
        db.session.commit()
        flash(_("Session saved."), "success")
        return _back_to_sessions(meeting)
    return render_template(
        "cohorts/meeting_form.html", form=form, cohort=meeting.cohort, meeting=meeting
    ), 422 if form.errors else 200


@bp.route("/facilitate/sessions/<int:meeting_id>/cancel", methods=["GET", "POST"])
@facilitator_required
def cancel_meeting(meeting_id: int):
    """Cancel a session after confirmation; it stays in calendars as cancelled."""
    meeting = cohorts.load_meeting_or_404(meeting_id, current_user)
    if meeting.ends_at < utcnow() or meeting.cancelled_at is not None:
        flash(_("This session is over or already cancelled: there is nothing to cancel."), "info")
        return _back_to_sessions(meeting)
    if request.method == "POST":
        meeting.cancelled_at = meeting.updated_at = utcnow()
        meeting.sequence = (meeting.sequence or 0) + 1
        db.session.commit()
        flash(
            _(
                "Session “%(title)s” cancelled. Calendars show it as cancelled.",
                title=meeting.title,
            ),
            "success",
        )
        return _back_to_sessions(meeting)
    return render_template("cohorts/confirm_cancel.html", meeting=meeting)


@bp.route("/facilitate/sessions/<int:meeting_id>/attendance", methods=["GET", "POST"])
@facilitator_required
def attendance(meeting_id: int):
    """Take attendance on a phone: "Mark all present", then the exceptions."""
    meeting = cohorts.load_meeting_or_404(meeting_id, current_user)
    expected = cohorts.expected_attendees(meeting)
    if request.method == "POST":
        ids = {m.user_id for m in expected}
        if request.form.get("action") == "all_present":
            recorded = {
                a.user_id
                for a in db.session.scalars(
                    sa.select(Attendance).where(Attendance.meeting_id == meeting.id)
                )
            }
            statuses = {uid: "present" for uid in ids if uid not in recorded}
        else:
            statuses = {}
            for uid in ids:
                value = request.form.get(f"status-{uid}")
                if value is None:
                    continue
                if value not in ATTENDANCE_STATUSES:
                    return render_error(400, _("Unknown attendance status."))
                statuses[uid] = value
        changed = cohorts.record_attendance(meeting, statuses, current_user.id)
        db.session.commit()
        flash(_attendance_saved(changed), "success")
        return redirect(url_for("cohorts.attendance", meeting_id=meeting.id))
    records = {
        a.user_id: a
        for a in db.session.scalars(
            sa.select(Attendance).where(Attendance.meeting_id == meeting.id)
        )
    }
    rsvps = dict(
        db.session.execute(
            sa.select(Rsvp.user_id, Rsvp.answer).where(Rsvp.meeting_id == meeting.id)
        ).all()
    )
    expected.sort(key=lambda m: m.user.name.casefold())
    return render_template(
        "cohorts/attendance.html",
        meeting=meeting,
        expected=expected,
        records=records,
        rsvps=rsvps,
        coming=who_is_coming([meeting], [m.user for m in expected])[meeting.id],
        statuses=ATTENDANCE_STATUSES,
    )


def _attendance_saved(changed: int) -> str:
    """The confirmation after saving, also when the list was saved as it was."""
    if not changed:
        return _("Attendance saved. Nothing changed.")
    return ngettext(
        "Attendance saved: %(num)d change.", "Attendance saved: %(num)d changes.", changed
    )


#: How often the projector page asks for the check-in count (JavaScript), and reloads
#: itself without JavaScript, in seconds.
CHECKIN_POLL_SECONDS, CHECKIN_REFRESH_SECONDS = 5, 15


@bp.route("/facilitate/sessions/<int:meeting_id>/checkin-code")
@facilitator_required
def checkin_code(meeting_id: int):
    """The projector page for the room: the QR code learners scan to check themselves in,
    as large as the screen allows, and how many are in so far."""
    import segno

    meeting = cohorts.load_meeting_or_404(meeting_id, current_user)
    url = url_for("cohorts.checkin", token=meeting.checkin_token, _external=True)
    opens, closes = cohorts.checkin_window(meeting)
    here, expected = cohorts.checked_in_count(meeting)
    # Times of the room, in the zone the session was scheduled in (as on its invitation).
    zone, locale = ZoneInfo(meeting.timezone), get_locale()
    return render_template(
        "cohorts/checkin_code.html",
        meeting=meeting,
        url=url,
        # No width or height of its own: the stylesheet sizes it to the screen.
        qr_svg=segno.make(url, error="m").svg_inline(
            scale=1, dark="#1b1f24", light="#ffffff", omitsize=True, svgclass="qr-code"
        ),
        opens_time=format_time(opens.astimezone(zone), "short", locale=locale),
        closes_time=format_time(closes.astimezone(zone), "short", locale=locale),
        state=cohorts.checkin_state(meeting),
        count_text=_checked_in_text(here, expected),
        poll_seconds=CHECKIN_POLL_SECONDS,
        refresh_seconds=CHECKIN_REFRESH_SECONDS,
    )


def _checked_in_text(here: int, expected: int) -> str:
    """"3 of 12 checked in", in the plural form the expected number asks for."""
    return ngettext(
        "%(here)d of %(num)d checked in", "%(here)d of %(num)d checked in", expected, here=here
    )


@bp.route("/facilitate/sessions/<int:meeting_id>/checkin-count.json")
@facilitator_required
def checkin_count(meeting_id: int):
    """The projector page's live figure: who is in so far, and whether check-in is open."""
    meeting = cohorts.load_meeting_or_404(meeting_id, current_user)
    here, expected = cohorts.checked_in_count(meeting)
    response = jsonify(
        checked_in=here,
        expected=expected,
        text=_checked_in_text(here, expected),
        state=cohorts.checkin_state(meeting),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- learners -----------------------------------------------------------------------------


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join():
    """Join a cohort with the code a facilitator gave."""
    form = JoinForm()
    if form.validate_on_submit():
        found = cohorts.cohort_by_join_code(form.code.data)
        if found is None or not found.join_open:
            form.code.errors.append(
                _("No cohort is open with this code. Check it with your facilitator.")
            )
        else:
            return redirect(url_for("cohorts.join_code", code=found.join_code))
    return render_template("cohorts/join.html", form=form), 422 if form.errors else 200


@bp.route("/join/<code>", methods=["GET", "POST"])
@login_required
def join_code(code: str):
    """Confirm and join (the link a facilitator shares)."""
    found = cohorts.cohort_by_join_code(code)
    if found is None or not found.join_open:
        form = JoinForm(data={"code": code[:40]})
        form.code.errors = [
            _(
                "No cohort is open with this code. Check the link with your "
                "facilitator, or type the code again."
            )
        ]
        return render_template("cohorts/join.html", form=form), 404
    if request.method == "POST":
        if cohorts.add_member(found, current_user):
            flash(_("Welcome to %(cohort)s!", cohort=found.name), "success")
        else:
            flash(_("You are already in %(cohort)s.", cohort=found.name), "info")
        db.session.commit()
        return redirect(url_for("cohorts.my_sessions"))
    return render_template("cohorts/join_confirm.html", cohort=found)


@bp.route("/me/sessions")
@login_required
def my_sessions():
    """Upcoming sessions of the learner's cohorts: what to prepare, and whether they come."""
    cohort_ids = cohorts.member_cohort_ids(current_user.id)
    meetings = cohorts.meetings_of(cohort_ids, upcoming_only=True)
    module_ids = [mm.module_id for m in meetings for mm in m.modules]
    done = progress.completed_module_ids(current_user.id, module_ids)
    answers = dict(
        db.session.execute(
            sa.select(Rsvp.meeting_id, Rsvp.answer).where(
                Rsvp.user_id == current_user.id, Rsvp.meeting_id.in_([m.id for m in meetings])
            )
        ).all()
    )
    coming = dict(
        db.session.execute(
            sa.select(Rsvp.meeting_id, sa.func.count(Rsvp.id))
            .where(Rsvp.meeting_id.in_([m.id for m in meetings]), Rsvp.answer == "yes")
            .group_by(Rsvp.meeting_id)
        ).all()
    )
    token = db.session.scalar(
        sa.select(FeedToken.token).where(FeedToken.user_id == current_user.id)
    )
    return render_template(
        "cohorts/my_sessions.html",
        meetings=meetings,
        done=done,
        answers=answers,
        coming=coming,
        has_cohort=bool(cohort_ids),
        feed_url=url_for("cohorts.learner_feed", token=token, _external=True) if token else None,
    )


@bp.route("/me/sessions/<int:meeting_id>/rsvp", methods=["POST"])
@login_required
def rsvp(meeting_id: int):
    """Say whether you will come (from the sessions page, or from the learner's home)."""
    meeting = cohorts.load_member_meeting_or_404(meeting_id, current_user)
    answer = request.form.get("answer")
    if answer not in RSVP_ANSWERS:
        return render_error(400, _("Choose yes, no or maybe."))
    if meeting.cancelled_at is not None or meeting.ends_at < utcnow():
        flash(_("This session is over or cancelled."), "warning")
        return redirect(_after_rsvp())
    row = db.session.scalar(
        sa.select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == current_user.id)
    )
    if answer == "yes" and meeting.capacity and (row is None or row.answer != "yes"):
        taken = db.session.scalar(
            sa.select(sa.func.count(Rsvp.id)).where(
                Rsvp.meeting_id == meeting.id, Rsvp.answer == "yes"
            )
        )
        if taken >= meeting.capacity:
            flash(
                _("Sorry, this session is full. Your facilitator can tell you about the next one."),
                "warning",
            )
            return redirect(_after_rsvp())
    if row is None:
        db.session.add(Rsvp(meeting_id=meeting.id, user_id=current_user.id, answer=answer))
    else:
        row.answer, row.answered_at = answer, utcnow()
    db.session.commit()
    flash(_("Thank you, your answer is saved."), "success")
    return redirect(_after_rsvp())


def _after_rsvp() -> str:
    """Back to the page the answer came from: the learner's home or the sessions page."""
    if request.form.get("back") == "home":
        return url_for("progress.my_learning")
    return url_for("cohorts.my_sessions")


@bp.route("/checkin/<token>", methods=["GET", "POST"])
@login_required
def checkin(token: str):
    """Self check-in from the room's QR code, valid only during the session."""
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.checkin_token == token))
    if meeting is None or meeting.cancelled_at is not None:
        return render_error(404, _("This check-in code is not valid."))
    if meeting.cohort_id not in cohorts.member_cohort_ids(current_user.id):
        return render_error(403, _("You are not in the cohort of this session."))
    opens, closes = cohorts.checkin_window(meeting)
    now = utcnow()
    if not opens <= now <= closes:
        return render_template(
            "cohorts/checkin.html", meeting=meeting, state="closed", opens=opens, closes=closes
        ), 409
    if request.method == "POST":
        status = "late" if now > meeting.starts_at + LATE_AFTER else "present"
        existing = db.session.scalar(
            sa.select(Attendance).where(
                Attendance.meeting_id == meeting.id, Attendance.user_id == current_user.id
            )
        )
        if existing is None:
            cohorts.record_attendance(meeting, {current_user.id: status}, None, source="checkin")
            db.session.commit()
        return render_template("cohorts/checkin.html", meeting=meeting, state="done")
    return render_template("cohorts/checkin.html", meeting=meeting, state="open")


@bp.route("/me/calendar", methods=["POST"])
@login_required
def new_learner_feed():
    """Create (or replace, which revokes the old one) the learner's private calendar address."""
    row = db.session.scalar(sa.select(FeedToken).where(FeedToken.user_id == current_user.id))
    if row is None:
        db.session.add(FeedToken(user_id=current_user.id, token=cohorts.new_token()))
        flash(_("Your calendar address is ready. Add it to your calendar app."), "success")
    else:
        row.token, row.created_at = cohorts.new_token(), utcnow()
        flash(_("Your calendar has a new address; the old one no longer works."), "success")
    db.session.commit()
    return redirect(url_for("cohorts.my_sessions") + "#calendar")


def _feed(meetings, name: str, language: str) -> Response:
    """The iCalendar file, its few words in ``language`` when the UI has it, else English."""
    from lms.cohorts.calendar import build_calendar

    with force_locale(language if language in ui_languages() else "en"):
        body = build_calendar(meetings, str(name), current_app.config["LMS_BASE_URL"])
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="sessions.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )


@bp.route("/calendar/<token>.ics")
def learner_feed(token: str):
    """A learner's sessions across their cohorts; the token is the only key."""
    row = db.session.scalar(sa.select(FeedToken).where(FeedToken.token == token))
    owner = db.session.get(User, row.user_id) if row is not None else None
    if owner is None or not owner.is_active:  # a disabled or deleted account's feed ends
        abort(404)
    meetings = cohorts.meetings_of(cohorts.member_cohort_ids(row.user_id))
    language = owner.locale
    with force_locale(language if language in ui_languages() else "en"):
        name = _("COCO4CCI sessions")
    return _feed(meetings, name, language)


@bp.route("/calendar/cohort/<token>.ics")
def cohort_feed(token: str):
    found = db.session.scalar(sa.select(Cohort).where(Cohort.calendar_token == token))
    if found is None:
        abort(404)
    return _feed(cohorts.meetings_of([found.id]), found.name, found.language)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """The link a new, imported learner gets: choose a password and sign in."""
    user, reason = accounts.check_set_password_token(token)
    if user is None:
        # Not a dead end: what happened, and what to do (a new link, a reset, or sign in).
        return render_template(
            "cohorts/set_password_invalid.html", reason=reason, mail=mail_configured()
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
    return render_template("cohorts/set_password.html", form=form, user=user), (
        422 if form.errors else 200
    )
