"""Matchmaking pages for participants: register, availability, requests, agenda, feedback."""

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.collider import bp
from lms.collider.matchmaking import (
    MatchmakingError,
    agenda,
    answer_request,
    booking_open,
    give_feedback,
    participant_of,
    register,
    request_meeting,
    set_availability,
    unavailable_ids,
)
from lms.collider.models import (
    FEEDBACK_AFTER,
    FEEDBACK_FOLLOWUP,
    Matchmaking,
    MeetingFeedback,
    MeetingRequest,
    MeetingSlot,
    Participant,
    Profile,
)
from lms.extensions import db, utcnow
from lms.organisations.models import OrganisationStaff
from lms.programme.models import Event

ERRORS = {
    "window": lambda: _("The booking window must close after it opens."),
    "size": lambda: _("Use 1 to 48 slots of 5 to 120 minutes and 1 to 200 tables."),
    "locked": lambda: _("The agenda is locked: nothing can be changed any more."),
    "closed": lambda: _("Booking is not open for this event."),
    "self": lambda: _("You cannot ask yourself for a meeting."),
    "exists": lambda: _("There is already a meeting request between the two of you."),
    "slot": lambda: _("Please choose one of the event's slots."),
    "answer": lambda: _("Please choose one of the answers."),
    "clash": lambda: _("One of the two people, or the table, is already taken in that slot."),
    "unavailable": lambda: _("One of the two people is not available in that slot."),
    "not-yours": lambda: _("Only the two people who met can give feedback."),
    "parties": lambda: _("Choose at least two different organisations."),
}


def error_text(exc: MatchmakingError) -> str:
    return ERRORS.get(exc.code, lambda: _("That did not work."))()


def may_organise(user, event: Event) -> bool:
    """Admins, programme managers, and staff of the organising or a co-organising partner."""
    if not user.is_authenticated:
        return False
    if user.role in ("admin", "programme_manager"):
        return True
    partner_ids = {event.organiser_id} | {p.organisation_id for p in event.partners}
    return bool(
        db.session.scalar(
            sa.select(OrganisationStaff.id).where(
                OrganisationStaff.user_id == user.id,
                OrganisationStaff.organisation_id.in_(partner_ids),
            )
        )
    )


def load_matchmaking_or_404(event_id: int, *, organise: bool = False):
    """The event and its matchmaking set-up; organiser pages answer 403 to anyone else."""
    event = db.get_or_404(Event, event_id)
    if event.cancelled_at is not None and not may_organise(current_user, event):
        abort(404)
    setup = db.session.scalar(sa.select(Matchmaking).where(Matchmaking.event_id == event.id))
    if organise and not may_organise(current_user, event):
        abort(403)
    if setup is None and not organise:
        abort(404)
    return event, setup


def load_request_or_404(request_id: int) -> tuple[MeetingRequest, Participant]:
    """A meeting request of one's own (either side); 404 for anyone else's."""
    found = db.get_or_404(MeetingRequest, request_id)
    setup = db.session.get(Matchmaking, found.matchmaking_id)
    me = participant_of(setup, current_user)
    if me is None or me.id not in (found.requester_id, found.recipient_id):
        abort(404)
    return found, me


@bp.route("/events")
@login_required
def events():
    rows = db.session.execute(
        sa.select(Event, Matchmaking)
        .join(Matchmaking, Matchmaking.event_id == Event.id)
        .where(Event.cancelled_at.is_(None))
        .order_by(Event.starts_at.desc())
        .limit(100)
    ).all()
    now = utcnow()
    return render_template(
        "collider/events.html",
        upcoming=[r for r in rows if r[0].ends_at >= now][::-1],
        past=[r for r in rows if r[0].ends_at < now],
    )


@bp.route("/events/<int:event_id>")
@login_required
def event(event_id: int):
    shown, setup = load_matchmaking_or_404(event_id)
    me = participant_of(setup, current_user)
    others = []
    mine = []
    if me is not None:
        others = db.session.execute(
            sa.select(Participant, Profile)
            .outerjoin(
                Profile,
                sa.and_(Profile.user_id == Participant.user_id, Profile.published.is_(True)),
            )
            .where(Participant.matchmaking_id == setup.id, Participant.id != me.id)
            .options(sa.orm.joinedload(Participant.user))
        ).all()
        mine = list(
            db.session.scalars(
                sa.select(MeetingRequest)
                .where(
                    MeetingRequest.matchmaking_id == setup.id,
                    sa.or_(
                        MeetingRequest.requester_id == me.id, MeetingRequest.recipient_id == me.id
                    ),
                )
                .order_by(MeetingRequest.created_at)
            )
        )
    asked = {r.recipient_id for r in mine} | {r.requester_id for r in mine}
    return render_template(
        "collider/event.html",
        event=shown,
        setup=setup,
        me=me,
        others=others,
        mine=mine,
        asked=asked,
        open=booking_open(setup),
        unavailable=unavailable_ids(me) if me else set(),
        organiser=may_organise(current_user, shown),
        has_profile=db.session.scalar(
            sa.select(Profile.id).where(
                Profile.user_id == current_user.id, Profile.published.is_(True)
            )
        ),
    )


def _back(event_id: int, anchor: str = ""):
    return redirect(url_for("collider.event", event_id=event_id) + anchor)


@bp.route("/events/<int:event_id>/register", methods=["POST"])
@login_required
def register_for(event_id: int):
    _event, setup = load_matchmaking_or_404(event_id)
    try:
        _participant, created = register(setup, current_user)
    except MatchmakingError as exc:
        flash(error_text(exc), "error")
        return _back(event_id)
    db.session.commit()
    if created:
        flash(_("You take part in the matchmaking. Ask the people you want to meet."), "success")
    return _back(event_id)


@bp.route("/events/<int:event_id>/availability", methods=["POST"])
@login_required
def availability(event_id: int):
    _event, setup = load_matchmaking_or_404(event_id)
    me = participant_of(setup, current_user)
    if me is None:
        abort(404)
    chosen = set()
    for raw in request.form.getlist("available"):
        if raw.isdigit():
            chosen.add(int(raw))
    all_ids = {s.id for s in setup.slots}
    set_availability(me, all_ids - chosen)
    db.session.commit()
    flash(_("Your availability is saved."), "success")
    return _back(event_id, "#availability")


@bp.route("/events/<int:event_id>/requests", methods=["POST"])
@login_required
def ask(event_id: int):
    _event, setup = load_matchmaking_or_404(event_id)
    me = participant_of(setup, current_user)
    raw = request.form.get("recipient", "")
    recipient = db.session.get(Participant, int(raw)) if raw.isdigit() and len(raw) < 12 else None
    if me is None or recipient is None or recipient.matchmaking_id != setup.id:
        abort(404)
    try:
        request_meeting(setup, me, recipient, request.form.get("message", "")[:1000])
    except MatchmakingError as exc:
        flash(error_text(exc), "error")
        return _back(event_id)
    db.session.commit()
    flash(_("Your request is sent."), "success")
    return _back(event_id, "#requests")


@bp.route("/requests/<int:request_id>/answer", methods=["POST"])
@login_required
def answer_meeting(request_id: int):
    found, me = load_request_or_404(request_id)
    answer = request.form.get("answer", "")
    # The recipient answers a request; the requester answers a proposed other slot.
    expected = found.recipient_id if found.status == "pending" else found.requester_id
    if found.status not in ("pending", "proposed") or me.id != expected:
        if not (answer == "decline" and found.status in ("pending", "proposed", "accepted")):
            abort(403)
    slot = None
    raw = request.form.get("slot", "")
    if answer == "propose" and raw.isdigit() and len(raw) < 12:
        slot = db.session.get(MeetingSlot, int(raw))
    setup = db.session.get(Matchmaking, found.matchmaking_id)
    try:
        answer_request(found, answer, proposed_slot=slot)
    except MatchmakingError as exc:
        flash(error_text(exc), "error")
        return _back(setup.event_id, "#requests")
    db.session.commit()
    flash(_("Your answer is saved."), "success")
    return _back(setup.event_id, "#requests")


@bp.route("/events/<int:event_id>/agenda")
@login_required
def my_agenda(event_id: int):
    shown, setup = load_matchmaking_or_404(event_id)
    me = participant_of(setup, current_user)
    if me is None:
        abort(404)
    return render_template(
        "collider/agenda.html",
        event=shown,
        setup=setup,
        me=me,
        meetings=agenda(me),
        printable=request.args.get("print") == "1",
    )


@bp.route("/events/<int:event_id>/agenda.ics")
@login_required
def my_agenda_ics(event_id: int):
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    shown, setup = load_matchmaking_or_404(event_id)
    me = participant_of(setup, current_user)
    if me is None:
        abort(404)
    calendar = Calendar()
    calendar.add("prodid", "-//COCO4CCI Academy//collider//EN")
    calendar.add("version", "2.0")
    for meeting in agenda(me):
        other = meeting.recipient if meeting.requester_id == me.id else meeting.requester
        item = IcsEvent()
        item.add("uid", f"collider-meeting-{meeting.id}@coco4cci")
        item.add("dtstamp", utcnow())
        item.add("dtstart", meeting.slot.starts_at)
        item.add("dtend", meeting.slot.ends_at)
        summary = _("Meeting with %(name)s", name=other.user.name)
        item.add("summary", " ".join(summary.split()))
        where = f"{shown.place} · {meeting.table.label}" if meeting.table else shown.place
        item.add("location", " ".join(where.split()))
        calendar.add_component(item)
    response = Response(calendar.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="agenda-{shown.id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/requests/<int:request_id>/feedback", methods=["GET", "POST"])
@login_required
def feedback(request_id: int):
    found, me = load_request_or_404(request_id)
    stage = request.values.get("stage", "after")
    if stage not in ("after", "followup") or found.status != "accepted" or not found.slot_id:
        abort(404)
    choices = FEEDBACK_AFTER if stage == "after" else FEEDBACK_FOLLOWUP
    error = None
    if request.method == "POST":
        try:
            give_feedback(
                found,
                current_user,
                stage,
                request.form.get("answer", ""),
                request.form.get("comment", "")[:2000],
            )
        except MatchmakingError as exc:
            error = error_text(exc)
        else:
            db.session.commit()
            flash(_("Thank you: your feedback is saved. Only the organisers see it."), "success")
            setup = db.session.get(Matchmaking, found.matchmaking_id)
            return redirect(url_for("collider.my_agenda", event_id=setup.event_id))
    given = db.session.scalar(
        sa.select(MeetingFeedback).where(
            MeetingFeedback.request_id == found.id,
            MeetingFeedback.user_id == current_user.id,
            MeetingFeedback.stage == stage,
        )
    )
    other = found.recipient if found.requester_id == me.id else found.requester
    return render_template(
        "collider/feedback.html",
        meeting=found,
        other=other,
        stage=stage,
        choices=choices,
        given=given,
        error=error,
    ), (400 if error else 200)
