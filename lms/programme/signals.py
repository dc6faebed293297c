"""Signals the programme feature sends, for higher features (notifications) to act on.

Senders call them inside the request's transaction, before its one commit; receivers record
(flush) and never commit or talk to SMTP.
"""

from blinker import Namespace

_signals = Namespace()

#: A registrant of a public event is to be told something (confirm your place, a place is
#: free, the event is cancelled). ``sender`` is the
#: :class:`~lms.programme.models.EventRegistration`; keywords ``subject`` and ``body`` (in the
#: language of the request) and ``locale``.
registrant_notified = _signals.signal("registrant-notified")
