"""Signals the cohorts feature sends after a state change, for higher features to act on.

Senders call them inside the request's transaction, after the change is flushed and before the
one commit, so a receiver that records something (an outbox row) commits with the change.
Receivers must not commit and must not talk to SMTP or any other network service.
"""

from blinker import Namespace

_signals = Namespace()

#: A face-to-face or online meeting was created or edited.
#: ``sender`` is the :class:`~lms.cohorts.models.Meeting`; keyword ``created`` (bool) and
#: ``changed`` (a set of the field names that changed; empty when created).
meeting_saved = _signals.signal("meeting-saved")

#: A meeting was cancelled. ``sender`` is the :class:`~lms.cohorts.models.Meeting`.
meeting_cancelled = _signals.signal("meeting-cancelled")

#: Learners joined a cohort. ``sender`` is the :class:`~lms.cohorts.models.Cohort`;
#: keyword ``users`` (a list of :class:`~lms.accounts.models.User`).
members_added = _signals.signal("members-added")

#: A set-password link for a learner was made and should be emailed. ``sender`` is the
#: :class:`~lms.accounts.models.User`; keywords ``cohort`` (the
#: :class:`~lms.cohorts.models.Cohort`), ``link`` (absolute URL), ``invitation`` (True for a
#: new account from a class list, False for a new link from the learner's page) and
#: ``locale`` (the language to write in).
sign_in_link_made = _signals.signal("sign-in-link-made")
