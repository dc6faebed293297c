"""Forms of the public event pages and of the organisers' pages."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from lms.cohorts.forms import MeetingForm, MultiCheckboxField
from lms.forms import LmsForm, strip_whitespace


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


class EventForm(MeetingForm):
    """Schedule a public event: the session form's date, times, zone, place, link and capacity,
    and what an event has besides."""

    prepare = None
    follow_up = None
    notes = None
    organiser_id = SelectField(
        _l("Organised by"),
        coerce=int,
        validators=[DataRequired(_l("Please choose the organising partner."))],
    )
    kind = SelectField(_l("Kind of event"), choices=[])
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5000)],
        description=_l("What happens, who it is for, what to bring."),
    )
    languages = MultiCheckboxField(_l("Languages spoken"), choices=[])
    partners = MultiCheckboxField(_l("Co-organising partners"), coerce=int, choices=[])

    def validate_languages(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one language."))


class CheckinForm(LmsForm):
    email = EmailField(
        _l("The email address you registered with"),
        filters=[strip_whitespace],  # typed on a phone in the room, often with a trailing space
        validators=[DataRequired(_l("Please give your email address.")),
                    Email(_l("Please give a valid email address.")), Length(max=254)],
    )
