"""Organisations (programme partners and others) and the people who work for a partner.

This package sits below accounts and cohorts: both reference :class:`Organisation` by table
name, and nothing here imports them.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import UTCDateTime, db, utcnow

#: Kinds of organisation (codes stored; labels in :mod:`lms.organisations.services`).
KINDS = ("cci", "bso", "university", "public", "avm", "other")
#: How a person works for a partner organisation.
STAFF_ROLES = ("facilitator", "manager")
#: Optional self-described gender (stated on sign-up or the account page).
GENDERS = ("female", "male", "non_binary", "prefer_not")


class Organisation(db.Model):
    """A CCI hub, business support organisation, university, public body or company."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    short_name: Mapped[str] = mapped_column(sa.String(40), default="")
    #: ISO 3166-1 alpha-2 code, upper case; empty when unknown.
    country: Mapped[str] = mapped_column(sa.String(2), default="", index=True)
    #: One of :data:`KINDS`.
    kind: Mapped[str] = mapped_column(sa.String(12), default="other")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    #: A partner of the programme (runs cohorts and events).
    is_partner: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint(
            "kind in ('cci', 'bso', 'university', 'public', 'avm', 'other')", name="kind_known"
        ),
    )

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class OrganisationStaff(db.Model):
    """A facilitator or partner manager working for a (partner) organisation; many-to-many."""

    __tablename__ = "organisation_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: One of :data:`STAFF_ROLES`.
    role: Mapped[str] = mapped_column(sa.String(12), default="facilitator")

    __table_args__ = (sa.UniqueConstraint("organisation_id", "user_id", "role"),)
