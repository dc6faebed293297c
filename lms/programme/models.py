"""Public events (Info Days, workshops, matchmaking days) and registrations without an account."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import UTCDateTime, db, utcnow
from lms.organisations.models import Organisation

EVENT_KINDS = ("info_day", "workshop", "matchmaking", "other")
#: pending: waiting for the email link; confirmed: has a seat; waiting: on the waiting list.
REGISTRATION_STATUSES = ("pending", "confirmed", "waiting", "cancelled")


class Event(db.Model):
    """A public event organised by a partner, not tied to a cohort."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12), default="info_day")
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Vienna")
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    #: ``None``: no limit.
    capacity: Mapped[int | None] = mapped_column()
    #: Comma-separated language codes (``en,de``).
    languages: Mapped[str] = mapped_column(sa.String(60), default="en")
    #: Secret in the room's QR code for self check-in.
    checkin_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organiser: Mapped[Organisation] = relationship()
    partners: Mapped[list["EventPartner"]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "kind in ('info_day', 'workshop', 'matchmaking', 'other')", name="kind_known"
        ),
    )

    @property
    def language_list(self) -> list[str]:
        return [code for code in (self.languages or "").split(",") if code]

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title}>"


class EventPartner(db.Model):
    """A partner organisation co-organising an event (besides its organiser)."""

    __tablename__ = "event_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )

    event: Mapped[Event] = relationship(back_populates="partners")
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (sa.UniqueConstraint("event_id", "organisation_id"),)


class EventRegistration(db.Model):
    """Someone registered for an event (no account needed), with attendance once recorded."""

    __tablename__ = "event_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: Lower-case.
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    organisation: Mapped[str] = mapped_column(sa.String(160), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    country: Mapped[str] = mapped_column(sa.String(2), default="")
    gender: Mapped[str] = mapped_column(sa.String(12), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: One of :data:`REGISTRATION_STATUSES`.
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    #: Secret in the confirm / cancel links.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``present`` / ``absent`` once recorded; empty before.
    attendance: Mapped[str] = mapped_column(sa.String(10), default="")
    attendance_source: Mapped[str] = mapped_column(sa.String(12), default="")
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    __table_args__ = (sa.UniqueConstraint("event_id", "email"),)
