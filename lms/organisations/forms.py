"""Optional fields about a person: organisation (picked or typed), country, gender."""

from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from lms.organisations.models import GENDERS
from lms.organisations.services import GENDER_LABELS, country_choices, partners


class AboutYouFields:
    """Mixed into the sign-up and account forms; every field may be left empty."""

    organisation_id = SelectField(
        _l("Organisation (optional)"), coerce=int, validators=[Optional()], choices=[], default=0
    )
    organisation_name = StringField(
        _l("Or type your organisation's name"), validators=[Optional(), Length(max=160)]
    )
    country = SelectField(_l("Country (optional)"), validators=[Optional()], choices=[])
    gender = SelectField(
        _l("Gender (optional)"),
        description=_l("Only counted, never shown: the programme reports participation by gender."),
        validators=[Optional()],
        choices=[],
    )


def fill_about_choices(form) -> None:
    form.organisation_id.choices = [(0, "—")] + [(o.id, o.name) for o in partners()]
    form.country.choices = [("", "—")] + country_choices()
    form.gender.choices = [("", "—")] + [(g, GENDER_LABELS[g]) for g in GENDERS]


def apply_about(form, user) -> None:
    # The choices were named in the page's language, which Flask-Babel then caches for the
    # request: forget it, so that messages after sign-up use the language the person chose.
    refresh()
    user.organisation_id = form.organisation_id.data or None
    user.organisation_name = (form.organisation_name.data or "").strip()
    user.country = form.country.data or ""
    user.gender = form.gender.data or ""


def about_answers(form) -> dict:
    """The answers as plain data, kept with a sign-up until its address is confirmed."""
    return {
        "organisation_id": form.organisation_id.data or None,
        "organisation_name": (form.organisation_name.data or "").strip(),
        "country": form.country.data or "",
        "gender": form.gender.data or "",
    }
