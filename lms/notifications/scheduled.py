"""Messages due at a time, not after a change: session reminders and module target dates.

Safe to run twice, or on two hosts at once: every message has a unique outbox key.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.extensions import db, utcnow
from lms.notifications import services


def send_reminders(now: datetime) -> int:
    from lms.cohorts.models import Meeting
    from lms.notifications.receivers import notify_meeting

    hours = int(current_app.config.get("LMS_NOTIFY_REMINDER_HOURS", 24))
    meetings = db.session.scalars(
        sa.select(Meeting).where(
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at > now,
            Meeting.starts_at <= now + timedelta(hours=hours),
        )
    )
    count = 0
    for meeting in meetings:
        # Keyed on the start time: a session moved later gets its own reminder.
        key = f"meeting:{meeting.id}:{meeting.starts_at.timestamp():.0f}"
        count += notify_meeting("meeting_reminder", meeting, key)
    return count


def send_target_dates(now: datetime) -> int:
    from lms.cohorts.models import Membership, ModuleTarget
    from lms.progress.models import Completion

    days = int(current_app.config.get("LMS_NOTIFY_TARGET_DAYS", 3))
    today = now.date()
    targets = db.session.scalars(
        sa.select(ModuleTarget).where(
            ModuleTarget.due_on >= today - timedelta(days=1),
            ModuleTarget.due_on <= today + timedelta(days=days),
        )
    )
    count = 0
    for target in targets:
        kind = "target_passed" if target.due_on < today else "target_approaching"
        if target.due_on == today:
            continue  # told already when it was approaching; "passed" comes tomorrow
        done = sa.select(Completion.user_id).where(Completion.module_id == target.module_id)
        members = db.session.scalars(
            sa.select(Membership).where(
                Membership.cohort_id == target.cohort_id, Membership.user_id.not_in(done)
            )
        )
        for membership in members:
            recorded = services.notify(
                kind,
                membership.user,
                f"target:{target.id}:{target.due_on.isoformat()}",
                {"target": target, "module": target.module},
                url="/me/learning",
                cohort_id=target.cohort_id,
            )
            count += recorded is not None
    return count


def run_periodic(now: datetime | None = None) -> int:
    """One pass of every scheduled kind, committed."""
    now = now or utcnow()
    count = send_reminders(now) + send_target_dates(now)
    db.session.commit()
    return count
