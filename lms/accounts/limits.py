"""Rate limits of the account pages and the keys they count by (docs/security.md, "Rate
limits"): per address, and also per account, per link or per signed-in user."""

from flask import request
from flask_login import current_user

from lms.accounts import services as accounts


def account_key() -> str:
    """Rate-limit per account (the email in the form) as well as per address."""
    return "account:" + accounts.normalise_email(request.form.get("email") or "")[:254]


def account_address_key() -> str:
    """Failed sign-ins count per account *and* address: a stranger guessing someone's
    password from one address blocks only that pair, not the person's own sign-in."""
    from flask_limiter.util import get_remote_address

    return account_key() + "|" + (get_remote_address() or "")


def token_key() -> str:
    """Rate-limit reset submissions per link as well as per address."""
    return "reset:" + (request.view_args or {}).get("token", "")[:400]


def user_key() -> str:
    """Rate-limit per signed-in user."""
    return f"user:{current_user.id}"


#: Limits on POSTs only: per address, and also per account (or link, or signed-in user).
LOGIN_LIMIT = "10 per minute;60 per hour"


#: The per-account ceiling over all addresses, much higher: only a distributed guessing
#: campaign reaches it (docs/security.md, "Rate limits").
LOGIN_ACCOUNT_CEILING = "100 per hour;300 per day"


#: Sign-ups per address: a workshop room of 30 people behind one router signs up (and confirms)
#: within a few minutes, retries included (docs/security.md, "Rate limits").
SIGNUP_ADDRESS_LIMIT = "40 per minute;200 per hour"


#: Sign-ups per email address, over all addresses: one person does not need more; it also
#: caps the confirmation mail anyone can send to one inbox.
SIGNUP_EMAIL_LIMIT = "5 per minute;20 per hour"


RESET_REQUEST_LIMIT = "5 per minute;20 per hour"


RESET_SUBMIT_LIMIT = "10 per minute;30 per hour"


#: Password changes on the account page (guessing the current password).
CREDENTIAL_CHANGE_LIMIT = "5 per minute;20 per hour"


def failed(response) -> bool:
    """Only failed sign-ins count against an address: a class signing in together from one
    school network must not lock itself out."""
    return response.status_code >= 400
