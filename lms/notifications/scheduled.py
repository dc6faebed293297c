"""Scheduled kinds: the reminder before each session and module target dates (issue 16).

Each job computes what is due from the database with a few queries whatever the cohort's
size, records with :func:`~lms.notifications.notify` and flushes; the outbox's unique keys
make a second run (or two workers at once) record nothing new.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from lms.cohorts.models import Cohort, Meeting, MeetingModule, ModuleTarget
from lms.courses.models import Module
from lms.extensions import db
from lms.notifications.catalogue import MEETING_REMINDER, MODULE_TARGET
from lms.notifications.outbox import notify
from lms.notifications.periodic import register_periodic
from lms.notifications.receivers import members_by_cohort, module_links
from lms.progress.models import Completion

#: A target date passed longer ago than this is old news: no "passed" message any more.
PASSED_FOR = timedelta(days=7)


def _completed(user_ids, module_ids) -> set[tuple[int, int]]:
    """(user id, module id) of each completion among those (one query)."""
    if not user_ids or not module_ids:
        return set()
    return set(
        db.session.execute(
            sa.select(Completion.user_id, Completion.module_id).where(
                Completion.user_id.in_(list(user_ids)), Completion.module_id.in_(list(module_ids))
            )
        ).all()
    )


def due_reminders(now: datetime) -> list[Meeting]:
    """Sessions starting within ``LMS_REMINDER_HOURS`` of ``now``, not cancelled."""
    hours = current_app.config["LMS_REMINDER_HOURS"]
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .join(Cohort, Cohort.id == Meeting.cohort_id)
            .where(
                Meeting.starts_at > now,
                Meeting.starts_at <= now + timedelta(hours=hours),
                Meeting.cancelled_at.is_(None),
                Cohort.archived_at.is_(None),
            )
            .options(
                selectinload(Meeting.cohort),
                selectinload(Meeting.modules)
                .selectinload(MeetingModule.module)
                .selectinload(Module.course),
            )
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def send_meeting_reminders(now: datetime) -> int:
    """The reminder before each session, with what to prepare and whether each is done."""
    meetings = due_reminders(now)
    members = members_by_cohort({m.cohort_id for m in meetings})
    prepare = {m.id: module_links(m) for m in meetings}
    done = _completed(
        {u.id for users in members.values() for u in users},
        {item["id"] for items in prepare.values() for item in items},
    )
    recorded = 0
    for meeting in meetings:
        for user in members.get(meeting.cohort_id, []):
            items = [dict(item, done=(user.id, item["id"]) in done) for item in prepare[meeting.id]]
            if notify(
                MEETING_REMINDER.name,
                user,
                f"reminder:{meeting.id}:{meeting.sequence}",
                context={"meeting": meeting, "cohort_name": meeting.cohort.name, "prepare": items},
                link="/me/sessions",
            ):
                recorded += 1
    return recorded


def due_targets(now: datetime) -> list[tuple[ModuleTarget, str]]:
    """Target dates within ``LMS_TARGET_REMINDER_DAYS`` (``soon``) or passed in the last week
    (``passed``), of current cohorts and modules."""
    today = now.date()
    days = current_app.config["LMS_TARGET_REMINDER_DAYS"]
    targets = db.session.scalars(
        sa.select(ModuleTarget)
        .join(Cohort, Cohort.id == ModuleTarget.cohort_id)
        .join(Module, Module.id == ModuleTarget.module_id)
        .where(
            ModuleTarget.due_on >= today - PASSED_FOR,
            ModuleTarget.due_on <= today + timedelta(days=days),
            Cohort.archived_at.is_(None),
            Module.archived_at.is_(None),
        )
        .options(selectinload(ModuleTarget.module).selectinload(Module.course))
        .order_by(ModuleTarget.due_on, ModuleTarget.id)
    )
    return [(t, "passed" if t.due_on < today else "soon") for t in targets]


def send_target_reminders(now: datetime) -> int:
    """A target date near or passed, to each learner of the cohort who has not completed it."""
    due = due_targets(now)
    members = members_by_cohort({t.cohort_id for t, _state in due})
    cohorts = {
        c.id: c
        for c in db.session.scalars(sa.select(Cohort).where(Cohort.id.in_(list(members) or [0])))
    }
    done = _completed(
        {u.id for users in members.values() for u in users}, {t.module_id for t, _state in due}
    )
    recorded = 0
    for target, state in due:
        module = target.module
        for user in members.get(target.cohort_id, []):
            if (user.id, module.id) in done:
                continue
            if notify(
                MODULE_TARGET.name,
                user,
                f"target:{target.cohort_id}:{module.id}:{state}",
                context={
                    "module": module,
                    "due_on": target.due_on,
                    "state": state,
                    "cohort_name": cohorts[target.cohort_id].name,
                },
                link=f"/courses/{module.course.slug}/{module.slug}",
            ):
                recorded += 1
    return recorded


register_periodic("meeting-reminders", timedelta(minutes=10), send_meeting_reminders)
register_periodic("target-dates", timedelta(hours=1), send_target_reminders)
