"""The base of every form: no control characters in what people type (issue 12, item 4).

One-line fields refuse every control character; multi-line fields (``TextAreaField``) allow
line breaks and tabs only; URL fields also refuse whitespace. The message appears next to the
field, as for any other validation error. Imports nothing from the features.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.fields import StringField, URLField

#: C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: The same without the line breaks and tab a multi-line field may hold.
CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def control_problem(field) -> str | None:
    """The message for a field whose data holds characters it may not, else ``None``."""
    data = field.data
    if not isinstance(data, str) or not data:
        return None
    if isinstance(field, TextAreaField):
        pattern = CONTROL_MULTILINE
    elif isinstance(field, StringField):
        pattern = CONTROL
    else:
        return None
    if pattern.search(data):
        return str(_l("Remove the invisible control characters (such as line breaks) from this field."))
    if (isinstance(field, URLField) or field.name.endswith("url")) and any(ch.isspace() for ch in data.strip()):
        return str(_l("A web address cannot contain spaces or line breaks."))
    return None


def strip_whitespace(value):
    """A field filter: an address pasted or typed with a space around it is still the address."""
    return value.strip() if isinstance(value, str) else value


class LmsForm(FlaskForm):
    """FlaskForm whose every text field is checked for control characters."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        for field in self:
            problem = control_problem(field)
            if problem is not None:
                field.errors = [*field.errors, problem] if isinstance(field.errors, list) else [problem]
                valid = False
        return valid
