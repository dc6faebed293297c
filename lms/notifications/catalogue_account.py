"""The account's own messages (issue 16, delivery): security kinds that cannot be turned off,
and the event registration confirmation (registrants have no account)."""

from flask_babel import lazy_gettext as _l

from lms.notifications.kinds import GROUP_ACCOUNT, GROUP_SESSIONS, Kind, register_kind

PASSWORD_RESET = register_kind(
    Kind(
        "account.password_reset",
        _l("Password reset links"),
        GROUP_ACCOUNT,
        "accounts/messages/password_reset",
        security=True,
        digestible=False,
    )
)
SIGNUP_CONFIRM = register_kind(
    Kind(
        "account.signup_confirm",
        _l("Sign-up confirmation"),
        GROUP_ACCOUNT,
        "accounts/messages/signup_confirm",
        security=True,
        digestible=False,
    )
)
SIGNUP_ATTEMPT = register_kind(
    Kind(
        "account.signup_attempt",
        _l("Sign-up with your address"),
        GROUP_ACCOUNT,
        "accounts/messages/signup_attempt",
        security=True,
        digestible=False,
    )
)
SIGN_IN_LINK = register_kind(
    Kind(
        "account.sign_in_link",
        _l("Sign-in links"),
        GROUP_ACCOUNT,
        "accounts/messages/sign_in_link",
        security=True,
        digestible=False,
    )
)
EVENT_REGISTRATION = register_kind(
    Kind(
        "event.registration",
        _l("Event registration"),
        GROUP_SESSIONS,
        "programme/messages/event_registration",
        digestible=False,
    )
)
