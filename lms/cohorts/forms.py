"""Forms for running cohorts and meetings."""

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from lms.accounts.services import LANGUAGES
from lms.forms import LmsForm

#: Zones offered first: the programme's countries.
PROGRAMME_ZONES = (
    "Europe/Vienna",
    "Europe/Berlin",
    "Europe/Rome",
    "Europe/Ljubljana",
    "Europe/Zagreb",
    "Europe/Prague",
    "Europe/Bratislava",
    "Europe/Warsaw",
    "Europe/Budapest",
    "UTC",
)


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a multi-select: easier on phones and with a keyboard."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(pairs):
    return [SelectChoice(value, label) for value, label in pairs]


class CohortForm(LmsForm):
    name = StringField(
        _l("Cohort name"),
        validators=[DataRequired(_l("Please give the cohort a name.")), Length(max=120)],
    )
    #: Choices: the programme's partner organisations (lms/organisations).
    partner_id = SelectField(
        _l("Partner organisation"),
        coerce=int,
        validators=[DataRequired(_l("Please choose the partner organisation."))],
    )
    language = SelectField(
        _l("Language of delivery"), choices=_choices(LANGUAGES.items()), default="en"
    )
    starts_on = DateField(
        _l("Start date"), validators=[DataRequired(_l("Please give a start date."))]
    )
    ends_on = DateField(_l("End date"), validators=[DataRequired(_l("Please give an end date."))])
    courses = MultiCheckboxField(_l("Courses"), coerce=int, validate_choice=True)
    facilitators = MultiCheckboxField(_l("Facilitators"), coerce=int, validate_choice=True)
    join_open = BooleanField(_l("Learners may join with the code or link"), default=True)

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date is before the start date."))


class MeetingForm(LmsForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Please give the session a title.")), Length(max=160)],
    )
    day = DateField(_l("Date"), validators=[DataRequired(_l("Please choose a date."))])
    start_time = TimeField(
        _l("Starts at"), validators=[DataRequired(_l("Please give a start time."))]
    )
    end_time = TimeField(_l("Ends at"), validators=[DataRequired(_l("Please give an end time."))])
    timezone = SelectField(_l("Time zone"), default="Europe/Vienna")
    place = StringField(
        _l("Place"),
        validators=[Optional(), Length(max=300)],
        description=_l("Address and room, for a session in person."),
    )
    online_url = URLField(
        _l("Online link"),
        validators=[
            Optional(),
            URL(message=_l("This does not look like a web address.")),
            Length(max=500),
        ],
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            Optional(),
            NumberRange(1, 10_000, _l("Give a number of places from 1 upwards.")),
        ],
        description=_l("Leave empty for no limit."),
    )
    prepare = MultiCheckboxField(_l("Modules to prepare before"), coerce=int)
    follow_up = MultiCheckboxField(_l("Modules to follow up after"), coerce=int)
    notes = TextAreaField(_l("Notes for learners"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = sorted(
            z
            for z in available_timezones()
            if z not in PROGRAMME_ZONES
            and z.startswith(("Europe/", "America/", "Asia/", "Africa/", "Australia/"))
        )
        self.timezone.choices = _choices((z, z) for z in (*PROGRAMME_ZONES, *others))

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The session must end after it starts."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.place.data or "").strip() and not (self.online_url.data or "").strip():
            self.place.errors = [*self.place.errors, _l("Give a place, an online link, or both.")]
            valid = False
        return valid


class ImportForm(LmsForm):
    csv_text = TextAreaField(
        _l("Class list"),
        validators=[Optional(), Length(max=200_000)],
        description=_l(
            "One learner per line: name, email. A header line "
            "and semicolons (as Excel saves) are fine."
        ),
    )
    #: The previewed rows with their lines in the file (``classlist.canonical_csv``), so the
    #: import reports the file's line numbers. Multi-line, so a text area, shown hidden.
    carried = TextAreaField(validators=[Optional(), Length(max=400_000)], widget=HiddenInput())


class SignInLinkForm(LmsForm):
    """The button that makes a learner a new set-password link (CSRF only)."""


class ImportLinksForm(LmsForm):
    """Download the set-password links of an import's new accounts again."""

    #: Which accounts, by line: signed by the import (``classlist.import_result_token``).
    result = StringField(validators=[DataRequired(), Length(max=100_000)], widget=HiddenInput())


class JoinForm(LmsForm):
    code = StringField(
        _l("Join code"),
        validators=[
            DataRequired(_l("Please enter the code your facilitator gave you.")),
            Length(max=40),
        ],
    )
