"""Finding and creating organisations; country names in the viewer's language."""

import sqlalchemy as sa
from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from lms.extensions import db
from lms.organisations.models import Organisation, OrganisationStaff

KIND_LABELS = {
    "cci": _l("CCI hub or business"),
    "bso": _l("Business support organisation"),
    "university": _l("University or research"),
    "public": _l("Public body"),
    "avm": _l("Advanced-manufacturing company"),
    "other": _l("Other"),
}

GENDER_LABELS = {
    "female": _l("Female"),
    "male": _l("Male"),
    "non_binary": _l("Non-binary"),
    "prefer_not": _l("Prefer not to say"),
}


def normalise_name(name: str) -> str:
    return " ".join((name or "").split())


def partner_for(value) -> Organisation:
    """The organisation for a cohort's partner: an Organisation, an id, or a name.

    A name is matched case-insensitively after trimming; an unknown name creates a partner.
    """
    if isinstance(value, Organisation):
        return value
    if isinstance(value, int):
        return db.session.get(Organisation, value)
    name = normalise_name(str(value)) or "Unknown partner"
    found = db.session.scalar(
        sa.select(Organisation).where(sa.func.lower(Organisation.name) == name.lower())
    )
    if found is None:
        found = Organisation(name=name[:160], is_partner=True, kind="other")
        db.session.add(found)
        db.session.flush()
    return found


def partners() -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation).where(Organisation.is_partner).order_by(Organisation.name)
        )
    )


def partner_choices() -> list[tuple[int, str]]:
    """For the cohort form: every partner organisation (a new one is added by an admin)."""
    return [(o.id, f"{o.name} ({o.country})" if o.country else o.name) for o in partners()]


def partner_ids_of(user_id: int, role: str | None = None) -> list[int]:
    """The organisations a person works for (as facilitator or manager, or ``role`` only)."""
    query = sa.select(OrganisationStaff.organisation_id).where(OrganisationStaff.user_id == user_id)
    if role:
        query = query.where(OrganisationStaff.role == role)
    return sorted(set(db.session.scalars(query)))


def country_name(code: str, locale=None) -> str:
    """``IT`` -> "Italy" / "Italia" / "Italien" in the viewer's language (Babel's CLDR names)."""
    if not code:
        return ""
    try:
        loc = locale or get_locale() or Locale("en")
    except RuntimeError:
        loc = Locale("en")
    return loc.territories.get(code.upper(), code.upper())


def country_choices(locale=None) -> list[tuple[str, str]]:
    """Every ISO 3166-1 alpha-2 country, named in the viewer's language, sorted by name."""
    try:
        loc = locale or get_locale() or Locale("en")
    except RuntimeError:
        loc = Locale("en")
    names = {
        code: name
        for code, name in loc.territories.items()
        if len(code) == 2 and code.isalpha() and code not in ("EU", "EZ", "UN", "ZZ", "QO", "XA", "XB")
    }
    return sorted(names.items(), key=lambda item: item[1].casefold())
