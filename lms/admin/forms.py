"""Forms of the admin area."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional

from lms.forms import LmsForm

ROLE_LABELS = {
    "learner": _l("Learner"),
    "facilitator": _l("Facilitator"),
    "partner_manager": _l("Partner manager"),
    "programme_manager": _l("Programme manager"),
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


class OrganisationForm(LmsForm):
    """A partner or another organisation (CCI hub, support organisation, company...)."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Please give the organisation's name.")), Length(max=160)],
    )
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=40)])
    country = SelectField(_l("Country"), validators=[Optional()], choices=[])
    kind = SelectField(_l("Kind"), choices=[])
    website = URLField(
        _l("Website"),
        validators=[Optional(), URL(message=_l("This does not look like a web address.")),
                    Length(max=300)],
    )
    is_partner = BooleanField(_l("Programme partner"))


class StaffForm(LmsForm):
    """Link a person to the organisation, as facilitator or partner manager."""

    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Please give the person's email address.")), Length(max=254)],
    )
    role = SelectField(_l("Works there as"), choices=[])
