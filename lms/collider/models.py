"""The collider: cooperation profiles, challenges and offers, interest, matchmaking and outcomes.

A b2match-style brokerage on top of the programme's public events: people publish an opt-in
profile, companies post challenges, CCI professionals post offers, and at a matchmaking event
accepted one-to-one requests are placed into slots and tables. What follows (feedback, the
follow-up rating and agreed cooperations) feeds the programme's indicator report.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.extensions import UTCDateTime, db, utcnow

#: Who may see a post: every visitor, or signed-in collider participants only.
VISIBILITIES = ("public", "participants")
#: A post is a company's challenge or a CCI professional's offer.
POST_KINDS = ("challenge", "offer")
POST_STATUSES = ("open", "closed")
INTEREST_STATUSES = ("new", "answered", "shortlisted", "declined")
#: b2match's answers right after a meeting.
FEEDBACK_AFTER = ("not_held", "no_interest", "informative", "cooperation_possible")
#: b2match's follow-up rating, months later.
FEEDBACK_FOLLOWUP = ("no_contact", "knowledge", "valuable", "negotiation", "agreement")
REQUEST_STATUSES = ("pending", "accepted", "declined", "proposed", "cancelled")
COOPERATION_KINDS = ("project", "contract", "pilot", "joint_application", "other")


class Profile(db.Model):
    """A person's cooperation profile; nobody sees it until they publish it."""

    __tablename__ = "collider_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: Only published profiles appear in lists, suggestions and organisation pages.
    published: Mapped[bool] = mapped_column(default=False, index=True)
    headline: Mapped[str] = mapped_column(sa.String(160), default="")
    pitch: Mapped[str] = mapped_column(sa.Text, default="")
    #: ``cci`` (creative side) or ``avm`` (a manufacturing company) or ``support``.
    sector: Mapped[str] = mapped_column(sa.String(12), default="cci")
    #: Comma-separated language codes the person works in.
    languages: Mapped[str] = mapped_column(sa.String(80), default="")
    #: Comma-separated training areas (technology, trends, mindset).
    areas: Mapped[str] = mapped_column(sa.String(60), default="")
    #: Newline-separated portfolio links (http/https only).
    links: Mapped[str] = mapped_column(sa.Text, default="")
    #: Whether the courses completed (with their certificates) are shown.
    show_courses: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    tags: Mapped[list["ProfileTag"]] = relationship(
        back_populates="profile", cascade="all, delete-orphan"
    )


class ProfileTag(db.Model):
    """A skill or sector a profile offers: a curated key, or a free tag in the author's words."""

    __tablename__ = "collider_profile_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collider_profiles.id", ondelete="CASCADE"), index=True
    )
    #: A key of :mod:`lms.collider.vocabulary`, or a free tag (lower case).
    tag: Mapped[str] = mapped_column(sa.String(60))

    profile: Mapped[Profile] = relationship(back_populates="tags")

    __table_args__ = (sa.UniqueConstraint("profile_id", "tag"),)


class Post(db.Model):
    """A company's challenge or a CCI professional's offer."""

    __tablename__ = "collider_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One of :data:`POST_KINDS`.
    kind: Mapped[str] = mapped_column(sa.String(12), default="challenge")
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The company (or partner) it is posted for, as free text when no organisation record fits.
    organisation_name: Mapped[str] = mapped_column(sa.String(160), default="")
    title: Mapped[str] = mapped_column(sa.String(160))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: A training area (technology, trends, mindset).
    area: Mapped[str] = mapped_column(sa.String(20), default="")
    #: Comma-separated tag keys the post asks for (challenge) or offers (offer).
    tags: Mapped[str] = mapped_column(sa.Text, default="")
    timing: Mapped[str] = mapped_column(sa.String(160), default="")
    closes_on: Mapped[date | None] = mapped_column(sa.Date)
    #: One of :data:`VISIBILITIES`.
    visibility: Mapped[str] = mapped_column(sa.String(12), default="participants")
    #: One of :data:`POST_STATUSES`.
    status: Mapped[str] = mapped_column(sa.String(10), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class Interest(db.Model):
    """Someone's short message that they would like to work on a post."""

    __tablename__ = "collider_interests"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collider_posts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    #: One of :data:`INTEREST_STATUSES`.
    status: Mapped[str] = mapped_column(sa.String(12), default="new")
    reply: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post: Mapped[Post] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("post_id", "user_id"),)


# --- matchmaking at events ----------------------------------------------------------------
# A public event of the programme (lms.programme.models.Event, table ``events``) becomes a
# matchmaking event when it has a Matchmaking row: slots, tables, a booking window, an agenda.


class Matchmaking(db.Model):
    """The one-to-one meeting set-up of an event."""

    __tablename__ = "collider_matchmakings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), unique=True
    )
    booking_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    booking_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set when the organiser locks the agenda: no more requests, answers or rescheduling.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    slots: Mapped[list["MeetingSlot"]] = relationship(
        back_populates="matchmaking", cascade="all, delete-orphan", order_by="MeetingSlot.starts_at"
    )
    tables: Mapped[list["MeetingTable"]] = relationship(
        back_populates="matchmaking", cascade="all, delete-orphan", order_by="MeetingTable.position"
    )


class MeetingSlot(db.Model):
    """A time slot for one-to-one meetings."""

    __tablename__ = "collider_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    matchmaking_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collider_matchmakings.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    matchmaking: Mapped[Matchmaking] = relationship(back_populates="slots")


class MeetingTable(db.Model):
    """A table in the room, or an online room, where meetings take place."""

    __tablename__ = "collider_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    matchmaking_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collider_matchmakings.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column(default=0)
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")

    matchmaking: Mapped[Matchmaking] = relationship(back_populates="tables")


class Participant(db.Model):
    """A person taking part in a matchmaking event, with their profile."""

    __tablename__ = "collider_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    matchmaking_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collider_matchmakings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Comma-separated ids of the slots the person cannot attend (empty: every slot).
    unavailable: Mapped[str] = mapped_column(sa.Text, default="")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("matchmaking_id", "user_id"),)


class MeetingRequest(db.Model):
    """One person asks another for a one-to-one meeting at an event."""

    __tablename__ = "collider_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    matchmaking_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collider_matchmakings.id", ondelete="CASCADE"), index=True
    )
    requester_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collider_participants.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collider_participants.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(sa.Text, default="")
    #: One of :data:`REQUEST_STATUSES`.
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    #: A slot the recipient proposed instead (status ``proposed``).
    proposed_slot_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collider_slots.id", ondelete="SET NULL")
    )
    slot_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collider_slots.id", ondelete="SET NULL")
    )
    table_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collider_tables.id", ondelete="SET NULL")
    )
    #: Placed by hand by the organiser: the scheduler keeps it where it is.
    pinned: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requester: Mapped[Participant] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[Participant] = relationship(foreign_keys=[recipient_id])
    slot: Mapped[MeetingSlot | None] = relationship(foreign_keys=[slot_id])
    proposed_slot: Mapped[MeetingSlot | None] = relationship(foreign_keys=[proposed_slot_id])
    table: Mapped[MeetingTable | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("matchmaking_id", "requester_id", "recipient_id"),)


class MeetingFeedback(db.Model):
    """One side's answer about a meeting: right after it, or the follow-up months later.

    Only the event's organisers read these.
    """

    __tablename__ = "collider_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collider_requests.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: ``after`` (answers in :data:`FEEDBACK_AFTER`) or ``followup`` (:data:`FEEDBACK_FOLLOWUP`).
    stage: Mapped[str] = mapped_column(sa.String(10))
    answer: Mapped[str] = mapped_column(sa.String(24))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("request_id", "user_id", "stage"),)


class Cooperation(db.Model):
    """An agreed cooperation between organisations, as recorded by an organiser.

    Counted by the programme report (RCO 87 during the project, RCR 84 after it).
    """

    __tablename__ = "collider_cooperations"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    #: One of :data:`COOPERATION_KINDS`.
    kind: Mapped[str] = mapped_column(sa.String(20), default="project")
    agreed_on: Mapped[date] = mapped_column(sa.Date, index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collider_posts.id", ondelete="SET NULL")
    )
    request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collider_requests.id", ondelete="SET NULL")
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parties: Mapped[list["CooperationParty"]] = relationship(
        back_populates="cooperation", cascade="all, delete-orphan"
    )


class CooperationParty(db.Model):
    """An organisation (and optionally its person) in a cooperation."""

    __tablename__ = "collider_cooperation_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collider_cooperations.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    cooperation: Mapped[Cooperation] = relationship(back_populates="parties")

    __table_args__ = (sa.UniqueConstraint("cooperation_id", "organisation_id"),)
