"""Signals the certificates feature sends, for higher features (notifications) to act on.

Sent inside the transaction that issues the certificate, after it is flushed; receivers record,
never commit, never send mail themselves.
"""

from blinker import Namespace

_signals = Namespace()

#: A certificate was issued. ``sender`` is the :class:`~lms.certificates.models.Certificate`.
certificate_issued = _signals.signal("certificate-issued")
