"""Profile, post and interest forms."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.collider.services import clean_links
from lms.collider.vocabulary import CURATED, SECTORS, SKILLS, parse_tags
from lms.forms import LmsForm


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


AREA_CHOICES = [
    ("technology", _l("Technology development in advanced manufacturing")),
    ("trends", _l("Future trends")),
    ("mindset", _l("Mind-set")),
]
SECTOR_CHOICES = [
    ("cci", _l("Cultural and creative professional")),
    ("avm", _l("Advanced-manufacturing company")),
    ("support", _l("Hub or business support organisation")),
]
LANGUAGE_CHOICES = [
    ("en", "English"),
    ("it", "Italiano"),
    ("de", "Deutsch"),
    ("sl", "Slovenščina"),
    ("hr", "Hrvatski"),
    ("cs", "Čeština"),
    ("sk", "Slovenčina"),
    ("pl", "Polski"),
    ("hu", "Magyar"),
]


class Checkboxes(SelectMultipleField):
    """Several choices as checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(LmsForm):
    headline = StringField(
        _l("Who you are, in one line"),
        validators=[DataRequired(_l("Please write a line about yourself.")), Length(max=160)],
        description=_l("For example: Packaging designer working with recycled materials."),
    )
    sector = SelectField(_l("You are a"), choices=choices(SECTOR_CHOICES))
    pitch = TextAreaField(
        _l("Your pitch"),
        validators=[Length(max=2000)],
        description=_l("What you do, what you are looking for, what you could do together."),
    )
    areas = Checkboxes(_l("Training areas you work in"), choices=choices(AREA_CHOICES))
    skills = Checkboxes(_l("Skills"), choices=choices(list(SKILLS.items())))
    sectors = Checkboxes(_l("Industry sectors"), choices=choices(list(SECTORS.items())))
    free_tags = StringField(
        _l("Other tags"),
        validators=[Length(max=400)],
        description=_l("Your own words, separated by commas."),
    )
    languages = Checkboxes(_l("Languages you work in"), choices=choices(LANGUAGE_CHOICES))
    links = TextAreaField(
        _l("Portfolio links"),
        validators=[Length(max=2000)],
        description=_l("One web address per line, starting with https:// or http://."),
    )
    show_courses = BooleanField(_l("Show the courses I completed, with their certificates"))
    published = BooleanField(_l("Publish my profile to collider participants"))

    def validate_links(self, field):
        _links, problem = clean_links(field.data)
        if problem:
            raise ValidationError(
                _l("Each line must be one web address starting with https:// or http://.")
            )

    def validate_free_tags(self, field):
        _tags, problem = parse_tags([], field.data or "")
        if problem:
            raise ValidationError(problem)


class PostForm(LmsForm):
    kind = SelectField(
        _l("This is"),
        choices=choices(
            [
                ("challenge", _l("A challenge (a problem to solve)")),
                ("offer", _l("An offer (what I can do)")),
            ]
        ),
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Please give it a title.")), Length(max=160)]
    )
    organisation_name = StringField(_l("For which organisation"), validators=[Length(max=160)])
    body = TextAreaField(
        _l("Description"),
        validators=[DataRequired(_l("Please describe it.")), Length(max=5000)],
    )
    area = SelectField(_l("Training area"), choices=choices([("", _l("Any"))] + AREA_CHOICES))
    skills = Checkboxes(_l("Skills needed or offered"), choices=choices(list(SKILLS.items())))
    sectors = Checkboxes(_l("Industry sectors"), choices=choices(list(SECTORS.items())))
    free_tags = StringField(
        _l("Other tags"),
        validators=[Length(max=400)],
        description=_l("Your own words, separated by commas."),
    )
    timing = StringField(
        _l("Timing"),
        validators=[Length(max=160)],
        description=_l("For example: a pilot in spring, about three months."),
    )
    closes_on = DateField(_l("Open until"), validators=[Optional()])
    visibility = SelectField(
        _l("Who can see it"),
        choices=choices(
            [
                ("participants", _l("Signed-in collider participants only")),
                ("public", _l("Everyone, also without an account")),
            ]
        ),
    )

    def validate_free_tags(self, field):
        _tags, problem = parse_tags([], field.data or "")
        if problem:
            raise ValidationError(problem)


class InterestForm(LmsForm):
    message = TextAreaField(
        _l("A short message"),
        validators=[DataRequired(_l("Please write a short message.")), Length(max=1000)],
        description=_l("Why you are interested and what you would bring."),
    )


class AnswerForm(LmsForm):
    status = SelectField(
        _l("Your answer"),
        choices=choices(
            [
                ("answered", _l("Answered")),
                ("shortlisted", _l("Shortlisted")),
                ("declined", _l("Declined")),
            ]
        ),
    )
    reply = TextAreaField(_l("Reply"), validators=[Length(max=1000)])


def tag_choices_valid(keys) -> list[str]:
    return [k for k in keys if k in CURATED]
