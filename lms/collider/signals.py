"""Signals the collider sends after a change, for higher features (notifications) to act on.

Sent inside the request's transaction after the flush; receivers record, never commit.
"""

from blinker import Namespace

_signals = Namespace()

#: Someone asked another participant for a one-to-one meeting at an event.
#: ``sender`` is the :class:`~lms.collider.models.MeetingRequest`.
meeting_requested = _signals.signal("meeting-requested")

#: A request was answered. ``sender`` is the :class:`~lms.collider.models.MeetingRequest`;
#: keyword ``answer`` (``accept``, ``decline`` or ``propose``) and ``previous`` (the status
#: before: ``pending`` when the recipient answered, ``proposed`` when the requester did).
request_answered = _signals.signal("request-answered")
