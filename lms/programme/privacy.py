"""The programme's part of "your data": export sections and what deletion does.

Hooks for the privacy registry (lms/privacy): ``EXPORTED``, ``ON_DELETE``,
:func:`export_sections` and :func:`delete_personal_data`.
"""

import secrets

import sqlalchemy as sa

from lms.extensions import db
from lms.organisations.models import Organisation, OrganisationStaff
from lms.programme.models import Event, EventRegistration

EXPORTED = {
    ("organisation_staff", "user_id"): "partner_organisations",
    ("event_registrations", "user_id"): "event_registrations",
    ("events", "created_by_id"): "events_created",
}

ON_DELETE = {
    ("organisation_staff", "user_id"): "removed",
    ("event_registrations", "user_id"): "kept, anonymised (programme figures)",
    ("events", "created_by_id"): "kept (the id only)",
}

#: Columns of each export section, for the CSV download.
COLUMNS = {
    "organisation_and_country": ["organisation", "country", "gender"],
    "partner_organisations": ["organisation", "as"],
    "event_registrations": [
        "event", "starts_at", "name", "email", "organisation", "country", "status", "attendance",
    ],
    "events_created": ["event", "starts_at"],
}


def _iso(value):
    return value.isoformat() if value else None


def _registrations(user):
    return sa.or_(EventRegistration.user_id == user.id, EventRegistration.email == user.email)


def export_sections(user) -> dict:
    org = db.session.get(Organisation, user.organisation_id) if user.organisation_id else None
    data = {
        "organisation_and_country": [
            {
                "organisation": org.name if org else (user.organisation_name or ""),
                "country": user.country or "",
                "gender": user.gender or "",
            }
        ]
    }
    data["partner_organisations"] = [
        {"organisation": name, "as": role}
        for name, role in db.session.execute(
            sa.select(Organisation.name, OrganisationStaff.role)
            .join(OrganisationStaff, OrganisationStaff.organisation_id == Organisation.id)
            .where(OrganisationStaff.user_id == user.id)
            .order_by(Organisation.name)
        )
    ]
    data["event_registrations"] = [
        {
            "event": title,
            "starts_at": _iso(starts),
            "name": reg.name,
            "email": reg.email,
            "organisation": reg.organisation,
            "country": reg.country,
            "status": reg.status,
            "attendance": reg.attendance,
        }
        for reg, title, starts in db.session.execute(
            sa.select(EventRegistration, Event.title, Event.starts_at)
            .join(Event, Event.id == EventRegistration.event_id)
            .where(_registrations(user))
            .order_by(EventRegistration.id)
        )
    ]
    data["events_created"] = [
        {"event": title, "starts_at": _iso(starts)}
        for title, starts in db.session.execute(
            sa.select(Event.title, Event.starts_at)
            .where(Event.created_by_id == user.id)
            .order_by(Event.id)
        )
    ]
    return data


def delete_personal_data(user) -> None:
    """Run before the account's email and name are replaced (flushes nothing itself)."""
    db.session.execute(sa.delete(OrganisationStaff).where(OrganisationStaff.user_id == user.id))
    for reg in db.session.scalars(sa.select(EventRegistration).where(_registrations(user))):
        reg.name = "Deleted person"
        reg.email = f"deleted-{reg.id}-{secrets.token_hex(4)}@invalid"
        reg.organisation = ""
        reg.gender = ""
        reg.user_id = None
    user.organisation_id = None
    user.organisation_name = ""
    user.country = ""
    user.gender = ""
