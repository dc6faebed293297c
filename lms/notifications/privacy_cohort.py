"""Facilitators' nudges and announcements in a person's data download, and on deletion."""

import sqlalchemy as sa

from lms.extensions import db
from lms.notifications.cohort_models import Announcement, Nudge

EXPORTED = {
    ("cohort_nudges", "user_id"): "nudges_received",
    ("cohort_nudges", "sender_id"): "messages_to_cohorts",
    ("cohort_announcements", "author_id"): "messages_to_cohorts",
}

ON_DELETE = {
    ("cohort_nudges", "user_id"): "removed",
    ("cohort_nudges", "sender_id"): "kept for the learner, without the sender",
    ("cohort_announcements", "author_id"): "kept for the cohort, without the author",
}

COLUMNS = {
    "nudges_received": ["subject", "body", "sent_at"],
    "messages_to_cohorts": ["what", "cohort_id", "subject", "body", "sent_at"],
}


def collect(user) -> dict:
    received = db.session.scalars(
        sa.select(Nudge).where(Nudge.user_id == user.id).order_by(Nudge.id)
    )
    sent = db.session.scalars(sa.select(Nudge).where(Nudge.sender_id == user.id).order_by(Nudge.id))
    written = db.session.scalars(
        sa.select(Announcement).where(Announcement.author_id == user.id).order_by(Announcement.id)
    )
    return {
        "nudges_received": [
            {"subject": n.subject, "body": n.body, "sent_at": n.sent_at.isoformat()}
            for n in received
        ],
        "messages_to_cohorts": [
            {
                "what": "nudge",
                "cohort_id": n.cohort_id,
                "subject": n.subject,
                "body": n.body,
                "sent_at": n.sent_at.isoformat(),
            }
            for n in sent
        ]
        + [
            {
                "what": "announcement",
                "cohort_id": a.cohort_id,
                "subject": a.subject,
                "body": a.body,
                "sent_at": a.created_at.isoformat(),
            }
            for a in written
        ],
    }


def delete_for(user) -> None:
    """Flush, never commit."""
    db.session.execute(sa.delete(Nudge).where(Nudge.user_id == user.id))
    db.session.execute(sa.update(Nudge).where(Nudge.sender_id == user.id).values(sender_id=None))
    db.session.execute(
        sa.update(Announcement).where(Announcement.author_id == user.id).values(author_id=None)
    )
