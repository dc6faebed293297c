"""The registry of kinds of message. A feature registers its own kinds at import time:

    from lms.notifications.kinds import Kind, register
    register(Kind("event_registered", _l("Event registration confirmed"),
                  template="programme/notifications/event_registered"))

``template`` names two files: ``<template>.txt`` (blocks ``subject`` and ``body``) and
``<template>.html`` (block ``body``), found through Flask's template folders, so they live with
the feature that registers the kind.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Kind:
    key: str
    label: object
    template: str
    #: False for security messages (password reset, sign-in confirmation): always emailed.
    optional: bool = True
    default: str = "email"


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add ``kind``; registering the same key twice is a programming error."""
    if kind.key in KINDS and KINDS[kind.key] != kind:
        raise ValueError(f"notification kind {kind.key!r} registered twice")
    KINDS[kind.key] = kind
    return kind


def get(key: str) -> Kind:
    return KINDS[key]


T = "notifications/"
for _kind in (
    Kind("meeting_scheduled", _l("A session was scheduled"), T + "meeting"),
    Kind("meeting_changed", _l("A session changed"), T + "meeting"),
    Kind("meeting_cancelled", _l("A session was cancelled"), T + "meeting"),
    Kind("meeting_reminder", _l("Reminder before a session"), T + "meeting"),
    Kind("target_approaching", _l("A module's target date is near"), T + "target"),
    Kind("target_passed", _l("A module's target date has passed"), T + "target"),
    Kind("certificate_issued", _l("A certificate was issued"), T + "certificate"),
    Kind("announcement", _l("Cohort announcements"), T + "message"),
    Kind("nudge", _l("Messages from your facilitator"), T + "message"),
    Kind("security", _l("Security (password reset, sign-in)"), T + "message", optional=False),
):
    register(_kind)
