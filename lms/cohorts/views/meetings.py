"""Facilitator pages of face-to-face sessions: schedule, edit and cancel them, take
attendance, and the room's check-in page with its live count."""

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_time
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import facilitator_required
from lms.cohorts import access, bp, meetings
from lms.cohorts import attendance as roll_call
from lms.cohorts.forms import MeetingForm
from lms.cohorts.models import ATTENDANCE_STATUSES, Rsvp
from lms.cohorts.rsvps import who_is_coming
from lms.errors import render_error
from lms.extensions import db

#: How often the projector page asks for the check-in count (JavaScript), and reloads
#: itself without JavaScript, in seconds.
CHECKIN_POLL_SECONDS, CHECKIN_REFRESH_SECONDS = 5, 15


def _module_choices(cohort_):
    return [(m.id, f"{c.title}: {m.title}") for c, ms in access.cohort_modules(cohort_) for m in ms]


def _details(form: MeetingForm) -> dict:
    """The form's session details, as :func:`lms.cohorts.meetings.update_meeting` takes them."""
    starts_at, ends_at = meetings.meeting_times(
        form.day.data, form.start_time.data, form.end_time.data, form.timezone.data
    )
    return {
        "title": form.title.data,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "timezone": form.timezone.data,
        "place": form.place.data,
        "online_url": form.online_url.data,
        "capacity": form.capacity.data,
        "notes": form.notes.data,
        "prepare": form.prepare.data or [],
        "follow_up": form.follow_up.data or [],
    }


def _back_to_sessions(meeting):
    """To the cohort page's sessions, where the confirmation then shows (not at the top of
    the page, scrolled out of view) and the session is marked."""
    return redirect(
        url_for("cohorts.cohort", cohort_id=meeting.cohort_id, saved=meeting.id, _anchor="sessions")
    )


@bp.route("/facilitate/cohorts/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
@facilitator_required
def new_meeting(cohort_id: int):
    """Schedule a face-to-face session for the cohort."""
    cohort_ = access.load_cohort_or_404(cohort_id, current_user)
    form = MeetingForm()
    form.prepare.choices = form.follow_up.choices = _module_choices(cohort_)
    if request.method == "GET":
        form.prepare.data, form.follow_up.data = [], []
        zone = meetings.default_timezone(cohort_)
        if zone in {choice.value for choice in form.timezone.choices}:
            form.timezone.data = zone
    if form.validate_on_submit():
        meeting = meetings.create_meeting(cohort_, **_details(form))
        db.session.commit()
        flash(_("Session “%(title)s” scheduled.", title=meeting.title), "success")
        return _back_to_sessions(meeting)
    return render_template(
        "cohorts/meeting_form.html", form=form, cohort=cohort_, meeting=None
    ), 422 if form.errors else 200


@bp.route("/facilitate/sessions/<int:meeting_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_meeting(meeting_id: int):
    meeting = access.load_meeting_or_404(meeting_id, current_user)
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
        meetings.update_meeting(meeting, **_details(form))
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
    meeting = access.load_meeting_or_404(meeting_id, current_user)
    if not meetings.may_cancel(meeting):
        flash(_("This session is over or already cancelled: there is nothing to cancel."), "info")
        return _back_to_sessions(meeting)
    if request.method == "POST":
        meetings.cancel_meeting(meeting)
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
    meeting = access.load_meeting_or_404(meeting_id, current_user)
    expected = roll_call.expected_attendees(meeting)
    if request.method == "POST":
        ids = {m.user_id for m in expected}
        if request.form.get("action") == "all_present":
            changed = roll_call.mark_all_present(meeting, ids, current_user.id)
        else:
            statuses = {}
            for uid in ids:
                value = request.form.get(f"status-{uid}")
                if value is None:
                    continue
                if value not in ATTENDANCE_STATUSES:
                    return render_error(400, _("Unknown attendance status."))
                statuses[uid] = value
            changed = roll_call.record_attendance(meeting, statuses, current_user.id)
        db.session.commit()
        flash(_attendance_saved(changed), "success")
        return redirect(url_for("cohorts.attendance", meeting_id=meeting.id))
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
        records=roll_call.attendance_records(meeting),
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


@bp.route("/facilitate/sessions/<int:meeting_id>/checkin-code")
@facilitator_required
def checkin_code(meeting_id: int):
    """The projector page for the room: the QR code learners scan to check themselves in,
    as large as the screen allows, and how many are in so far."""
    import segno

    meeting = access.load_meeting_or_404(meeting_id, current_user)
    url = url_for("cohorts.checkin", token=meeting.checkin_token, _external=True)
    opens, closes = roll_call.checkin_window(meeting)
    here, expected = roll_call.checked_in_count(meeting)
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
        state=roll_call.checkin_state(meeting),
        count_text=_checked_in_text(here, expected),
        poll_seconds=CHECKIN_POLL_SECONDS,
        refresh_seconds=CHECKIN_REFRESH_SECONDS,
    )


def _checked_in_text(here: int, expected: int) -> str:
    """ "3 of 12 checked in", in the plural form the expected number asks for."""
    return ngettext(
        "%(here)d of %(num)d checked in", "%(here)d of %(num)d checked in", expected, here=here
    )


@bp.route("/facilitate/sessions/<int:meeting_id>/checkin-count.json")
@facilitator_required
def checkin_count(meeting_id: int):
    """The projector page's live figure: who is in so far, and whether check-in is open."""
    meeting = access.load_meeting_or_404(meeting_id, current_user)
    here, expected = roll_call.checked_in_count(meeting)
    response = jsonify(
        checked_in=here,
        expected=expected,
        text=_checked_in_text(here, expected),
        state=roll_call.checkin_state(meeting),
    )
    response.headers["Cache-Control"] = "no-store"
    return response
