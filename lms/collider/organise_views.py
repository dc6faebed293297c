"""The organiser's matchmaking pages: set-up, table plan, scheduling, lock, outcomes."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from lms.collider import bp
from lms.collider.event_views import error_text, load_matchmaking_or_404
from lms.collider.matchmaking import (
    MatchmakingError,
    lock,
    place_by_hand,
    record_cooperation,
    run_scheduler,
    set_up,
)
from lms.collider.models import (
    COOPERATION_KINDS,
    FEEDBACK_AFTER,
    FEEDBACK_FOLLOWUP,
    Cooperation,
    MeetingFeedback,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    Participant,
)
from lms.extensions import db, utcnow
from lms.organisations.models import Organisation


def _parse_dt(value: str):
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@bp.route("/events/<int:event_id>/setup", methods=["GET", "POST"])
@login_required
def setup_matchmaking(event_id: int):
    shown, setup = load_matchmaking_or_404(event_id, organise=True)
    if setup is not None:
        return redirect(url_for("collider.manage", event_id=shown.id))
    errors = {}
    values = request.form
    if request.method == "POST":
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(shown.timezone)
        opens, closes, first = (
            _parse_dt(values.get(k, "")) for k in ("opens", "closes", "first_start")
        )
        numbers = {}
        for key, low, high in (
            ("slots", 1, 48),
            ("tables", 1, 200),
            ("minutes", 5, 120),
            ("pause", 0, 60),
        ):
            raw = values.get(key, "")
            if not raw.isdigit() or not low <= int(raw) <= high:
                errors[key] = _(
                    "Enter a whole number from %(low)d to %(high)d.", low=low, high=high
                )
            else:
                numbers[key] = int(raw)
        for key, value in (("opens", opens), ("closes", closes), ("first_start", first)):
            if value is None:
                errors[key] = _("Enter a date and time.")
        if not errors:
            try:
                set_up(
                    shown,
                    booking_opens_at=opens.replace(tzinfo=zone),
                    booking_closes_at=closes.replace(tzinfo=zone),
                    first_start=first.replace(tzinfo=zone),
                    slot_minutes=numbers["minutes"],
                    slots=numbers["slots"],
                    tables=numbers["tables"],
                    pause_minutes=numbers["pause"],
                )
            except MatchmakingError as exc:
                errors["opens"] = error_text(exc)
            else:
                db.session.commit()
                flash(_("The matchmaking is set up."), "success")
                return redirect(url_for("collider.manage", event_id=shown.id))
    start = shown.starts_at
    return render_template(
        "collider/setup.html",
        event=shown,
        errors=errors,
        values=values,
        defaults={
            "opens": (utcnow()).strftime("%Y-%m-%dT%H:%M"),
            "closes": (start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "first_start": start.strftime("%Y-%m-%dT%H:%M"),
        },
    ), (400 if errors else 200)


@bp.route("/events/<int:event_id>/manage")
@login_required
def manage(event_id: int):
    shown, setup = load_matchmaking_or_404(event_id, organise=True)
    if setup is None:
        return redirect(url_for("collider.setup_matchmaking", event_id=shown.id))
    requests_ = list(
        db.session.scalars(
            sa.select(MeetingRequest)
            .where(MeetingRequest.matchmaking_id == setup.id)
            .order_by(MeetingRequest.created_at)
            .options(
                sa.orm.joinedload(MeetingRequest.requester).joinedload(Participant.user),
                sa.orm.joinedload(MeetingRequest.recipient).joinedload(Participant.user),
            )
        )
    )
    plan = {(r.slot_id, r.table_id): r for r in requests_ if r.slot_id and r.status == "accepted"}
    counts = {}
    for r in requests_:
        counts[r.status] = counts.get(r.status, 0) + 1
    feedback_rows = db.session.execute(
        sa.select(MeetingFeedback.stage, MeetingFeedback.answer, sa.func.count())
        .join(MeetingRequest, MeetingRequest.id == MeetingFeedback.request_id)
        .where(MeetingRequest.matchmaking_id == setup.id)
        .group_by(MeetingFeedback.stage, MeetingFeedback.answer)
    ).all()
    cooperations = list(
        db.session.scalars(
            sa.select(Cooperation)
            .where(Cooperation.request_id.in_([r.id for r in requests_] or [0]))
            .order_by(Cooperation.agreed_on)
        )
    )
    organisations = list(
        db.session.scalars(sa.select(Organisation).order_by(Organisation.name).limit(500))
    )
    participants = db.session.scalar(
        sa.select(sa.func.count(Participant.id)).where(Participant.matchmaking_id == setup.id)
    )
    return render_template(
        "collider/manage.html",
        event=shown,
        setup=setup,
        requests=requests_,
        plan=plan,
        counts=counts,
        feedback=feedback_rows,
        cooperations=cooperations,
        organisations=organisations,
        participants=participants,
        kinds=COOPERATION_KINDS,
        after=FEEDBACK_AFTER,
        followup=FEEDBACK_FOLLOWUP,
    )


@bp.route("/events/<int:event_id>/schedule", methods=["POST"])
@login_required
def run_schedule(event_id: int):
    _event, setup = load_matchmaking_or_404(event_id, organise=True)
    if setup is None:
        abort(404)
    try:
        result = run_scheduler(setup)
    except MatchmakingError as exc:
        flash(error_text(exc), "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "%(placed)d of %(num)d accepted meeting is placed (%(seats)d seats).",
                "%(placed)d of %(num)d accepted meetings are placed (%(seats)d seats).",
                result["requested"],
                placed=result["placed"],
                seats=result["seats"],
            ),
            "success",
        )
    return redirect(url_for("collider.manage", event_id=event_id))


@bp.route("/events/<int:event_id>/lock", methods=["POST"])
@login_required
def lock_agenda(event_id: int):
    _event, setup = load_matchmaking_or_404(event_id, organise=True)
    if setup is None:
        abort(404)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm: a locked agenda cannot be changed."), "error")
    else:
        lock(setup)
        db.session.commit()
        flash(_("The agenda is locked."), "success")
    return redirect(url_for("collider.manage", event_id=event_id))


@bp.route("/events/<int:event_id>/place", methods=["POST"])
@login_required
def place(event_id: int):
    _event, setup = load_matchmaking_or_404(event_id, organise=True)
    if setup is None:
        abort(404)

    def get(model, key):
        raw = request.form.get(key, "")
        return db.session.get(model, int(raw)) if raw.isdigit() and len(raw) < 12 else None

    found, slot, table = (
        get(MeetingRequest, "request"),
        get(MeetingSlot, "slot"),
        get(MeetingTable, "table"),
    )
    if found is None or found.matchmaking_id != setup.id or slot is None or table is None:
        flash(_("Please choose a meeting, a slot and a table."), "error")
        return redirect(url_for("collider.manage", event_id=event_id))
    try:
        place_by_hand(found, slot, table)
    except MatchmakingError as exc:
        flash(error_text(exc), "error")
    else:
        db.session.commit()
        flash(_("The meeting is placed and pinned."), "success")
    return redirect(url_for("collider.manage", event_id=event_id))


@bp.route("/events/<int:event_id>/cooperations", methods=["POST"])
@login_required
def add_cooperation(event_id: int):
    _event, setup = load_matchmaking_or_404(event_id, organise=True)
    if setup is None:
        abort(404)
    form = request.form
    org_ids = [int(v) for v in form.getlist("organisations") if v.isdigit() and len(v) < 12]
    known = set(db.session.scalars(sa.select(Organisation.id).where(Organisation.id.in_(org_ids))))
    raw = form.get("request", "")
    meeting = db.session.get(MeetingRequest, int(raw)) if raw.isdigit() and len(raw) < 12 else None
    if meeting is not None and meeting.matchmaking_id != setup.id:
        meeting = None
    try:
        agreed_on = datetime.strptime(form.get("agreed_on", ""), "%Y-%m-%d").date()
    except ValueError:
        flash(_("Enter the date the cooperation was agreed."), "error")
        return redirect(url_for("collider.manage", event_id=event_id) + "#outcomes")
    title = " ".join(form.get("title", "").split())[:160]
    kind = form.get("kind", "")
    if not title or kind not in COOPERATION_KINDS:
        flash(_("Give the cooperation a title and a kind."), "error")
        return redirect(url_for("collider.manage", event_id=event_id) + "#outcomes")
    try:
        record_cooperation(
            title=title,
            kind=kind,
            agreed_on=agreed_on,
            organisation_ids=[i for i in org_ids if i in known],
            recorded_by=current_user,
            request_id=meeting.id if meeting else None,
            description=form.get("description", "")[:2000],
        )
    except MatchmakingError as exc:
        flash(error_text(exc), "error")
    else:
        db.session.commit()
        flash(_("The cooperation is recorded. It counts in the programme report."), "success")
    return redirect(url_for("collider.manage", event_id=event_id) + "#outcomes")
