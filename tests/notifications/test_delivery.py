"""Messages reach a real SMTP server once: right people, language, parts, headers; none lost."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.cohorts.models import Meeting
from lms.cohorts.signals import meeting_cancelled, meeting_saved
from lms.extensions import db, utcnow
from lms.notifications.delivery import INTERRUPTED, deliver_due
from lms.notifications.models import Notification, OutboxMessage
from lms.notifications.scheduled import run_periodic
from tests.conftest import login, post_form


def schedule(app, setup):
    with app.app_context():
        meeting = db.session.get(Meeting, setup["meeting_id"])
        meeting_saved.send(meeting, created=True, changed=set())
        db.session.commit()


def test_a_scheduled_session_reaches_each_learner_in_their_language_with_the_ics(
    app, smtp, cohort_with_meeting
):
    schedule(app, cohort_with_meeting)
    with app.app_context():
        assert deliver_due() == 3
    by_recipient = {tuple(to)[0]: message for to, message in smtp.messages}
    emails = [email for _, email in cohort_with_meeting["learners"]]
    assert sorted(by_recipient) == sorted(emails)
    en, it, de = (by_recipient[e] for e in emails)
    assert en["Subject"] == "New session: Printing day"
    assert "Printing day" in it["Subject"] and it["Subject"] != en["Subject"]
    assert de["Subject"] != en["Subject"]
    assert "(Europe/Rome)" in en.get_body(("plain",)).get_content()
    assert en.get_body(("html",)).get_content().lstrip().startswith("<!doctype html>")
    assert "<img" not in en.get_body(("html",)).get_content()
    attachments = list(en.iter_attachments())
    assert attachments[0].get_content_type() == "text/calendar"
    assert en["List-Unsubscribe"].startswith("<https://academy.example/notifications/unsubscribe/")
    assert en["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert en["Message-ID"].endswith("@academy.example>")


def test_the_same_signal_twice_records_each_message_once(app, smtp, cohort_with_meeting):
    schedule(app, cohort_with_meeting)
    schedule(app, cohort_with_meeting)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 3
        deliver_due()
    assert len(smtp.messages) == 3


def test_with_the_server_down_nothing_is_lost_and_everything_arrives_once_later(
    app, smtp, cohort_with_meeting
):
    smtp.stop()
    schedule(app, cohort_with_meeting)
    with app.app_context():
        assert deliver_due() == 0
        rows = db.session.scalars(sa.select(OutboxMessage)).all()
        assert {r.status for r in rows} == {"queued"} and {r.attempts for r in rows} == {1}
        assert all("Error" in r.last_error for r in rows)
        assert deliver_due() == 0  # backoff: not due yet
        smtp.start()
        assert deliver_due(now=utcnow() + timedelta(minutes=2)) == 3
        assert deliver_due(now=utcnow() + timedelta(hours=1)) == 0
    assert len(smtp.messages) == 3


def test_after_the_last_try_the_admin_sees_the_error_and_can_retry(
    app, smtp, client, make_user, cohort_with_meeting
):
    smtp.stop()
    schedule(app, cohort_with_meeting)
    with app.app_context():
        moment = utcnow()
        for _ in range(5):
            deliver_due(now=moment)
            moment += timedelta(hours=1)
        failed = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.status == "failed")
        ).all()
        assert len(failed) == 3
        message_id = failed[0].id
    _, admin_email = make_user("admin")
    login(client, admin_email)
    page = client.get("/admin/notifications?status=failed").get_data(as_text=True)
    assert "ConnectionRefusedError" in page and "Retry" in page
    smtp.start()
    post_form(client, f"/admin/notifications/{message_id}/retry", token_from="/admin/notifications")
    with app.app_context():
        assert deliver_due() == 1
    assert len(smtp.messages) == 1


def test_a_crash_between_sending_and_recording_does_not_resend_on_restart(
    app, smtp, cohort_with_meeting
):
    schedule(app, cohort_with_meeting)

    class Crash(Exception):
        pass

    def crash(_outbox):
        raise Crash

    with app.app_context():
        with pytest.raises(Crash):
            deliver_due(after_send=crash)
        db.session.rollback()
        db.session.remove()
    assert len(smtp.messages) == 1
    with app.app_context():
        # restart after the lease ran out: the interrupted one is not resent, the rest go
        assert deliver_due(now=utcnow() + timedelta(hours=1)) == 2
        interrupted = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.status == "failed")
        ).all()
        assert len(interrupted) == 1 and interrupted[0].last_error == INTERRUPTED
    assert len(smtp.messages) == 3
    assert len({m["Message-ID"] for _, m in smtp.messages}) == 3


def test_two_workers_racing_send_each_message_once(app, smtp, cohort_with_meeting):
    schedule(app, cohort_with_meeting)
    with app.app_context():
        meeting = db.session.get(Meeting, cohort_with_meeting["meeting_id"])
        meeting.sequence = 1
        meeting_saved.send(meeting, created=False, changed={"place"})
        meeting_cancelled.send(meeting)
        db.session.commit()
    results = []

    def work():
        with app.app_context():
            results.append(deliver_due(limit=2))
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 9
    assert len(smtp.messages) == 9
    assert len({m["Message-ID"] for _, m in smtp.messages}) == 9


def test_a_reminder_goes_out_once_however_often_the_periodic_job_runs(
    app, smtp, cohort_with_meeting
):
    with app.app_context():
        assert run_periodic() == 3
        assert run_periodic() == 0
        deliver_due()
    assert len(smtp.messages) == 3
    assert all(
        m["Subject"].startswith(("Reminder", "Promemoria", "Erinnerung"))
        or "Printing day" in m["Subject"]
        for _, m in smtp.messages
    )


def test_one_click_unsubscribe_needs_no_sign_in_and_stops_that_kind(
    app, smtp, client, cohort_with_meeting
):
    schedule(app, cohort_with_meeting)
    with app.app_context():
        deliver_due()
    _, message = smtp.messages[0]
    url = message["List-Unsubscribe"].strip("<>").replace("https://academy.example", "")
    assert "Stop these emails" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert client.post("/notifications/unsubscribe/forged").status_code == 404
    with app.app_context():
        first = db.session.get(Meeting, cohort_with_meeting["meeting_id"])
        second = Meeting(
            cohort_id=first.cohort_id,
            title="Second day",
            starts_at=first.starts_at,
            ends_at=first.ends_at,
            checkin_token="second",
        )
        db.session.add(second)
        db.session.flush()
        meeting_saved.send(second, created=True, changed=set())
        db.session.commit()
        assert deliver_due() == 2  # the one who unsubscribed gets it on the platform only
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Notification.id)).where(
                    Notification.subject.contains("Second day")
                )
            )
            == 3
        )


def test_the_header_counts_unread_and_the_list_marks_them_read(app, client, cohort_with_meeting):
    schedule(app, cohort_with_meeting)
    _, email = cohort_with_meeting["learners"][0]
    login(client, email)
    page = client.get("/notifications").get_data(as_text=True)
    assert "New session: Printing day" in page
    assert '<span class="badge">1<' in page
    post_form(client, "/notifications/read", token_from="/notifications")
    assert '<span class="badge">1<' not in client.get("/notifications").get_data(as_text=True)


def test_preferences_off_means_no_email_and_no_entry(app, smtp, client, cohort_with_meeting):
    _, email = cohort_with_meeting["learners"][0]
    login(client, email)
    post_form(
        client,
        "/notifications/preferences",
        {"kind-meeting_scheduled": "off"},
        token_from="/notifications/preferences",
    )
    schedule(app, cohort_with_meeting)
    with app.app_context():
        deliver_due()
    assert email not in [to[0] for to, _ in smtp.messages]
    assert "Printing day" not in client.get("/notifications").get_data(as_text=True)
