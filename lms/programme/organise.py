"""Organisers' pages for public events: list, schedule, edit, cancel, registrations and their
export, attendance (the same phone-friendly page as sessions) and the QR check-in in the room.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from lms.cohorts.attendance import checkin_window
from lms.csvfile import csv_text
from lms.extensions import db, limiter, utcnow
from lms.languages import LANGUAGES
from lms.organisations.services import country_name
from lms.programme import bp
from lms.programme import organising as org
from lms.programme.access import manager_required
from lms.programme.events import load_public_event_or_404
from lms.programme.forms import CheckinForm, ConfirmForm, EventForm
from lms.programme.models import EVENT_KINDS, Event

KIND_LABELS = {
    "info_day": _l("Info Day"),
    "workshop": _l("Workshop"),
    "matchmaking": _l("Matchmaking day"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    "confirmed": _l("Has a place"),
    "waiting": _l("On the waiting list"),
    "pending": _l("Not confirmed yet"),
    "cancelled": _l("Cancelled"),
}


def _event_form(event: Event | None) -> EventForm:
    form = EventForm(obj=event)
    organisers = org.organiser_choices(current_user)
    form.organiser_id.choices = [(o.id, o.name) for o in organisers]
    from lms.organisations.services import partners

    form.partners.choices = [(o.id, f"{o.name} ({country_name(o.country)})") for o in partners()]
    form.kind.choices = [(k, str(KIND_LABELS[k])) for k in EVENT_KINDS]
    form.languages.choices = list(LANGUAGES.items())
    if request.method == "GET":
        if event is not None:
            zone = ZoneInfo(event.timezone)
            start = event.starts_at.astimezone(zone)
            form.day.data = start.date()
            form.start_time.data = start.time().replace(tzinfo=None)
            form.end_time.data = event.ends_at.astimezone(zone).time().replace(tzinfo=None)
            form.languages.data = event.language_list
            form.partners.data = [p.organisation_id for p in event.partners]
        else:
            form.languages.data = ["en"]
            form.partners.data = []
    return form


def _save(event: Event, form: EventForm) -> None:
    zone = ZoneInfo(form.timezone.data)
    start = datetime.combine(form.day.data, form.start_time.data, tzinfo=zone)
    end = datetime.combine(form.day.data, form.end_time.data, tzinfo=zone)
    org.save_event(
        event,
        organiser_id=form.organiser_id.data,
        kind=form.kind.data,
        title=form.title.data,
        description=form.description.data or "",
        starts_at=start.astimezone(ZoneInfo("UTC")),
        ends_at=end.astimezone(ZoneInfo("UTC")),
        timezone=form.timezone.data,
        place=form.place.data or "",
        online_url=form.online_url.data or "",
        capacity=form.capacity.data,
        languages=[code for code in LANGUAGES if code in (form.languages.data or [])],
        partner_ids=form.partners.data or [],
        user_id=current_user.id,
    )


@bp.route("/organise/events")
@manager_required
def organise_events():
    """The events the signed-in manager may organise, upcoming first."""
    events = org.managed_events(current_user)
    counts = org.status_counts(events)
    return render_template(
        "programme/organise/events.html",
        events=events,
        counts=counts,
        kinds=KIND_LABELS,
        now=utcnow(),
        can_create=bool(org.organiser_choices(current_user)),
    )


@bp.route("/organise/events/new", methods=["GET", "POST"])
@manager_required
def new_event():
    form = _event_form(None)
    if not form.organiser_id.choices:
        flash(_("You are not a manager of any partner organisation yet."), "error")
        return redirect(url_for("programme.organise_events"))
    if form.validate_on_submit():
        event = Event(title="", starts_at=utcnow(), ends_at=utcnow())
        _save(event, form)
        db.session.commit()
        flash(_("Event “%(title)s” scheduled.", title=event.title), "success")
        return redirect(url_for("programme.organise_event", event_id=event.id))
    return render_template("programme/organise/event_form.html", form=form, event=None), (
        422 if form.errors else 200
    )


@bp.route("/organise/events/<int:event_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_event(event_id: int):
    event = org.load_managed_event_or_404(event_id, current_user)
    form = _event_form(event)
    if event.organiser_id not in {c[0] for c in form.organiser_id.choices}:
        # A co-organiser edits the event but cannot hand it to another organiser.
        form.organiser_id.choices = [(event.organiser_id, event.organiser.name)]
    if form.validate_on_submit():
        _save(event, form)
        db.session.commit()
        flash(_("Event saved."), "success")
        return redirect(url_for("programme.organise_event", event_id=event.id))
    return render_template("programme/organise/event_form.html", form=form, event=event), (
        422 if form.errors else 200
    )


@bp.route("/organise/events/<int:event_id>/cancel", methods=["GET", "POST"])
@manager_required
def cancel_event(event_id: int):
    """Cancel after confirmation; everyone registered is told."""
    event = org.load_managed_event_or_404(event_id, current_user)
    form = ConfirmForm()
    if event.cancelled_at is None and form.validate_on_submit():
        told = org.cancel_event(event)
        db.session.commit()
        flash(
            _("Event “%(title)s” cancelled.", title=event.title)
            + " "
            + ngettext(
                "%(num)d person who registered was told by email.",
                "%(num)d people who registered were told by email.",
                told,
            ),
            "success",
        )
        return redirect(url_for("programme.organise_event", event_id=event.id))
    return render_template("programme/organise/confirm_cancel.html", event=event, form=form)


@bp.route("/organise/events/<int:event_id>")
@manager_required
def organise_event(event_id: int):
    """Who registered (with place, waiting list, not confirmed, cancelled) and who came."""
    event = org.load_managed_event_or_404(event_id, current_user)
    return render_template(
        "programme/organise/event.html",
        event=event,
        registrations=org.registrations(event),
        counts=org.status_counts([event])[event.id],
        checked_in=org.checked_in_count(event),
        kinds=KIND_LABELS,
        statuses=STATUS_LABELS,
        country_name=country_name,
    )


@bp.route("/organise/events/<int:event_id>/registrations.csv")
@manager_required
def export_registrations(event_id: int):
    """The registration list for a spreadsheet (formula-safe, UTF-8 with BOM), in English."""
    event = org.load_managed_event_or_404(event_id, current_user)
    header = ["Name", "Email", "Organisation", "Country", "Status", "Registered", "Attendance"]
    rows = [
        [r.name, r.email, r.organisation, r.country, r.status,
         r.created_at.date().isoformat() if r.created_at else "", r.attendance]
        for r in org.registrations(event)
    ]
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}-registrations.csv"'},
    )


@bp.route("/organise/events/<int:event_id>/attendance", methods=["GET", "POST"])
@manager_required
def event_attendance(event_id: int):
    """Present / absent for everyone with a place; "everyone present" first, then exceptions."""
    event = org.load_managed_event_or_404(event_id, current_user)
    expected = org.registrations(event, "confirmed")
    if request.method == "POST":
        form = ConfirmForm()
        if form.validate_on_submit():
            if request.form.get("action") == "all_present":
                statuses = {r.id: "present" for r in expected if not r.attendance}
            else:
                statuses = {}
                for r in expected:
                    value = request.form.get(f"status-{r.id}")
                    if value in org.ATTENDANCE:
                        statuses[r.id] = value
            changed = org.record_attendance(event, statuses)
            db.session.commit()
            flash(
                ngettext("Attendance saved: %(num)d change.", "Attendance saved: %(num)d changes.", changed),
                "success",
            )
            return redirect(url_for("programme.event_attendance", event_id=event.id))
        flash(
            _(
                "Your form expired or was sent from elsewhere. "
                "Please go back, reload the page and try again."
            ),
            "error",
        )
    return render_template("programme/organise/attendance.html", event=event, expected=expected)


@bp.route("/organise/events/<int:event_id>/checkin-code")
@manager_required
def event_checkin_code(event_id: int):
    """A QR code to show in the room; registrants scan it and give their email address."""
    import segno

    event = org.load_managed_event_or_404(event_id, current_user)
    url = url_for(
        "programme.event_checkin", event_id=event.id, token=event.checkin_token, _external=True
    )
    opens, closes = checkin_window(event)
    return render_template(
        "programme/organise/checkin_code.html",
        event=event,
        url=url,
        qr_svg=segno.make(url, error="m").svg_inline(scale=8, dark="#1b1f24"),
        opens=opens,
        closes=closes,
        checked_in=org.checked_in_count(event),
    )


@bp.route("/events/<int:event_id>/checkin/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def event_checkin(event_id: int, token: str):
    """Self check-in in the room: the QR code's secret, then the registered email address."""
    event = load_public_event_or_404(event_id)
    if token != event.checkin_token:
        return render_template("programme/checkin.html", event=event, form=None, outcome="bad"), 404
    form = CheckinForm()
    outcome = None
    status = 200
    if form.validate_on_submit():
        outcome = org.self_checkin(event, form.email.data)
        db.session.commit()
        status = 200 if outcome in ("checked_in", "already") else 422
    elif form.errors:
        status = 422
    opens, closes = checkin_window(event)
    return render_template(
        "programme/checkin.html", event=event, form=form, outcome=outcome, opens=opens,
        closes=closes,
    ), status
