"""The preferences form: one radio group per kind of message, built from the registry."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice

from lms.forms import LmsForm
from lms.notifications.kinds import Kind

CHANNEL_LABELS = [
    ("email", _l("By email and on the platform")),
    ("platform", _l("On the platform only")),
    ("off", _l("Off")),
]


def field_name(kind: Kind) -> str:
    """``meeting.reminder`` -> ``kind-meeting-reminder`` (a valid id and form name)."""
    return "kind-" + kind.name.replace(".", "-").replace("_", "-")


class PreferencesBase(LmsForm):
    daily_digest = BooleanField(
        _l("Daily digest"),
        description=_l(
            "One email a day with the messages that can wait, instead of one email each."
        ),
    )


def preferences_form(kinds: list[Kind], **kwargs) -> PreferencesBase:
    """A form with a radio group per changeable kind (security kinds are not in it)."""

    class PreferencesForm(PreferencesBase):
        pass

    for kind in kinds:
        if not kind.security:
            setattr(
                PreferencesForm,
                field_name(kind),
                RadioField(
                    kind.label,
                    choices=[SelectChoice(value, label) for value, label in CHANNEL_LABELS],
                    default=kind.default,
                ),
            )
    return PreferencesForm(**kwargs)
