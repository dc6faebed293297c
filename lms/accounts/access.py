"""Who may use a view: role decorators and the loader for accounts named in a URL.

Every feature's views use these, so a role check is one function, not a copy per package.
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from lms.accounts.models import User
from lms.extensions import db


def role_required(allowed):
    """A view decorator: signed in, and ``allowed(user)``; anyone else gets a 403 page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


#: Facilitators, partner managers (who run their partners' cohorts) and admins; each cohort is
#: then checked by ``load_cohort_or_404``.
facilitator_required = role_required(lambda user: user.is_facilitator or user.is_partner_manager)
#: Administrators only.
admin_required = role_required(lambda user: user.is_admin)


def load_user_or_404(user_id: int) -> User:
    """The account with this id (for admin views); 404 when there is none."""
    return db.get_or_404(User, user_id)
