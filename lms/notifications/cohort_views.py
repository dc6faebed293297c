"""Facilitators' pages for writing to learners: nudges from the cohort matrix and cohort
announcements (issue 16). Each loads and authorizes the cohort with lms.cohorts.access."""

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

import lms.notifications.cohort_models  # noqa: F401  (the tables)
from lms.accounts.access import facilitator_required
from lms.cohorts import access, lists, meetings, reports
from lms.extensions import db
from lms.forms import LmsForm
from lms.notifications import bp
from lms.notifications.nudges import OWN, TEMPLATES, announce, compose, nudges_of, send_nudges


class NudgeForm(LmsForm):
    template = RadioField(
        _l("Message"),
        choices=[SelectChoice(key, label) for key, (label, _s, _b) in TEMPLATES.items()]
        + [SelectChoice(OWN, _l("Write my own"))],
        default="miss_you",
        validators=[DataRequired()],
    )
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(_l("Your message"), validators=[Optional(), Length(max=5000)])
    batch = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        if self.template.data == OWN:
            if not (self.subject.data or "").strip():
                self.subject.errors = [*self.subject.errors, _("Please write a subject.")]
                valid = False
            if not (self.body.data or "").strip():
                self.body.errors = [*self.body.errors, _("Please write a message.")]
                valid = False
        return valid


class AnnouncementForm(LmsForm):
    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(_l("Please write a subject.")), Length(max=200)],
    )
    body = TextAreaField(
        _l("Your message"),
        validators=[DataRequired(_l("Please write a message.")), Length(max=5000)],
    )


@bp.route("/facilitate/cohorts/<int:cohort_id>/nudge", methods=["GET", "POST"])
@facilitator_required
def nudge(cohort_id: int):
    """Choose learners (those the matrix's filters show), a message, preview each copy, send."""
    cohort = access.load_cohort_or_404(cohort_id, current_user)
    report = reports.cohort_report(cohort)
    args = lists.matrix_args(request.values)
    # A deleted account can no longer be written to.
    reachable = [r for r in report.rows if r.user.deleted_at is None and r.user.active]
    by_id = {r.user.id: r for r in reachable}
    shown = [r for r in lists.filter_rows(report.rows, **args) if r.user.id in by_id]
    form = NudgeForm()
    if request.method == "GET":
        chosen = [r.user.id for r in shown]
        return render_template(
            "notifications/nudge.html",
            cohort=cohort,
            form=form,
            rows=shown,
            chosen=chosen,
            args=args,
            previews=None,
        )
    try:
        chosen = [int(v) for v in request.form.getlist("learner")]
    except ValueError:
        abort(400)
    if any(user_id not in by_id for user_id in chosen):
        abort(404)  # only the cohort's own learners
    selected = [by_id[user_id] for user_id in dict.fromkeys(chosen)]
    valid = form.validate_on_submit()
    if valid and not selected:
        form.template.errors = [*form.template.errors, _("Choose at least one learner.")]
        valid = False
    if not valid:
        rows = shown or reachable
        return render_template(
            "notifications/nudge.html",
            cohort=cohort,
            form=form,
            rows=rows,
            chosen=chosen,
            args=args,
            previews=None,
        ), 422
    reports.load_cells(report, selected)
    next_meeting = meetings.next_meetings([cohort.id]).get(cohort.id)
    if request.form.get("action") == "send" and form.batch.data:
        count = send_nudges(
            report,
            selected,
            next_meeting,
            current_user,
            form.template.data,
            form.subject.data or "",
            form.body.data or "",
            form.batch.data[:40],
        )
        db.session.commit()
        flash(
            ngettext("Nudge sent to %(num)d learner.", "Nudge sent to %(num)d learners.", count)
            if count
            else _("This nudge was already sent."),
            "success",
        )
        return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))
    form.batch.data = secrets.token_urlsafe(16)
    previews = [
        (
            row,
            *compose(
                row,
                report,
                next_meeting,
                form.template.data,
                form.subject.data or "",
                form.body.data or "",
            ),
        )
        for row in selected
    ]
    return render_template(
        "notifications/nudge.html",
        cohort=cohort,
        form=form,
        rows=selected,
        chosen=chosen,
        args=args,
        previews=previews,
    )


@bp.route("/facilitate/cohorts/<int:cohort_id>/announce", methods=["GET", "POST"])
@facilitator_required
def announce_page(cohort_id: int):
    """Write to every member of the cohort: the form, a preview, then "send to N learners"."""
    cohort = access.load_cohort_or_404(cohort_id, current_user)
    form = AnnouncementForm()
    from lms.notifications.receivers import cohort_members

    members = cohort_members(cohort.id)
    if form.validate_on_submit() and request.form.get("action") != "edit":
        if request.form.get("action") == "send":
            sent = announce(cohort, current_user, form.subject.data, form.body.data)
            db.session.commit()
            flash(
                ngettext(
                    "Announcement sent to %(num)d learner.",
                    "Announcement sent to %(num)d learners.",
                    sent.recipients,
                ),
                "success",
            )
            return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))
        return render_template(
            "notifications/announce.html", cohort=cohort, form=form, members=members, preview=True
        )
    return render_template(
        "notifications/announce.html", cohort=cohort, form=form, members=members, preview=False
    ), (422 if form.errors else 200)


@bp.app_template_global()
def nudges_sent(cohort_id: int, user_id: int):
    """For the facilitator's page of one learner: what was sent to them, when."""
    return nudges_of(cohort_id, user_id)
