"""Cohorts joined or run, answers to "Will you come?", attendance, the calendar address."""

from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.models import (
    Attendance,
    Cohort,
    CohortFacilitator,
    FeedToken,
    Meeting,
    Membership,
    Rsvp,
)
from lms.extensions import db
from lms.privacy.sections import Export, iso


def cohort_memberships(export: Export) -> dict:
    return {
        "cohort_memberships": [
            {
                "cohort": cohort.name,
                "partner": cohort.partner.name,
                "joined_at": iso(membership.joined_at),
            }
            for membership, cohort in db.session.execute(
                sa.select(Membership, Cohort)
                .join(Cohort, Cohort.id == Membership.cohort_id)
                .where(Membership.user_id == export.user.id)
                .order_by(Membership.id)
            )
        ]
    }


def cohorts_facilitated(export: Export) -> dict:
    return {
        "cohorts_facilitated": [
            {"cohort": cohort.name, "partner": cohort.partner.name}
            for cohort in db.session.scalars(
                sa.select(Cohort)
                .join(CohortFacilitator, CohortFacilitator.cohort_id == Cohort.id)
                .where(CohortFacilitator.user_id == export.user.id)
                .order_by(Cohort.id)
            )
        ]
    }


def erase_facilitation(user: User, now: datetime) -> None:
    db.session.execute(sa.delete(CohortFacilitator).where(CohortFacilitator.user_id == user.id))


def session_rsvps(export: Export) -> dict:
    return {
        "session_rsvps": [
            {
                "session": meeting.title,
                "starts_at": iso(meeting.starts_at),
                "answer": rsvp.answer,
                "answered_at": iso(rsvp.answered_at),
            }
            for rsvp, meeting in db.session.execute(
                sa.select(Rsvp, Meeting)
                .join(Meeting, Meeting.id == Rsvp.meeting_id)
                .where(Rsvp.user_id == export.user.id)
                .order_by(Meeting.starts_at)
            )
        ]
    }


def erase_future_rsvps(user: User, now: datetime) -> None:
    """Answers for sessions still to come go; past ones stay in the cohort's figures."""
    future = sa.select(Meeting.id).where(Meeting.starts_at > now)
    db.session.execute(
        sa.delete(Rsvp)
        .where(Rsvp.user_id == user.id, Rsvp.meeting_id.in_(future))
        .execution_options(synchronize_session=False)
    )


def attendance(export: Export) -> dict:
    return {
        "attendance": [
            {
                "session": meeting.title,
                "starts_at": iso(meeting.starts_at),
                "status": row.status,
                "recorded_by": "you (check-in)" if row.source == "checkin" else "facilitator",
                "recorded_at": iso(row.recorded_at),
            }
            for row, meeting in db.session.execute(
                sa.select(Attendance, Meeting)
                .join(Meeting, Meeting.id == Attendance.meeting_id)
                .where(Attendance.user_id == export.user.id)
                .order_by(Meeting.starts_at)
            )
        ]
    }


def attendance_recorded(export: Export) -> dict:
    """Attendance a facilitator recorded: counts per session, never the learners."""
    return {
        "attendance_recorded": [
            {"session": title, "starts_at": iso(starts_at), "learners_recorded": count}
            for title, starts_at, count in db.session.execute(
                sa.select(Meeting.title, Meeting.starts_at, sa.func.count(Attendance.id))
                .join(Meeting, Meeting.id == Attendance.meeting_id)
                .where(Attendance.recorded_by_id == export.user.id)
                .group_by(Meeting.id, Meeting.title, Meeting.starts_at)
                .order_by(Meeting.starts_at)
            )
        ]
    }


def calendar_feed(export: Export) -> dict:
    """Whether a private calendar address exists; never the address (it is a secret)."""
    feed = db.session.scalar(sa.select(FeedToken).where(FeedToken.user_id == export.user.id))
    return {
        "calendar_feed": (
            [{"private_calendar_address": "exists", "created_at": iso(feed.created_at)}]
            if feed
            else []
        )
    }


def erase_calendar_feed(user: User, now: datetime) -> None:
    db.session.execute(sa.delete(FeedToken).where(FeedToken.user_id == user.id))
