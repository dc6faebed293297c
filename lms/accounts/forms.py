"""Sign-up and sign-in forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from lms.accounts.services import (
    LANGUAGES,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    find_user_by_email,
)


def _page_language() -> str:
    from lms.i18n.services import chosen_language

    return chosen_language()


class SignupForm(FlaskForm):
    name = StringField(
        _l("Your name"), validators=[DataRequired(_l("Please tell us your name.")), Length(max=120)]
    )
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Email(_l("This does not look like an email address.")),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Please choose a password.")),
            Length(
                MIN_PASSWORD_LENGTH,
                MAX_PASSWORD_LENGTH,
                _l("A password needs 10 to 128 characters."),
            ),
        ],
        description=_l("At least 10 characters. A few unrelated words make a strong one."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Please repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )
    locale = SelectField(
        _l("Preferred language"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGES.items()],
        # The language the page is shown in: signing up must not switch the UI to English.
        default=_page_language,
    )

    def validate_email(self, field):
        if find_user_by_email(field.data) is not None:
            raise ValidationError(
                _l("An account with this email address already exists. Sign in instead?")
            )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Please enter your email address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Please enter your password.")),
            Length(max=MAX_PASSWORD_LENGTH),
        ],
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
