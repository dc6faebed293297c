"""Signals the progress feature sends, for higher features (certificates) to act on.

Sent inside the request's transaction, after the change is flushed and before the one commit:
a receiver that records something (a certificate) commits with the completion. Receivers must
not commit and must not talk to SMTP or any other network service.
"""

from blinker import Namespace

_signals = Namespace()

#: A learner completed a module (read it, and passed its quiz if it has one), once.
#: ``sender`` is the :class:`~lms.courses.models.Module`; keyword ``user_id``. A receiver may
#: return what the completion earned (the certificates feature: the course certificate), which
#: :func:`lms.progress.services.try_complete` hands back to the view in ``Outcome.earned``.
module_completed = _signals.signal("module-completed")
