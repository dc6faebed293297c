"""Signals of the certificates feature.

``certificate_issued`` is sent for higher features (notifications) to act on, inside the
transaction that issues the certificate, after it is flushed; receivers record, never commit,
never send mail themselves. ``checking_requirements`` is how a higher feature adds a condition
to a certificate without certificates importing it.
"""

from blinker import Namespace

_signals = Namespace()

#: A certificate was issued. ``sender`` is the :class:`~lms.certificates.models.Certificate`.
certificate_issued = _signals.signal("certificate-issued")

#: Asked before a certificate is issued for a finished course. ``sender`` is the
#: :class:`~lms.courses.models.Course`; keyword ``user_id``. A receiver returns ``False`` to
#: hold the certificate back (cohorts: the course's required sessions are not attended yet).
checking_requirements = _signals.signal("checking-requirements")
