"""Learner pages: join a cohort, my sessions and whether I come, self check-in from the
room's QR code, and the calendar feeds (a learner's and a cohort's)."""

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.models import User
from lms.cohorts import access, attendance, bp, meetings, operations
from lms.cohorts.forms import JoinForm
from lms.cohorts.models import RSVP_ANSWERS, Cohort, FeedToken, Meeting, Rsvp
from lms.errors import render_error
from lms.extensions import db, utcnow
from lms.i18n.services import ui_languages
from lms.progress import services as progress


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join():
    """Join a cohort with the code a facilitator gave."""
    form = JoinForm()
    if form.validate_on_submit():
        found = access.cohort_by_join_code(form.code.data)
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
    found = access.cohort_by_join_code(code)
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
        if operations.add_member(found, current_user):
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
    cohort_ids = access.member_cohort_ids(current_user.id)
    upcoming = meetings.meetings_of(cohort_ids, upcoming_only=True)
    module_ids = [mm.module_id for m in upcoming for mm in m.modules]
    done = progress.completed_module_ids(current_user.id, module_ids)
    answers = dict(
        db.session.execute(
            sa.select(Rsvp.meeting_id, Rsvp.answer).where(
                Rsvp.user_id == current_user.id, Rsvp.meeting_id.in_([m.id for m in upcoming])
            )
        ).all()
    )
    coming = dict(
        db.session.execute(
            sa.select(Rsvp.meeting_id, sa.func.count(Rsvp.id))
            .where(Rsvp.meeting_id.in_([m.id for m in upcoming]), Rsvp.answer == "yes")
            .group_by(Rsvp.meeting_id)
        ).all()
    )
    token = meetings.feed_token_of(current_user.id)
    return render_template(
        "cohorts/my_sessions.html",
        meetings=upcoming,
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
    meeting = access.load_member_meeting_or_404(meeting_id, current_user)
    answer = request.form.get("answer")
    if answer not in RSVP_ANSWERS:
        return render_error(400, _("Choose yes, no or maybe."))
    outcome = meetings.answer_rsvp(meeting, current_user.id, answer)
    if outcome == meetings.RSVP_CLOSED:
        flash(_("This session is over or cancelled."), "warning")
    elif outcome == meetings.RSVP_FULL:
        flash(
            _("Sorry, this session is full. Your facilitator can tell you about the next one."),
            "warning",
        )
    else:
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
    if meeting.cohort_id not in access.member_cohort_ids(current_user.id):
        return render_error(403, _("You are not in the cohort of this session."))
    opens, closes = attendance.checkin_window(meeting)
    now = utcnow()
    if not opens <= now <= closes:
        return render_template(
            "cohorts/checkin.html", meeting=meeting, state="closed", opens=opens, closes=closes
        ), 409
    if request.method == "POST":
        attendance.check_in(meeting, current_user.id, now)
        db.session.commit()
        return render_template("cohorts/checkin.html", meeting=meeting, state="done")
    return render_template("cohorts/checkin.html", meeting=meeting, state="open")


@bp.route("/me/calendar", methods=["POST"])
@login_required
def new_learner_feed():
    """Create (or replace, which revokes the old one) the learner's private calendar address."""
    if meetings.renew_feed_token(current_user.id):
        flash(_("Your calendar address is ready. Add it to your calendar app."), "success")
    else:
        flash(_("Your calendar has a new address; the old one no longer works."), "success")
    db.session.commit()
    return redirect(url_for("cohorts.my_sessions") + "#calendar")


def _feed(sessions_of_feed, name: str, language: str) -> Response:
    """The iCalendar file, its few words in ``language`` when the UI has it, else English."""
    from lms.cohorts.calendar import build_calendar

    with force_locale(language if language in ui_languages() else "en"):
        body = build_calendar(sessions_of_feed, str(name), current_app.config["LMS_BASE_URL"])
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
    language = owner.locale
    with force_locale(language if language in ui_languages() else "en"):
        name = _("COCO4CCI sessions")
    return _feed(meetings.meetings_of(access.member_cohort_ids(row.user_id)), name, language)


@bp.route("/calendar/cohort/<token>.ics")
def cohort_feed(token: str):
    found = db.session.scalar(sa.select(Cohort).where(Cohort.calendar_token == token))
    if found is None:
        abort(404)
    return _feed(meetings.meetings_of([found.id]), found.name, found.language)
