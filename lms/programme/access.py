"""Who sees the programme's figures: programme managers and admins all; partner managers
their own partner organisations only."""

from flask import abort

from lms.accounts.access import role_required
from lms.organisations.services import partner_ids_of

#: Programme managers, partner managers and admins.
manager_required = role_required(
    lambda user: user.is_programme_manager or user.is_partner_manager
)


def visible_partner_ids(user) -> list[int] | None:
    """``None``: every partner (programme managers, admins); else the user's own partners."""
    if user.is_programme_manager:
        return None
    if user.is_partner_manager:
        return partner_ids_of(user.id, role="manager")
    abort(403)
