"""Forms for downloading one's data and deleting an account."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField
from wtforms.validators import AnyOf, DataRequired, Length

from lms.accounts.passwords import MAX_PASSWORD_LENGTH
from lms.forms import LmsForm

#: Download formats: one JSON document, or a zip of CSV files.
FORMATS = ("json", "csv")


class ExportForm(LmsForm):
    """One button per format; the hidden field says which."""

    format = HiddenField(validators=[AnyOf(FORMATS)])


class DeleteAccountForm(LmsForm):
    """Deleting one's own account: the current password and an explicit tick."""

    password = PasswordField(
        _l("Your current password"),
        validators=[
            DataRequired(_l("Please enter your password.")),
            Length(max=MAX_PASSWORD_LENGTH),
        ],
    )
    confirm = BooleanField(
        _l("I understand that my account is deleted for good and cannot be restored."),
        validators=[DataRequired(_l("Please tick the box to confirm."))],
    )


class AdminDeleteForm(LmsForm):
    """An admin deleting someone's account on their request: the admin's own password."""

    password = PasswordField(
        _l("Your own password (as an administrator)"),
        validators=[
            DataRequired(_l("Please enter your password.")),
            Length(max=MAX_PASSWORD_LENGTH),
        ],
    )
    confirm = BooleanField(
        _l("The account holder asked for this deletion, and I checked who they are."),
        validators=[DataRequired(_l("Please tick the box to confirm."))],
    )
