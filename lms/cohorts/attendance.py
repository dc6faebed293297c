"""Attendance: who was expected, what the facilitator recorded, self check-in with its lateness
rule and window, and what attendance earns (a course's ``required_sessions`` for its
certificate). Flush, never commit."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.certificates.services import issue_if_complete
from lms.certificates.signals import checking_requirements
from lms.cohorts.models import Attendance, Cohort, CohortCourse, Meeting, Membership
from lms.courses.models import Course
from lms.extensions import db, utcnow

#: A learner checking in this long after the start is recorded as late.
LATE_AFTER = timedelta(minutes=10)


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
    changed, attended = 0, []
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
        else:
            continue
        if status in ATTENDED:
            attended.append(user_id)
    db.session.flush()
    certify_attendees(meeting, attended)
    return changed


#: Statuses that count as having attended (see :func:`attended_count`).
ATTENDED = ("present", "late")


def certify_attendees(meeting: Meeting, user_ids) -> None:
    """Attendance may be the last thing a course asked for (``required_sessions``): issue the
    certificates it completes now, in the same transaction as the attendance."""
    if not user_ids:
        return
    courses = list(
        db.session.scalars(
            sa.select(Course)
            .join(CohortCourse, CohortCourse.course_id == Course.id)
            .where(CohortCourse.cohort_id == meeting.cohort_id, Course.required_sessions > 0)
        )
    )
    for user_id in user_ids if courses else ():
        user = db.session.get(User, user_id)
        for course in courses:
            issue_if_complete(user, course)


@checking_requirements.connect
def required_sessions_attended(course: Course, user_id: int, **_) -> bool:
    """A course with ``required_sessions`` certifies only learners who attended that many."""
    return (
        not course.required_sessions or attended_count(user_id, course) >= course.required_sessions
    )


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
    if existing is not None:
        return
    try:
        with db.session.begin_nested():
            record_attendance(meeting, {user_id: status}, None, source="checkin")
    except IntegrityError:  # a parallel check-in (a double tap) recorded it first
        pass


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


def attended_count(user_id: int, course: Course) -> int:
    """Meetings attended (present or late) in cohorts that follow ``course``."""
    return db.session.scalar(
        sa.select(sa.func.count(Attendance.id))
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(CohortCourse, CohortCourse.cohort_id == Meeting.cohort_id)
        .where(
            Attendance.user_id == user_id,
            CohortCourse.course_id == course.id,
            Attendance.status.in_(ATTENDED),
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
