"""Who is coming to a cohort's sessions: the answers to *Will you come?* per session."""

from dataclasses import dataclass, field

import sqlalchemy as sa

from lms.cohorts.models import Rsvp
from lms.extensions import db

ANSWERS = ("yes", "maybe", "no")


@dataclass
class Coming:
    """One session's answers: the people behind each, and who has not answered."""

    yes: list = field(default_factory=list)
    maybe: list = field(default_factory=list)
    no: list = field(default_factory=list)
    none: list = field(default_factory=list)


def who_is_coming(meetings, people) -> dict[int, Coming]:
    """Per meeting id: ``people`` (users, in the order given) grouped by their answer, in one
    query for every meeting."""
    ids = [m.id for m in meetings]
    answers: dict[tuple[int, int], str] = {}
    if ids and people:
        rows = db.session.execute(
            sa.select(Rsvp.meeting_id, Rsvp.user_id, Rsvp.answer).where(
                Rsvp.meeting_id.in_(ids), Rsvp.user_id.in_([p.id for p in people])
            )
        )
        answers = {(meeting_id, user_id): answer for meeting_id, user_id, answer in rows}
    result = {}
    for meeting in meetings:
        coming = Coming()
        for person in people:
            answer = answers.get((meeting.id, person.id))
            getattr(coming, answer if answer in ANSWERS else "none").append(person)
        result[meeting.id] = coming
    return result


def answers_of(user_id: int, meetings) -> dict[int, str]:
    """One person's answers: meeting id -> yes / maybe / no."""
    ids = [m.id for m in meetings]
    if not ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Rsvp.meeting_id, Rsvp.answer).where(
                Rsvp.user_id == user_id, Rsvp.meeting_id.in_(ids)
            )
        ).all()
    )
