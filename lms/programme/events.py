"""Public events: registration without an account, confirmation by email, a waiting list that
moves up on cancellation, and the registrant's .ics.

Mail to registrants is recorded in the notifications outbox through the signal
:data:`lms.programme.signals.registrant_notified` (kind ``event.registration``) and sent after
the commit by the worker.
"""

import secrets
from datetime import UTC, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as IcsEvent

from lms.extensions import db, utcnow
from lms.programme.models import Event, EventRegistration
from lms.programme.signals import registrant_notified


def upcoming_events(limit: int = 50) -> list[Event]:
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.cancelled_at.is_(None), Event.ends_at >= utcnow())
            .order_by(Event.starts_at)
            .limit(limit)
        )
    )


def load_public_event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or event.cancelled_at is not None:
        from flask import abort

        abort(404)
    return event


def load_registration_or_404(token: str) -> EventRegistration:
    reg = db.session.scalar(sa.select(EventRegistration).where(EventRegistration.token == token))
    if reg is None:
        from flask import abort

        abort(404)
    return reg


def seats_taken(event: Event) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(EventRegistration.id)).where(
            EventRegistration.event_id == event.id, EventRegistration.status == "confirmed"
        )
    )


def is_full(event: Event) -> bool:
    return event.capacity is not None and seats_taken(event) >= event.capacity


def notify_registrant(reg: EventRegistration, subject: str, lines: list[str]) -> None:
    """Record an email to a registrant (inside the caller's transaction)."""
    registrant_notified.send(reg, subject=str(subject), body="\n\n".join(str(x) for x in lines))


def _links(reg):
    return (
        url_for("programme.confirm_registration", token=reg.token, _external=True),
        url_for("programme.cancel_registration", token=reg.token, _external=True),
    )


def register(event: Event, name: str, email: str, organisation: str, country: str) -> None:
    """Record (or re-send) a registration; the caller answers the same whatever happened, so
    nobody learns from the answer whether an address was registered already."""
    email = email.strip().lower()
    reg = db.session.scalar(
        sa.select(EventRegistration).where(
            EventRegistration.event_id == event.id, EventRegistration.email == email
        )
    )
    if reg is None:
        reg = EventRegistration(event_id=event.id, email=email, token=secrets.token_urlsafe(32))
        db.session.add(reg)
    if reg.status == "cancelled" or reg.id is None:
        reg.status = "pending"
        reg.name = name.strip()
        reg.organisation = organisation.strip()
        reg.country = country
        reg.consent_at = utcnow()
        reg.cancelled_at = None
        reg.token = secrets.token_urlsafe(32)
    db.session.flush()
    confirm, cancel = _links(reg)
    notify_registrant(
        reg,
        _("Please confirm your registration: %(title)s", title=event.title),
        [
            _("Confirm your place at %(title)s with this link:", title=event.title),
            confirm,
            _("To cancel, use this link:"),
            cancel,
        ],
    )


def confirm(reg: EventRegistration) -> None:
    """A pending registration gets a seat, or a place on the waiting list when full."""
    if reg.status != "pending":
        return
    reg.confirmed_at = utcnow()
    reg.status = "waiting" if is_full(reg.event) else "confirmed"
    db.session.flush()


def cancel(reg: EventRegistration) -> EventRegistration | None:
    """Cancel; a freed seat goes to the first on the waiting list (returned, and told)."""
    if reg.status == "cancelled":
        return None
    had_seat = reg.status == "confirmed"
    reg.status = "cancelled"
    reg.cancelled_at = utcnow()
    db.session.flush()
    if not had_seat:
        return None
    return promote(reg.event)


def promote(event: Event) -> EventRegistration | None:
    if is_full(event):
        return None
    nxt = db.session.scalar(
        sa.select(EventRegistration)
        .where(EventRegistration.event_id == event.id, EventRegistration.status == "waiting")
        .order_by(EventRegistration.confirmed_at, EventRegistration.id)
        .limit(1)
    )
    if nxt is None:
        return None
    nxt.status = "confirmed"
    db.session.flush()
    _confirm_link, cancel_link = _links(nxt)
    notify_registrant(
        nxt,
        _("A place is free for you: %(title)s", title=event.title),
        [_("A place became free and is now yours."), _("To cancel, use this link:"), cancel_link],
    )
    return nxt


def registration_ics(reg: EventRegistration) -> bytes:
    event = reg.event
    cal = Calendar()
    cal.add("prodid", "-//COCO4CCI Academy//Events//EN")
    cal.add("version", "2.0")
    item = IcsEvent()
    item.add("uid", f"event-{event.id}@coco4cci-academy")
    item.add("dtstamp", utcnow().astimezone(UTC))
    item.add("dtstart", event.starts_at.astimezone(UTC))
    item.add("dtend", (event.ends_at or event.starts_at + timedelta(hours=1)).astimezone(UTC))
    item.add("summary", event.title)
    item.add("sequence", event.sequence or 0)
    if event.place:
        item.add("location", event.place)
    item.add("description", "\n".join(x for x in (event.description, event.online_url) if x))
    item.add("status", "CANCELLED" if event.cancelled_at else "CONFIRMED")
    cal.add_component(item)
    return cal.to_ical()
