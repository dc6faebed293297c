"""Receivers that record the accounts', cohorts' sign-in and programme registrants' emails in
the outbox (issue 16). Each runs inside the sender's transaction: it records and flushes."""

import hashlib

from flask_babel import get_locale

from lms.accounts.signals import password_reset_requested, signup_attempted, signup_requested
from lms.cohorts.signals import sign_in_link_made
from lms.extensions import utcnow
from lms.notifications.outbox import notify
from lms.programme.signals import registrant_notified


def _digest(*parts: str) -> str:
    """A short key for a message asked for now: each request records its own message (two
    requests in the same second may carry the same link; both are sent, as asked)."""
    return hashlib.sha256("\n".join((*parts, utcnow().isoformat())).encode()).hexdigest()[:24]


def _request_locale() -> str:
    locale = get_locale()
    return str(locale) if locale else "en"


@password_reset_requested.connect
def _password_reset(user, link: str, **_kw) -> None:
    notify("account.password_reset", user, _digest(link), context={"reset_link": link})


@signup_requested.connect
def _signup(email: str, name: str, link: str, locale: str | None = None, **_kw) -> None:
    notify(
        "account.signup_confirm",
        None,
        _digest(link),
        context={"name": name, "confirm_link": link},
        to_email=email,
        locale=locale or _request_locale(),
    )


@signup_attempted.connect
def _signup_attempt(user, link: str, **_kw) -> None:
    # Once per account and minute at most: a stranger cannot flood an inbox.
    minute = utcnow().strftime("%Y%m%d%H%M")
    notify("account.signup_attempt", user, f"attempt:{minute}", context={"login_link": link})


@sign_in_link_made.connect
def _sign_in_link(user, cohort, link: str, invitation: bool, locale: str | None = None, **_kw):
    notify(
        "account.sign_in_link",
        user,
        _digest(link),
        context={"cohort_name": cohort.name, "sign_in_link": link, "invitation": invitation},
        locale=locale,
    )


@registrant_notified.connect
def _registrant(reg, subject: str, body: str, locale: str | None = None, **_kw) -> None:
    notify(
        "event.registration",
        None,
        f"registration:{reg.id}:{_digest(subject, body)}",
        context={"subject": subject, "body": body},
        to_email=reg.email,
        locale=locale or _request_locale(),
    )
