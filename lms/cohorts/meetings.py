"""Face-to-face sessions: schedule, edit and cancel them, who comes (RSVP with capacity), and
calendar feed tokens; attendance and check-in are in :mod:`lms.cohorts.attendance`. Flush,
never commit."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.cohorts.models import (
    Cohort,
    FeedToken,
    Meeting,
    MeetingModule,
    Rsvp,
)
from lms.cohorts.operations import new_token
from lms.cohorts.signals import meeting_cancelled, meeting_saved
from lms.courses.models import Module
from lms.extensions import db, utcnow


def meetings_of(cohort_ids, upcoming_only: bool = False) -> list[Meeting]:
    if not cohort_ids:
        return []
    query = (
        sa.select(Meeting)
        .where(Meeting.cohort_id.in_(list(cohort_ids)))
        .options(
            selectinload(Meeting.modules)
            .selectinload(MeetingModule.module)
            .selectinload(Module.course),
            selectinload(Meeting.cohort),
        )
        .order_by(Meeting.starts_at)
    )
    if upcoming_only:
        query = query.where(Meeting.ends_at >= utcnow(), Meeting.cancelled_at.is_(None))
    return list(db.session.scalars(query))


def next_meetings(cohort_ids) -> dict[int, Meeting]:
    """The next meeting of each cohort (one query)."""
    result: dict[int, Meeting] = {}
    if not cohort_ids:
        return result
    for meeting in db.session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.cohort_id.in_(list(cohort_ids)),
            Meeting.ends_at >= utcnow(),
            Meeting.cancelled_at.is_(None),
        )
        .order_by(Meeting.starts_at)
    ):
        result.setdefault(meeting.cohort_id, meeting)
    return result


def meeting_times(day: date, start: time, end: time, timezone: str) -> tuple[datetime, datetime]:
    """The start and end (UTC) of a session given on a day in local times of ``timezone``."""
    zone = ZoneInfo(timezone)
    starts_at = datetime.combine(day, start, tzinfo=zone)
    ends_at = datetime.combine(day, end, tzinfo=zone)
    return starts_at.astimezone(ZoneInfo("UTC")), ends_at.astimezone(ZoneInfo("UTC"))


def _new_version(meeting: Meeting, now: datetime | None = None) -> None:
    """Calendars replace an event only when its sequence grows: every save (a new session's
    first too) and the cancellation are a new version. The only place the sequence changes."""
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = now or utcnow()


def create_meeting(cohort: Cohort, **details) -> Meeting:
    """Schedule a session of ``cohort``; ``details`` as for :func:`update_meeting`."""
    meeting = Meeting(
        cohort_id=cohort.id,
        checkin_token=new_token(),
        starts_at=utcnow(),
        ends_at=utcnow(),
        title="",
    )
    db.session.add(meeting)
    _save_details(meeting, **details)
    meeting_saved.send(meeting, created=True, changed=set())
    return meeting


#: What a learner reads of a session: a change to one of these is news for them.
_NEWS_FIELDS = ("title", "starts_at", "ends_at", "timezone", "place", "online_url", "notes")


def update_meeting(meeting: Meeting, **details) -> None:
    """Save a session's details and the modules to prepare and follow up.

    Sends :data:`~lms.cohorts.signals.meeting_saved` with the names of the fields that
    changed (``prepare``/``follow_up`` for the modules; empty when nothing did).
    """
    changed = _save_details(meeting, **details)
    meeting_saved.send(meeting, created=False, changed=changed)


def _save_details(
    meeting: Meeting,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    place: str | None,
    online_url: str | None,
    capacity: int | None,
    notes: str | None,
    prepare: list[int],
    follow_up: list[int],
) -> set[str]:
    """Save the details; returns the names of the fields a learner would see changed."""
    before = {name: getattr(meeting, name) for name in _NEWS_FIELDS}
    before_modules = {
        kind: sorted(link.module_id for link in meeting.modules if link.kind == kind)
        for kind in ("prepare", "follow_up")
    }
    meeting.title = title.strip()
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.timezone = timezone
    meeting.place = (place or "").strip()
    meeting.online_url = (online_url or "").strip()
    meeting.capacity = capacity
    meeting.notes = (notes or "").strip()
    set_meeting_modules(meeting, prepare or [], follow_up or [])
    _new_version(meeting)
    db.session.flush()
    changed = {name for name in _NEWS_FIELDS if getattr(meeting, name) != before[name]}
    after_modules = {
        "prepare": sorted(set(prepare or [])),
        "follow_up": sorted(set(follow_up or [])),
    }
    changed |= {kind for kind in after_modules if after_modules[kind] != before_modules[kind]}
    return changed


def may_cancel(meeting: Meeting) -> bool:
    """Only a session still to come (or under way) that is not cancelled yet."""
    return meeting.ends_at >= utcnow() and meeting.cancelled_at is None


def cancel_meeting(meeting: Meeting) -> None:
    """Cancel a session; it stays in calendars, as cancelled."""
    meeting.cancelled_at = utcnow()
    _new_version(meeting, meeting.cancelled_at)
    db.session.flush()
    meeting_cancelled.send(meeting)


def set_meeting_modules(meeting: Meeting, prepare: list[int], follow_up: list[int]) -> None:
    meeting.modules.clear()
    db.session.flush()
    for kind, ids in (("prepare", prepare), ("follow_up", follow_up)):
        for module_id in dict.fromkeys(ids):
            meeting.modules.append(MeetingModule(module_id=module_id, kind=kind))
    db.session.flush()


#: What :func:`answer_rsvp` did.
RSVP_SAVED, RSVP_CLOSED, RSVP_FULL = "saved", "closed", "full"


def answer_rsvp(meeting: Meeting, user_id: int, answer: str) -> str:
    """Save a learner's *Will you come?*: not for a session over or cancelled, and no new
    "yes" once the session's places are taken."""
    if meeting.cancelled_at is not None or meeting.ends_at < utcnow():
        return RSVP_CLOSED
    if answer == "yes" and meeting.capacity:
        # One "yes" at a time per meeting (PostgreSQL row lock; SQLite writers queue already),
        # so two learners cannot both take the last place.
        db.session.execute(sa.select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    row = db.session.scalar(
        sa.select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == user_id)
    )
    if answer == "yes" and meeting.capacity and (row is None or row.answer != "yes"):
        taken = db.session.scalar(
            sa.select(sa.func.count(Rsvp.id)).where(
                Rsvp.meeting_id == meeting.id, Rsvp.answer == "yes"
            )
        )
        if taken >= meeting.capacity:
            return RSVP_FULL
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(Rsvp(meeting_id=meeting.id, user_id=user_id, answer=answer))
            return RSVP_SAVED
        except IntegrityError:  # a parallel request answered first: this answer replaces it
            row = db.session.scalar(
                sa.select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == user_id)
            )
    row.answer, row.answered_at = answer, utcnow()
    db.session.flush()
    return RSVP_SAVED


def feed_token_of(user_id: int) -> str | None:
    """The learner's private calendar address token, if they made one."""
    return db.session.scalar(sa.select(FeedToken.token).where(FeedToken.user_id == user_id))


def renew_feed_token(user_id: int) -> bool:
    """A new private calendar address (the old one stops working); ``True`` for the first."""
    row = db.session.scalar(sa.select(FeedToken).where(FeedToken.user_id == user_id))
    if row is None:
        db.session.add(FeedToken(user_id=user_id, token=new_token()))
    else:
        row.token, row.created_at = new_token(), utcnow()
    db.session.flush()
    return row is None


#: The time zone of each programme country (ISO 3166-1 alpha-2), for new sessions' default.
COUNTRY_ZONES = {
    "AT": "Europe/Vienna",
    "DE": "Europe/Berlin",
    "IT": "Europe/Rome",
    "SI": "Europe/Ljubljana",
    "HR": "Europe/Zagreb",
    "CZ": "Europe/Prague",
    "SK": "Europe/Bratislava",
    "PL": "Europe/Warsaw",
    "HU": "Europe/Budapest",
}


def default_timezone(cohort: Cohort) -> str:
    """The zone a new session of the cohort is most likely in: that of its partner's
    country, else the one its sessions were last scheduled in, else the site's default."""
    country = (cohort.partner.country if cohort.partner else "") or ""
    if country.upper() in COUNTRY_ZONES:
        return COUNTRY_ZONES[country.upper()]
    last = db.session.scalar(
        sa.select(Meeting.timezone)
        .where(Meeting.cohort_id == cohort.id)
        .order_by(Meeting.updated_at.desc(), Meeting.id.desc())
        .limit(1)
    )
    return last or current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC"
