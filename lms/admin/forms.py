"""Forms of the admin area."""

from flask_babel import lazy_gettext as _l
from lms.forms import LmsForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

ROLE_LABELS = {
    "learner": _l("Learner"),
    "facilitator": _l("Facilitator"),
    "admin": _l("Administrator"),
}


class RoleForm(LmsForm):
    role = SelectField(
        _l("Role"), choices=[SelectChoice(code, label) for code, label in ROLE_LABELS.items()]
    )
    #: Set by the confirmation page: the change is applied only then.
    confirmed = HiddenField()


class ConfirmForm(LmsForm):
    """A confirmation button: only the CSRF token."""
