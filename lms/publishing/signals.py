"""Signals the content sync sends, for higher features to act on.

Sent inside the course's SAVEPOINT, after the change is flushed: what a receiver records is kept
or rolled back with the course's publishing, and committed by the sync's caller. Receivers must
not commit.
"""

from blinker import Namespace

_signals = Namespace()

#: Modules of a course were archived (removed from git): learners who had completed every other
#: module have now completed the course. ``sender`` is the :class:`~lms.courses.models.Course`;
#: keyword ``modules`` (the archived :class:`~lms.courses.models.Module` rows).
modules_archived = _signals.signal("modules-archived")
