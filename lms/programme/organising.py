"""The organiser's side of public events: who may manage which event, saving, cancelling,
the registration list, attendance and self check-in in the room.

Programme managers and admins manage every event; a partner manager the events their partner
organises or co-organises. Attendance recorded here is what the indicator report counts
(RCO 81, RCO 115).
"""

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _

from lms.cohorts.attendance import checkin_window
from lms.extensions import db, utcnow
from lms.organisations.models import Organisation
from lms.programme.access import visible_partner_ids
from lms.programme.events import notify_registrant, promote
from lms.programme.models import Event, EventPartner, EventRegistration

#: Attendance an organiser records for a confirmed registrant.
ATTENDANCE = ("present", "absent")


def _managed(query, partner_ids):
    if partner_ids is None:
        return query
    co_organised = sa.select(EventPartner.event_id).where(
        EventPartner.organisation_id.in_(partner_ids or [-1])
    )
    return query.where(
        sa.or_(Event.organiser_id.in_(partner_ids or [-1]), Event.id.in_(co_organised))
    )


def managed_events(user) -> list[Event]:
    """Upcoming first, then past ones (newest first), cancelled included."""
    partner_ids = visible_partner_ids(user)
    events = list(db.session.scalars(_managed(sa.select(Event), partner_ids)))
    now = utcnow()
    upcoming = sorted((e for e in events if e.ends_at >= now), key=lambda e: e.starts_at)
    past = sorted((e for e in events if e.ends_at < now), key=lambda e: e.starts_at, reverse=True)
    return upcoming + past


def load_managed_event_or_404(event_id: int, user) -> Event:
    """The event, if ``user`` may manage it (404 otherwise: no hint that it exists)."""
    partner_ids = visible_partner_ids(user)
    event = db.session.scalar(_managed(sa.select(Event).where(Event.id == event_id), partner_ids))
    if event is None:
        abort(404)
    return event


def organiser_choices(user) -> list[Organisation]:
    """The partner organisations ``user`` may organise events for."""
    partner_ids = visible_partner_ids(user)
    query = sa.select(Organisation).where(Organisation.is_partner.is_(True))
    if partner_ids is not None:
        query = query.where(Organisation.id.in_(partner_ids or [-1]))
    return list(db.session.scalars(query.order_by(Organisation.name)))


def save_event(
    event: Event,
    *,
    organiser_id: int,
    kind: str,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    place: str,
    online_url: str,
    capacity: int | None,
    languages: list[str],
    partner_ids: list[int],
    user_id: int,
) -> None:
    """Create or update; an update bumps the calendar sequence, and a larger capacity lets
    people move up from the waiting list."""
    event.organiser_id = organiser_id
    event.kind = kind
    event.title = title.strip()
    event.description = description.strip()
    event.starts_at, event.ends_at, event.timezone = starts_at, ends_at, timezone
    event.place, event.online_url = place.strip(), online_url.strip()
    event.capacity = capacity
    event.languages = ",".join(languages) or "en"
    event.updated_at = utcnow()
    if event.id is None:
        event.checkin_token = secrets.token_urlsafe(24)
        event.created_by_id = user_id
        db.session.add(event)
    else:
        event.sequence = (event.sequence or 0) + 1
    wanted = {p for p in partner_ids if p != organiser_id}
    for link in list(event.partners):
        if link.organisation_id not in wanted:
            event.partners.remove(link)
    have = {link.organisation_id for link in event.partners}
    for organisation_id in sorted(wanted - have):
        event.partners.append(EventPartner(organisation_id=organisation_id))
    db.session.flush()
    while promote(event) is not None:
        pass


def cancel_event(event: Event) -> int:
    """Cancel the event and tell everyone who registered; returns how many were told."""
    event.cancelled_at = event.updated_at = utcnow()
    event.sequence = (event.sequence or 0) + 1
    told = 0
    for reg in registrations(event):
        if reg.status in ("confirmed", "waiting", "pending"):
            notify_registrant(
                reg,
                _("Cancelled: %(title)s", title=event.title),
                [_("We are sorry: %(title)s will not take place.", title=event.title)],
            )
            told += 1
    db.session.flush()
    return told


def registrations(event: Event, status: str | None = None) -> list[EventRegistration]:
    query = sa.select(EventRegistration).where(EventRegistration.event_id == event.id)
    if status:
        query = query.where(EventRegistration.status == status)
    return list(
        db.session.scalars(query.order_by(EventRegistration.name, EventRegistration.id))
    )


def status_counts(events) -> dict[int, dict[str, int]]:
    """Per event id: how many registrations have each status, in one query for all."""
    counts = {
        e.id: {"pending": 0, "confirmed": 0, "waiting": 0, "cancelled": 0} for e in events
    }
    if counts:
        rows = db.session.execute(
            sa.select(
                EventRegistration.event_id,
                EventRegistration.status,
                sa.func.count(EventRegistration.id),
            )
            .where(EventRegistration.event_id.in_(list(counts)))
            .group_by(EventRegistration.event_id, EventRegistration.status)
        )
        for event_id, status, count in rows:
            counts[event_id][status] = count
    return counts


def record_attendance(event: Event, statuses: dict[int, str]) -> int:
    """Set present/absent for confirmed registrants of ``event`` (others' ids are ignored);
    returns how many changed."""
    changed = 0
    now = utcnow()
    for reg in registrations(event, "confirmed"):
        status = statuses.get(reg.id)
        if status in ATTENDANCE and reg.attendance != status:
            reg.attendance, reg.attendance_source, reg.recorded_at = status, "organiser", now
            changed += 1
    db.session.flush()
    return changed


def self_checkin(event: Event, email: str) -> str:
    """``checked_in``, ``already``, ``closed`` or ``unknown`` (no confirmed registration)."""
    opens, closes = checkin_window(event)
    if not opens <= utcnow() <= closes or event.cancelled_at is not None:
        return "closed"
    reg = db.session.scalar(
        sa.select(EventRegistration).where(
            EventRegistration.event_id == event.id,
            EventRegistration.email == (email or "").strip().lower(),
            EventRegistration.status == "confirmed",
        )
    )
    if reg is None:
        return "unknown"
    if reg.attendance == "present":
        return "already"
    reg.attendance, reg.attendance_source, reg.recorded_at = "present", "self", utcnow()
    db.session.flush()
    return "checked_in"


def checked_in_count(event: Event) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(EventRegistration.id)).where(
            EventRegistration.event_id == event.id, EventRegistration.attendance == "present"
        )
    )
