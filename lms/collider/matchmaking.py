"""Matchmaking operations: registration, one-to-one requests, scheduling, feedback, outcomes.

They change state and flush; the views commit once. The placing itself is
:func:`lms.collider.scheduler.schedule`, a pure function; here it is fed from the database and
its result written back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.collider.models import (
    FEEDBACK_AFTER,
    FEEDBACK_FOLLOWUP,
    Cooperation,
    CooperationParty,
    Matchmaking,
    MeetingFeedback,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    Participant,
)
from lms.collider.scheduler import Request, schedule
from lms.collider.signals import meeting_requested, request_answered
from lms.extensions import db, utcnow


class MatchmakingError(ValueError):
    """A rule of the matchmaking was broken; the message is for the person who tried."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def set_up(
    event,
    *,
    booking_opens_at,
    booking_closes_at,
    slot_minutes: int,
    first_start,
    slots: int,
    tables: int,
    pause_minutes: int = 0,
    table_prefix: str = "T",
) -> Matchmaking:
    """Make ``event`` a matchmaking event with ``slots`` slots and ``tables`` tables; flushes."""
    if booking_closes_at <= booking_opens_at:
        raise MatchmakingError("window")
    if not 1 <= slots <= 48 or not 1 <= tables <= 200 or not 5 <= slot_minutes <= 120:
        raise MatchmakingError("size")
    setup = Matchmaking(
        event_id=event.id, booking_opens_at=booking_opens_at, booking_closes_at=booking_closes_at
    )
    start = first_start
    for _ in range(slots):
        end = start + timedelta(minutes=slot_minutes)
        setup.slots.append(MeetingSlot(starts_at=start, ends_at=end))
        start = end + timedelta(minutes=pause_minutes)
    for n in range(tables):
        setup.tables.append(MeetingTable(label=f"{table_prefix}{n + 1}", position=n))
    db.session.add(setup)
    db.session.flush()
    return setup


def booking_open(setup: Matchmaking, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return setup.locked_at is None and setup.booking_opens_at <= now < setup.booking_closes_at


def participant_of(setup: Matchmaking, user) -> Participant | None:
    return db.session.scalar(
        sa.select(Participant).where(
            Participant.matchmaking_id == setup.id, Participant.user_id == user.id
        )
    )


def register(setup: Matchmaking, user) -> tuple[Participant, bool]:
    """Register ``user`` once (safe when raced); ``(participant, created)``."""
    found = participant_of(setup, user)
    if found is not None:
        return found, False
    if setup.locked_at is not None:
        raise MatchmakingError("locked")
    participant = Participant(matchmaking_id=setup.id, user_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(participant)
    except IntegrityError:
        return participant_of(setup, user), False
    return participant, True


def set_availability(participant: Participant, unavailable_slot_ids) -> None:
    slots = {
        s.id
        for s in db.session.scalars(
            sa.select(MeetingSlot).where(MeetingSlot.matchmaking_id == participant.matchmaking_id)
        )
    }
    participant.unavailable = ",".join(str(i) for i in sorted(set(unavailable_slot_ids) & slots))
    db.session.flush()


def unavailable_ids(participant: Participant) -> set[int]:
    return {int(i) for i in participant.unavailable.split(",") if i}


def _between(setup, a: Participant, b: Participant):
    return db.session.scalar(
        sa.select(MeetingRequest).where(
            MeetingRequest.matchmaking_id == setup.id,
            MeetingRequest.status != "cancelled",
            sa.or_(
                sa.and_(MeetingRequest.requester_id == a.id, MeetingRequest.recipient_id == b.id),
                sa.and_(MeetingRequest.requester_id == b.id, MeetingRequest.recipient_id == a.id),
            ),
        )
    )


def request_meeting(
    setup: Matchmaking,
    requester: Participant,
    recipient: Participant,
    message: str = "",
    now: datetime | None = None,
) -> MeetingRequest:
    """Ask for a meeting; one request per pair, in either direction, while booking is open."""
    if not booking_open(setup, now):
        raise MatchmakingError("closed")
    if requester.id == recipient.id:
        raise MatchmakingError("self")
    if _between(setup, requester, recipient) is not None:
        raise MatchmakingError("exists")
    request = MeetingRequest(
        matchmaking_id=setup.id,
        requester_id=requester.id,
        recipient_id=recipient.id,
        message=message.strip(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError as exc:
        raise MatchmakingError("exists") from exc
    meeting_requested.send(request)
    return request


def answer_request(
    request: MeetingRequest,
    answer: str,
    *,
    proposed_slot: MeetingSlot | None = None,
    now: datetime | None = None,
) -> MeetingRequest:
    """The recipient accepts, declines or proposes another slot; the requester may accept that."""
    setup = db.session.get(Matchmaking, request.matchmaking_id)
    if setup.locked_at is not None:
        raise MatchmakingError("locked")
    previous = request.status
    if answer == "accept":
        request.status = "accepted"
        if request.proposed_slot_id and not request.slot_id:
            request.slot_id = request.proposed_slot_id
    elif answer == "decline":
        request.status = "declined"
        request.slot_id = request.table_id = None
    elif answer == "propose":
        if proposed_slot is None or proposed_slot.matchmaking_id != setup.id:
            raise MatchmakingError("slot")
        request.status = "proposed"
        request.proposed_slot_id = proposed_slot.id
    else:
        raise MatchmakingError("answer")
    request.answered_at = now or utcnow()
    db.session.flush()
    request_answered.send(request, answer=answer, previous=previous)
    return request


def run_scheduler(setup: Matchmaking) -> dict:
    """Place every accepted request into a slot and a table; pinned ones stay. Flushes."""
    if setup.locked_at is not None:
        raise MatchmakingError("locked")
    participants = list(
        db.session.scalars(sa.select(Participant).where(Participant.matchmaking_id == setup.id))
    )
    slot_ids = [s.id for s in setup.slots]
    table_ids = [t.id for t in setup.tables]
    availability = {p.id: set(slot_ids) - unavailable_ids(p) for p in participants if p.unavailable}
    accepted = list(
        db.session.scalars(
            sa.select(MeetingRequest)
            .where(MeetingRequest.matchmaking_id == setup.id, MeetingRequest.status == "accepted")
            .order_by(MeetingRequest.created_at, MeetingRequest.id)
        )
    )
    requests = [
        Request(
            r.id,
            r.requester_id,
            r.recipient_id,
            pinned_slot=r.slot_id if r.pinned else None,
            pinned_table=r.table_id if r.pinned else None,
        )
        for r in accepted
    ]
    result = schedule(slot_ids, table_ids, requests, availability)
    for r in accepted:
        r.slot_id, r.table_id = result.placed.get(r.id, (None, None))
    setup.scheduled_at = utcnow()
    db.session.flush()
    return {
        "placed": len(result.placed),
        "requested": len(accepted),
        "seats": len(slot_ids) * len(table_ids),
        "unplaced": result.unplaced,
    }


def place_by_hand(request: MeetingRequest, slot: MeetingSlot, table: MeetingTable) -> None:
    """The organiser pins a meeting; refused when a person or the table is taken then."""
    setup = db.session.get(Matchmaking, request.matchmaking_id)
    if setup.locked_at is not None:
        raise MatchmakingError("locked")
    if request.status != "accepted":
        raise MatchmakingError("answer")
    if slot.matchmaking_id != setup.id or table.matchmaking_id != setup.id:
        raise MatchmakingError("slot")
    people = {request.requester_id, request.recipient_id}
    clash = db.session.scalar(
        sa.select(MeetingRequest.id).where(
            MeetingRequest.matchmaking_id == setup.id,
            MeetingRequest.id != request.id,
            MeetingRequest.slot_id == slot.id,
            sa.or_(
                MeetingRequest.table_id == table.id,
                MeetingRequest.requester_id.in_(people),
                MeetingRequest.recipient_id.in_(people),
            ),
        )
    )
    if clash is not None:
        raise MatchmakingError("clash")
    for pid in people:
        if slot.id in unavailable_ids(db.session.get(Participant, pid)):
            raise MatchmakingError("unavailable")
    request.slot_id, request.table_id, request.pinned = slot.id, table.id, True
    db.session.flush()


def lock(setup: Matchmaking) -> None:
    setup.locked_at = setup.locked_at or utcnow()
    db.session.flush()


def agenda(participant: Participant) -> list[MeetingRequest]:
    """The participant's placed meetings in time order."""
    return list(
        db.session.scalars(
            sa.select(MeetingRequest)
            .join(MeetingSlot, MeetingSlot.id == MeetingRequest.slot_id)
            .where(
                MeetingRequest.status == "accepted",
                sa.or_(
                    MeetingRequest.requester_id == participant.id,
                    MeetingRequest.recipient_id == participant.id,
                ),
            )
            .order_by(MeetingSlot.starts_at)
        )
    )


def give_feedback(request: MeetingRequest, user, stage: str, answer: str, comment: str = ""):
    """One side's feedback; given again, it replaces the earlier answer of that stage."""
    allowed = (
        FEEDBACK_AFTER if stage == "after" else FEEDBACK_FOLLOWUP if stage == "followup" else ()
    )
    if answer not in allowed:
        raise MatchmakingError("answer")
    sides = {
        db.session.get(Participant, request.requester_id).user_id,
        db.session.get(Participant, request.recipient_id).user_id,
    }
    if user.id not in sides:
        raise MatchmakingError("not-yours")
    found = db.session.scalar(
        sa.select(MeetingFeedback).where(
            MeetingFeedback.request_id == request.id,
            MeetingFeedback.user_id == user.id,
            MeetingFeedback.stage == stage,
        )
    )
    if found is None:
        found = MeetingFeedback(request_id=request.id, user_id=user.id, stage=stage)
        db.session.add(found)
    found.answer, found.comment = answer, comment.strip()
    db.session.flush()
    return found


def record_cooperation(
    *,
    title: str,
    kind: str,
    agreed_on,
    organisation_ids,
    recorded_by,
    post_id=None,
    request_id=None,
    description="",
    user_ids=(),
) -> Cooperation:
    """An agreed cooperation between at least two organisations; flushes."""
    organisation_ids = list(dict.fromkeys(organisation_ids))
    if len(organisation_ids) < 2:
        raise MatchmakingError("parties")
    cooperation = Cooperation(
        title=title.strip(),
        kind=kind,
        agreed_on=agreed_on,
        description=description.strip(),
        post_id=post_id,
        request_id=request_id,
        recorded_by_id=recorded_by.id,
    )
    users = list(user_ids) + [None] * len(organisation_ids)
    for org_id, user_id in zip(organisation_ids, users, strict=False):
        cooperation.parties.append(CooperationParty(organisation_id=org_id, user_id=user_id))
    db.session.add(cooperation)
    db.session.flush()
    return cooperation
