"""Scheduled kinds (issue 16): the reminder before each session, module target dates."""

from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.meetings import create_meeting
from lms.cohorts.models import Cohort, ModuleTarget
from lms.courses.models import Module
from lms.extensions import db, utcnow
from lms.notifications.models import OutboxMessage
from lms.notifications.periodic import PERIODIC
from lms.notifications.scheduled import send_meeting_reminders, send_target_reminders
from tests.conftest import complete_with_quiz, login


def _schedule(app, cohort_id, starts_in, prepare=()):
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        start = utcnow() + starts_in
        meeting = create_meeting(
            cohort,
            title="Workshop",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            timezone="Europe/Rome",
            place="Sala 1",
            online_url="",
            capacity=None,
            notes="Bring a laptop.",
            prepare=list(prepare),
            follow_up=[],
        )
        db.session.commit()
        return meeting.id


def _module_id(app, slug):
    with app.app_context():
        return db.session.scalar(sa.select(Module.id).where(Module.slug == slug))


def _run(app, job):
    with app.app_context():
        count = job(utcnow())
        db.session.commit()
        return count


def _outbox(app, kind):
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(OutboxMessage)
                .where(OutboxMessage.kind == kind)
                .order_by(OutboxMessage.id)
            )
        )


def test_both_jobs_are_registered_for_the_workers():
    assert PERIODIC["meeting-reminders"].run is send_meeting_reminders
    assert PERIODIC["target-dates"].run is send_target_reminders


def test_a_session_within_24_hours_is_reminded_once_with_what_to_prepare(
    app, client, make_user, make_cohort
):
    done_id, done_email = make_user("learner", name="Dora Done")
    todo_id, _ = make_user("learner", name="Tom Todo")
    cohort_id = make_cohort([], [done_id, todo_id])
    login(client, done_email)
    complete_with_quiz(client)
    first = _module_id(app, "first-steps")
    soon = _schedule(app, cohort_id, timedelta(hours=20), prepare=[first])
    _schedule(app, cohort_id, timedelta(days=5))  # not yet
    assert _run(app, send_meeting_reminders) == 2
    assert _run(app, send_meeting_reminders) == 0  # safe to run twice
    messages = {m.user_id: m for m in _outbox(app, "meeting.reminder")}
    assert set(messages) == {done_id, todo_id}
    assert all(f"reminder:{soon}:" in m.dedupe_key for m in messages.values())
    assert "[x] First steps (done)" in messages[done_id].text_body
    assert "[ ] First steps (not done yet)" in messages[todo_id].text_body
    assert "Bring a laptop." in messages[todo_id].text_body
    assert "Sala 1" in messages[todo_id].html_body


def test_the_reminder_window_is_configurable_and_cancelled_sessions_are_not_reminded(
    app, make_user, make_cohort
):
    learner, _ = make_user("learner")
    cohort_id = make_cohort([], [learner])
    _schedule(app, cohort_id, timedelta(hours=30))
    assert _run(app, send_meeting_reminders) == 0
    app.config["LMS_REMINDER_HOURS"] = 48
    assert _run(app, send_meeting_reminders) == 1


def test_target_dates_soon_and_passed_for_those_who_have_not_completed(
    app, client, make_user, make_cohort
):
    done_id, done_email = make_user("learner")
    todo_id, _ = make_user("learner")
    with app.app_context():
        db.session.get(User, todo_id).locale = "it"
        db.session.commit()
    cohort_id = make_cohort([], [done_id, todo_id])
    login(client, done_email)
    complete_with_quiz(client)
    first, second = _module_id(app, "first-steps"), _module_id(app, "second-steps")
    today = utcnow().date()
    with app.app_context():
        db.session.add(
            ModuleTarget(cohort_id=cohort_id, module_id=first, due_on=today + timedelta(days=2))
        )
        db.session.add(
            ModuleTarget(cohort_id=cohort_id, module_id=second, due_on=today - timedelta(days=1))
        )
        db.session.commit()
    # First steps: only Tom has not done it; second steps (passed): both.
    assert _run(app, send_target_reminders) == 3
    assert _run(app, send_target_reminders) == 0
    keys = sorted(m.dedupe_key.split(":", 2)[2] for m in _outbox(app, "module.target"))
    assert keys == sorted(
        [
            f"target:{cohort_id}:{first}:soon",
            f"target:{cohort_id}:{second}:passed",
            f"target:{cohort_id}:{second}:passed",
        ]
    )
    italian = [m for m in _outbox(app, "module.target") if m.user_id == todo_id]
    assert all(m.locale == "it" for m in italian)


def test_a_target_far_away_or_long_past_is_not_mentioned(app, make_user, make_cohort):
    learner, _ = make_user("learner")
    cohort_id = make_cohort([], [learner])
    today = utcnow().date()
    with app.app_context():
        db.session.add(
            ModuleTarget(
                cohort_id=cohort_id,
                module_id=_module_id(app, "first-steps"),
                due_on=today + timedelta(days=10),
            )
        )
        db.session.add(
            ModuleTarget(
                cohort_id=cohort_id,
                module_id=_module_id(app, "second-steps"),
                due_on=today - timedelta(days=30),
            )
        )
        db.session.commit()
    assert _run(app, send_target_reminders) == 0


def test_reminders_for_many_learners_take_a_few_queries(app, make_user, make_cohort):
    """No query per learner to find what is due (notify() itself is the outbox's business)."""
    ids = [make_user("learner")[0] for _ in range(12)]
    cohort_id = make_cohort([], ids)
    first = _module_id(app, "first-steps")
    _schedule(app, cohort_id, timedelta(hours=2), prepare=[first])
    from lms.notifications import scheduled

    with app.app_context():
        statements = []
        from sqlalchemy import event

        def count(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            now = utcnow()
            meetings = scheduled.due_reminders(now)
            scheduled.members_by_cohort({m.cohort_id for m in meetings})
            scheduled._completed(set(ids), {first})
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 8
