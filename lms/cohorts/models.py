"""Cohorts of learners, their facilitators, courses, face-to-face meetings and attendance.

A face-to-face session is a :class:`Meeting` in code: Flask owns the word ``session``.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.courses.models import Course, Module
from lms.extensions import UTCDateTime, db, utcnow
from lms.organisations.models import Organisation

ATTENDANCE_STATUSES = ("present", "late", "excused", "absent")
RSVP_ANSWERS = ("yes", "no", "maybe")


class Cohort(db.Model):
    """A group of learners that a partner organisation trains together."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: The partner organisation that runs it.
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    #: Learners join with this code (or the link that carries it).
    join_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    join_open: Mapped[bool] = mapped_column(default=True)
    #: Secret of the cohort's calendar feed URL; replaced to revoke it.
    calendar_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: ``str(cohort.partner)`` is the organisation's name.
    partner: Mapped[Organisation] = relationship()
    facilitators: Mapped[list["CohortFacilitator"]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )
    courses: Mapped[list["CohortCourse"]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="CohortCourse.position"
    )
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.name}>"


class CohortFacilitator(db.Model):
    """A facilitator who runs a cohort."""

    __tablename__ = "cohort_facilitators"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)

    cohort: Mapped[Cohort] = relationship(back_populates="facilitators")
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("cohort_id", "user_id"),)


class Membership(db.Model):
    """A learner in a cohort."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("cohort_id", "user_id"),)


class CohortCourse(db.Model):
    """A course the cohort follows."""

    __tablename__ = "cohort_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    cohort: Mapped[Cohort] = relationship(back_populates="courses")
    course: Mapped[Course] = relationship()

    __table_args__ = (sa.UniqueConstraint("cohort_id", "course_id"),)


class ModuleTarget(db.Model):
    """By when the cohort should have completed a module ("behind schedule" is measured here)."""

    __tablename__ = "module_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id"), index=True)
    due_on: Mapped[date] = mapped_column(sa.Date)

    module: Mapped[Module] = relationship()

    __table_args__ = (sa.UniqueConstraint("cohort_id", "module_id"),)


class Meeting(db.Model):
    """A face-to-face (or live online) session of a cohort."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(160))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The IANA zone the facilitator scheduled it in (shown to learners with the time).
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Vienna")
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    #: ``None``: no limit.
    capacity: Mapped[int | None] = mapped_column()
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: Secret in the room's QR code for self check-in.
    checkin_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Bumped on every change, so calendar apps replace their copy (RFC 5545 SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped[Cohort] = relationship()
    modules: Mapped[list["MeetingModule"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )


class MeetingModule(db.Model):
    """A module to prepare before a meeting, or to follow up after it."""

    __tablename__ = "meeting_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id"))
    #: ``prepare`` or ``follow_up``.
    kind: Mapped[str] = mapped_column(sa.String(12))

    meeting: Mapped[Meeting] = relationship(back_populates="modules")
    module: Mapped[Module] = relationship()

    __table_args__ = (sa.UniqueConstraint("meeting_id", "module_id", "kind"),)


class Rsvp(db.Model):
    """Whether a learner says they will come to a meeting."""

    __tablename__ = "rsvps"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: One of :data:`RSVP_ANSWERS`.
    answer: Mapped[str] = mapped_column(sa.String(8))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id"),)


class Attendance(db.Model):
    """Whether a learner attended a meeting, as recorded by a facilitator or by check-in."""

    __tablename__ = "attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: One of :data:`ATTENDANCE_STATUSES`.
    status: Mapped[str] = mapped_column(sa.String(10))
    #: ``facilitator`` or ``checkin`` (the learner scanned the room's QR code).
    source: Mapped[str] = mapped_column(sa.String(12), default="facilitator")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id"),)


class FeedToken(db.Model):
    """A learner's private calendar feed URL secret; replaced to revoke."""

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
