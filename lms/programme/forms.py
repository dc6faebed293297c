"""Forms of the public event pages."""

from flask_babel import lazy_gettext as _l
from lms.forms import LmsForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional


class RegistrationForm(LmsForm):
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Please give your name.")), Length(max=120)])
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Please give your email address.")),
                    Email(_l("Please give a valid email address.")), Length(max=254)],
    )
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=160)])
    country = SelectField(_l("Country"), validators=[Optional()], choices=[])
    consent = BooleanField(
        _l("I agree that the organisers keep my name, email, organisation and country to run "
           "this event and count it in the programme's report."),
        validators=[DataRequired(_l("Please agree, or we cannot register you."))],
    )


class ConfirmForm(LmsForm):
    """A button: links in email are opened by scanners, so changing state needs a POST."""
