"""Face-to-face sessions: schedule, edit and cancel them, who comes, check-in and
attendance, and calendar feed tokens. Flush, never commit."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from lms.cohorts.models import (
    Attendance,
    Cohort,
    CohortCourse,
    FeedToken,
    Meeting,
    MeetingModule,
    Membership,
    Rsvp,
)
from lms.cohorts.operations import new_token
from lms.cohorts.signals import meeting_cancelled, meeting_saved
from lms.courses.models import Course, Module
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


#: A learner checking in this long after the start is recorded as late.
LATE_AFTER = timedelta(minutes=10)


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


def expected_attendees(meeting: Meeting) -> list[Membership]:
    """Members who had joined before the meeting started (later joiners are never absent)."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(
                Membership.cohort_id == meeting.cohort_id, Membership.joined_at <= meeting.starts_at
            )
            .options(selectinload(Membership.user))
        )
    )


def record_attendance(
    meeting: Meeting, statuses: dict[int, str], by_user_id: int | None, source: str = "facilitator"
) -> int:
    """Upsert each learner's status; returns how many rows changed."""
    existing = {
        a.user_id: a
        for a in db.session.scalars(
            sa.select(Attendance).where(Attendance.meeting_id == meeting.id)
        )
    }
    changed = 0
    now = utcnow()
    for user_id, status in statuses.items():
        row = existing.get(user_id)
        if row is None:
            db.session.add(
                Attendance(
                    meeting_id=meeting.id,
                    user_id=user_id,
                    status=status,
                    source=source,
                    recorded_at=now,
                    recorded_by_id=by_user_id,
                )
            )
            changed += 1
        elif row.status != status:
            row.status, row.source, row.recorded_at = status, source, now
            row.recorded_by_id = by_user_id
            changed += 1
    db.session.flush()
    return changed


def mark_all_present(meeting: Meeting, user_ids, by_user_id: int) -> int:
    """ "Mark all present": everyone in ``user_ids`` not recorded yet; returns the changes."""
    recorded = set(
        db.session.scalars(sa.select(Attendance.user_id).where(Attendance.meeting_id == meeting.id))
    )
    statuses = {uid: "present" for uid in user_ids if uid not in recorded}
    return record_attendance(meeting, statuses, by_user_id)


def attendance_records(meeting: Meeting) -> dict[int, Attendance]:
    """The session's recorded attendance by learner."""
    return {
        a.user_id: a
        for a in db.session.scalars(
            sa.select(Attendance).where(Attendance.meeting_id == meeting.id)
        )
    }


def check_in(meeting: Meeting, user_id: int, now: datetime | None = None) -> None:
    """A learner's own check-in: late when more than :data:`LATE_AFTER` after the start;
    a second check-in changes nothing (nor what the facilitator recorded)."""
    now = now or utcnow()
    status = "late" if now > meeting.starts_at + LATE_AFTER else "present"
    existing = db.session.scalar(
        sa.select(Attendance.id).where(
            Attendance.meeting_id == meeting.id, Attendance.user_id == user_id
        )
    )
    if existing is None:
        record_attendance(meeting, {user_id: status}, None, source="checkin")


#: What :func:`answer_rsvp` did.
RSVP_SAVED, RSVP_CLOSED, RSVP_FULL = "saved", "closed", "full"


def answer_rsvp(meeting: Meeting, user_id: int, answer: str) -> str:
    """Save a learner's *Will you come?*: not for a session over or cancelled, and no new
    "yes" once the session's places are taken."""
    if meeting.cancelled_at is not None or meeting.ends_at < utcnow():
        return RSVP_CLOSED
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
        db.session.add(Rsvp(meeting_id=meeting.id, user_id=user_id, answer=answer))
    else:
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


def checkin_window(meeting: Meeting) -> tuple[datetime, datetime]:
    """Self check-in opens 30 minutes before the start and closes at the end."""
    return meeting.starts_at - timedelta(minutes=30), meeting.ends_at


def checkin_state(meeting: Meeting, now: datetime | None = None) -> str:
    """Where the session's self check-in stands: ``cancelled``, ``before`` the window
    opens, ``open``, or ``closed`` (the session is over)."""
    if meeting.cancelled_at is not None:
        return "cancelled"
    opens, closes = checkin_window(meeting)
    now = now or utcnow()
    if now < opens:
        return "before"
    return "open" if now <= closes else "closed"


def checked_in_count(meeting: Meeting) -> tuple[int, int]:
    """(learners recorded present or late, learners expected): the room's "N of M".

    Someone who joined the cohort after the start and checked in counts in both figures, so
    N never exceeds M.
    """
    expected = set(
        db.session.scalars(
            sa.select(Membership.user_id).where(
                Membership.cohort_id == meeting.cohort_id,
                Membership.joined_at <= meeting.starts_at,
            )
        )
    )
    recorded = dict(
        db.session.execute(
            sa.select(Attendance.user_id, Attendance.status).where(
                Attendance.meeting_id == meeting.id
            )
        ).all()
    )
    here = sum(1 for status in recorded.values() if status in ("present", "late"))
    return here, len(expected | set(recorded))


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


def attended_count(user_id: int, course: Course) -> int:
    """Meetings attended (present or late) in cohorts that follow ``course``."""
    return db.session.scalar(
        sa.select(sa.func.count(Attendance.id))
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(CohortCourse, CohortCourse.cohort_id == Meeting.cohort_id)
        .where(
            Attendance.user_id == user_id,
            CohortCourse.course_id == course.id,
            Attendance.status.in_(("present", "late")),
            Meeting.cancelled_at.is_(None),
        )
    )


def attendance_of(cohort: Cohort, user_ids=None) -> dict[tuple[int, int], str]:
    """Recorded statuses by (meeting id, user id) for the cohort's meetings (one query)."""
    query = (
        sa.select(Attendance.meeting_id, Attendance.user_id, Attendance.status)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.cohort_id == cohort.id)
    )
    if user_ids is not None:
        query = query.where(Attendance.user_id.in_(list(user_ids)))
    return {
        (meeting_id, user_id): status for meeting_id, user_id, status in db.session.execute(query)
    }
