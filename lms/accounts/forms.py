"""Sign-up, sign-in, password and account settings forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from lms.accounts.passwords import MAX_PASSWORD_LENGTH, password_problem
from lms.forms import LmsForm, strip_whitespace
from lms.i18n.services import ui_languages
from lms.organisations.forms import AboutYouFields

PASSWORD_HELP = _l(
    "10 to 128 characters, not a common password. A few unrelated words make a strong one."
)


def _page_language() -> str:
    from lms.i18n.services import chosen_language

    return chosen_language()


class PasswordRules:
    """Validator: the rules of ``passwords.py``, with the person's email and name.

    The email and name come from the form's ``account`` (set by the view for an existing
    account) or from its ``email`` and ``name`` fields (sign-up).
    """

    def __call__(self, form, field):
        account = getattr(form, "account", None)
        email = getattr(account, "email", None) or (form.email.data if "email" in form else None)
        name = getattr(account, "name", None) or (form.name.data if "name" in form else None)
        problem = password_problem(field.data or "", email, name)
        if problem is not None:
            raise ValidationError(str(problem))


def new_password_field(label=None) -> PasswordField:
    return PasswordField(
        label or _l("New password"),
        validators=[DataRequired(_l("Please choose a password.")), PasswordRules()],
        description=PASSWORD_HELP,
    )


def confirm_field() -> PasswordField:
    return PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Please repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )


def language_field(default="en") -> SelectField:
    """The preferred language; ``default`` may be a callable (the page's language)."""
    return SelectField(
        _l("Preferred language"),
        # The languages the interface is offered in, in the switcher's order: choosing one the
        # UI cannot show yet would silently change nothing.
        choices=lambda: [SelectChoice(code, label) for code, label in ui_languages().items()],
        default=default,
    )


class SignupForm(AboutYouFields, LmsForm):
    name = StringField(
        _l("Your name"), validators=[DataRequired(_l("Please tell us your name.")), Length(max=120)]
    )
    email = EmailField(
        _l("Email address"),
        filters=[strip_whitespace],  # an address pasted with a space around it
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Email(_l("This does not look like an email address.")),
            Length(max=254),
        ],
    )
    password = new_password_field(_l("Password"))
    confirm = confirm_field()
    # The language the page is shown in: signing up must not switch the UI to English.
    locale = language_field(default=_page_language)
    # No check whether the address is taken: the answer must not tell (see views.signup).


class ConfirmSignupForm(LmsForm):
    """The one button of a sign-up link (a POST, so that opening the link creates nothing)."""


class LoginForm(LmsForm):
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


class ForgotPasswordForm(LmsForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Email(_l("This does not look like an email address.")),
            Length(max=254),
        ],
    )


class ResetPasswordForm(LmsForm):
    """Choose a new password (reset link); the view sets ``account``."""

    password = new_password_field()
    confirm = confirm_field()


class ChangePasswordForm(LmsForm):
    """Change the password on the account page; the view sets ``account``."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Please enter your current password.")),
            Length(max=MAX_PASSWORD_LENGTH),
        ],
    )
    password = new_password_field()
    confirm = confirm_field()


class ProfileForm(AboutYouFields, LmsForm):
    name = StringField(
        _l("Your name"), validators=[DataRequired(_l("Please tell us your name.")), Length(max=120)]
    )
    locale = language_field()


class SetPasswordForm(LmsForm):
    """Choose a first password (invitation link); the view sets ``account``."""

    password = new_password_field()
