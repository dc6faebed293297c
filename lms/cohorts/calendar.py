"""The iCalendar (RFC 5545) feed of a cohort's meetings, for subscribing in calendar apps.

No request needed. It reads ``meeting.cohort`` and ``meeting.modules[].module.course``:
load those eagerly (``selectinload``) or every meeting costs extra queries.
"""

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from icalendar import Calendar, Event, vDuration

from lms.cohorts.models import Meeting
from lms.extensions import utcnow

PRODID = "-//COCO4CCI Academy//Meetings//EN"
UID_DOMAIN = "coco4cci-academy"
#: How often subscribed clients should fetch the feed again (most poll less often anyway).
REFRESH_INTERVAL = timedelta(hours=1)


#: C0 and C1 control characters (newline aside) and Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _text(value: str | None, newlines: bool = False) -> str:
    """Stored text made safe for a feed: no control characters (older rows may hold some),
    and no line breaks in one-line properties."""
    text = _CONTROL.sub(" ", (value or "").replace("\r\n", "\n").replace("\r", "\n"))
    return text if newlines else " ".join(text.split())


def _url(value: str | None) -> str | None:
    """A stored link for URL and text properties; ``None`` when it holds whitespace or
    control characters (a link that cannot be one)."""
    if not value:
        return None
    value = value.strip()
    if not value or any(ch.isspace() or _CONTROL.match(ch) for ch in value):
        return None
    return value


def build_calendar(
    meetings: Iterable[Meeting], name: str, base_url: str, now: datetime | None = None
) -> bytes:
    """The feed called ``name`` with one event per meeting, cancelled ones included.

    Cancelled meetings stay in the feed with ``STATUS:CANCELLED`` so subscribed clients remove
    them instead of keeping a stale copy. ``base_url`` (e.g. ``https://academy.example``) makes
    the module links absolute.
    """
    stamp = (now or utcnow()).astimezone(UTC)
    base_url = base_url.rstrip("/")

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.calendar_name = _text(name)  # NAME (RFC 7986) and X-WR-CALNAME
    # RFC 7986 requires VALUE=DURATION, which the refresh_interval setter leaves out.
    calendar.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))  # Outlook's name for it

    meetings = sorted(meetings, key=lambda m: (_as_utc(m.starts_at), m.id))
    for meeting in meetings:
        calendar.add_component(_event(meeting, base_url, stamp))

    if meetings:
        # VTIMEZONE rules only need to cover the meetings; a narrow span keeps the feed small.
        first = min(_as_utc(m.starts_at) for m in meetings).date()
        last = max(_as_utc(m.ends_at) for m in meetings).date()
        calendar.add_missing_timezones(
            first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1)
        )
    return calendar.to_ical()


def _event(meeting: Meeting, base_url: str, stamp: datetime) -> Event:
    """The VEVENT of one meeting, in the time zone the facilitator scheduled it in."""
    zone = _zone(meeting.timezone)
    cancelled = meeting.cancelled_at is not None
    summary = _text(f"{meeting.title} ({meeting.cohort.name})")
    online_url = _url(meeting.online_url)
    event = Event.new(
        uid=f"meeting-{meeting.id}@{UID_DOMAIN}",
        stamp=stamp,
        start=_as_utc(meeting.starts_at).astimezone(zone),
        end=_as_utc(meeting.ends_at).astimezone(zone),
        # Some clients ignore STATUS in subscribed feeds; the title tells their users too.
        summary=_("Cancelled: %(title)s", title=summary) if cancelled else summary,
        description=_description(meeting, base_url) or None,
        location=_text(meeting.place) or online_url or None,
        url=online_url,
        status="CANCELLED" if cancelled else "CONFIRMED",
        # Every edit and the cancellation bump it, so clients replace their copy.
        sequence=max(meeting.sequence or 0, 1 if cancelled else 0),
    )
    changes = [
        at
        for at in (meeting.created_at, getattr(meeting, "updated_at", None), meeting.cancelled_at)
        if at is not None
    ]
    if changes:
        event.add("last-modified", max(_as_utc(at) for at in changes))
    return event


def _description(meeting: Meeting, base_url: str) -> str:
    """Notes, the online link when the location shows the place, and the modules to study."""
    parts = []
    notes = _text(meeting.notes, newlines=True).strip()
    if notes:
        parts.append(notes)
    if _url(meeting.online_url) and _text(meeting.place):
        # Google Calendar does not show URL, and LOCATION holds the place.
        parts.append(_("Join online: %(url)s", url=_url(meeting.online_url)))
    for kind, heading in (("prepare", _("Prepare before:")), ("follow_up", _("Follow up after:"))):
        links = [
            f"- {_text(module.title)} ({_text(module.course.title)}): "
            f"{base_url}/courses/{module.course.slug}/{module.slug}"
            for module in _modules(meeting, kind)
        ]
        if links:
            parts.append("\n".join([heading, *links]))
    return "\n\n".join(parts)


def _modules(meeting: Meeting, kind: str) -> list:
    """The meeting's modules of one kind in course order, so the feed does not reshuffle."""
    modules = [link.module for link in meeting.modules if link.kind == kind]
    return sorted(modules, key=lambda module: (module.course.title, module.position, module.slug))


def _zone(name: str) -> tzinfo:
    """The meeting's IANA zone; UTC if the name is unknown (the instant stays right)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive value (not yet saved) is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
