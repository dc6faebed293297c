"""The kinds of message: each feature's kinds register here once, at import time.

A kind names its templates, which live with its feature:
``<feature>/templates/<template>.subject.txt``, ``.txt`` and ``.html`` (the HTML part extends
``notifications/mail.html``). Each is rendered in the recipient's language with the context
given to :func:`lms.notifications.notify`, plus ``recipient``, ``base_url`` and
``unsubscribe_url`` (empty for security messages).
"""

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Kind:
    #: Dotted name stored in the database, e.g. ``meeting.reminder``. Never rename one.
    name: str
    #: What the preferences page calls it.
    label: LazyString
    #: The preferences page groups kinds under these headings.
    group: LazyString
    #: Template path without the suffix, e.g. ``cohorts/messages/meeting_reminder``.
    template: str
    #: ``email`` (email and platform), ``platform`` or ``off``: when the person chose nothing.
    default: str = "email"
    #: Security messages (password reset, sign-in) cannot be turned off, have no unsubscribe
    #: link and no platform entry; they are never held for the digest.
    security: bool = False
    #: May wait for the daily digest when the person asked for one.
    digestible: bool = True


KINDS: dict[str, Kind] = {}

GROUP_ACCOUNT = _l("Your account")
GROUP_SESSIONS = _l("Sessions and events")
GROUP_LEARNING = _l("Your learning")
GROUP_COHORT = _l("From your facilitators")
GROUP_COLLIDER = _l("Collider")


def register_kind(kind: Kind) -> Kind:
    """Add a kind; the same name twice is a programming error."""
    if kind.name in KINDS and KINDS[kind.name] != kind:
        raise ValueError(f"notification kind {kind.name!r} registered twice")
    KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> Kind:
    """The registered kind; ``KeyError`` for a name nobody registered."""
    return KINDS[name]
