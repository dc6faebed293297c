"""Small data factories for tests that need rows no page creates directly (call them inside an
app context; they add and flush, the test commits)."""

from datetime import timedelta

from lms.cohorts.models import Meeting
from lms.cohorts.operations import new_token
from lms.extensions import db, utcnow


def new_meeting(cohort_id=None, *, starts_at=None, hours: float = 2, **fields) -> Meeting:
    """A meeting not yet added to the session: starts tomorrow unless ``starts_at`` is given,
    lasts ``hours``; ``fields`` override any column (``title``, ``capacity``, ``place`` ...)."""
    starts_at = starts_at if starts_at is not None else utcnow() + timedelta(days=1)
    values = {
        "title": "Session",
        "ends_at": starts_at + timedelta(hours=hours),
        "timezone": "Europe/Vienna",
        "checkin_token": new_token(),
    }
    values.update(fields)
    if cohort_id is not None:
        values["cohort_id"] = cohort_id
    return Meeting(starts_at=starts_at, **values)


def make_meeting(cohort_id, *, starts_at=None, hours: float = 2, **fields) -> Meeting:
    """:func:`new_meeting`, added and flushed (it has its id)."""
    meeting = new_meeting(cohort_id, starts_at=starts_at, hours=hours, **fields)
    db.session.add(meeting)
    db.session.flush()
    return meeting
