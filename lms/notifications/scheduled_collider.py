"""Scheduled collider kinds: the reminder before a one-to-one meeting at a matchmaking event
and, after it, the request for feedback (issue 16).

Both look only at accepted requests placed in a slot; the keys carry the slot and table, so
a meeting moved by the organiser gets a new reminder and the same one twice records once.
"""

from datetime import datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, selectinload

from lms.collider.models import (
    Matchmaking,
    MeetingFeedback,
    MeetingRequest,
    MeetingSlot,
    Participant,
)
from lms.extensions import db
from lms.notifications.catalogue import COLLIDER_FEEDBACK, COLLIDER_REMINDER
from lms.notifications.outbox import notify
from lms.notifications.periodic import register_periodic
from lms.programme.models import Event

#: Feedback is asked for meetings that ended within this long; older ones are left alone.
FEEDBACK_WITHIN = timedelta(days=7)


def _placed_meetings(starts_after=None, starts_before=None, ends_after=None, ends_before=None):
    """Accepted requests with a slot, their slot and event (one query, people eager-loaded)."""
    query = (
        sa.select(MeetingRequest, MeetingSlot, Event)
        .join(MeetingSlot, MeetingSlot.id == MeetingRequest.slot_id)
        .join(Matchmaking, Matchmaking.id == MeetingRequest.matchmaking_id)
        .join(Event, Event.id == Matchmaking.event_id)
        .where(MeetingRequest.status == "accepted", Event.cancelled_at.is_(None))
        .options(
            selectinload(MeetingRequest.requester).selectinload(Participant.user),
            selectinload(MeetingRequest.recipient).selectinload(Participant.user),
            selectinload(MeetingRequest.table),
        )
        .order_by(MeetingRequest.id)
    )
    if starts_after is not None:
        query = query.where(MeetingSlot.starts_at > starts_after)
    if starts_before is not None:
        query = query.where(MeetingSlot.starts_at <= starts_before)
    if ends_after is not None:
        query = query.where(MeetingSlot.ends_at > ends_after)
    if ends_before is not None:
        query = query.where(MeetingSlot.ends_at <= ends_before)
    return db.session.execute(query).all()


def _when(slot: MeetingSlot, event: Event):
    """What lms.templating.meeting_time needs: the slot's times in the event's zone."""
    return SimpleNamespace(starts_at=slot.starts_at, ends_at=slot.ends_at, timezone=event.timezone)


def _sides(meeting_request: MeetingRequest):
    """(person told, the other person) for both sides of the meeting."""
    requester, recipient = meeting_request.requester.user, meeting_request.recipient.user
    return ((requester, recipient), (recipient, requester))


def send_collider_reminders(now: datetime) -> int:
    """Both sides of each placed meeting starting within ``LMS_REMINDER_HOURS``."""
    hours = current_app.config["LMS_REMINDER_HOURS"]
    recorded = 0
    for meeting_request, slot, event in _placed_meetings(
        starts_after=now, starts_before=now + timedelta(hours=hours)
    ):
        table = meeting_request.table
        for person, other in _sides(meeting_request):
            if notify(
                COLLIDER_REMINDER.name,
                person,
                f"collider-reminder:{meeting_request.id}:{slot.id}:{meeting_request.table_id or 0}",
                context={
                    "event": event,
                    "other": other,
                    "when": _when(slot, event),
                    "table": table.label if table else "",
                    "online_url": table.online_url if table else "",
                },
                link=f"/collider/events/{event.id}/agenda",
            ):
                recorded += 1
    return recorded


def send_feedback_requests(now: datetime) -> int:
    """Each side of a meeting that ended in the last week and has not said how it went."""
    rows = _placed_meetings(ends_after=now - FEEDBACK_WITHIN, ends_before=now)
    given = set()
    if rows:
        feedback = aliased(MeetingFeedback)
        given = set(
            db.session.execute(
                sa.select(feedback.request_id, feedback.user_id).where(
                    feedback.request_id.in_([r.id for r, _s, _e in rows]),
                    feedback.stage == "after",
                )
            ).all()
        )
    recorded = 0
    for meeting_request, _slot, event in rows:
        for person, other in _sides(meeting_request):
            if (meeting_request.id, person.id) in given:
                continue
            if notify(
                COLLIDER_FEEDBACK.name,
                person,
                f"collider-feedback:{meeting_request.id}",
                context={"event": event, "other": other},
                link=f"/collider/requests/{meeting_request.id}/feedback",
            ):
                recorded += 1
    return recorded


register_periodic("collider-reminders", timedelta(minutes=10), send_collider_reminders)
register_periodic("collider-feedback", timedelta(hours=1), send_feedback_requests)
