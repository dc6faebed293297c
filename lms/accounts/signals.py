"""Signals the accounts feature sends when a security email is due, for the notifications
feature to record in its outbox (accounts must not import it).

Senders call them inside the request's transaction, before its one commit; receivers record
(flush) and never commit or talk to SMTP.
"""

from blinker import Namespace

_signals = Namespace()

#: A password reset link was made. ``sender`` is the :class:`~lms.accounts.models.User`;
#: keyword ``link`` (absolute URL).
password_reset_requested = _signals.signal("password-reset-requested")

#: Someone signed up with a new address. ``sender`` is the address (str); keywords ``name``,
#: ``link`` (the confirmation URL) and ``locale`` (the language of the page they used).
signup_requested = _signals.signal("signup-requested")

#: Someone signed up with the address of an existing active account. ``sender`` is the
#: :class:`~lms.accounts.models.User`; keyword ``link`` (the sign-in page's URL).
signup_attempted = _signals.signal("signup-attempted")
