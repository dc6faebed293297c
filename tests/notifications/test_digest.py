"""The daily digest: one email a day with the messages a person let wait (issue 16, item 2)."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.notifications.digest import digest_cutoff, send_digests
from lms.notifications.models import Notification, NotificationSettings, OutboxMessage
from lms.notifications.periodic import PERIODIC
from tests.notifications.people import hello_kind_fixture, send_hello  # noqa: F401

#: A morning after the messages were recorded (they are recorded "now", in the test).
TOMORROW_9 = (datetime.now(UTC) + timedelta(days=1)).replace(hour=9, minute=0)


def _wants_digest(app, user_id):
    with app.app_context():
        db.session.add(NotificationSettings(user_id=user_id, daily_digest=True))
        db.session.commit()


def _run(app, now):
    with app.test_request_context():
        count = send_digests(now)
        db.session.commit()
        return count


def _emails(app):
    with app.app_context():
        return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_the_job_is_registered_hourly(app):
    assert PERIODIC["notifications.digest"].every == timedelta(hours=1)


def test_cutoff_is_the_last_digest_hour(app):
    with app.app_context():
        assert digest_cutoff(datetime(2026, 5, 4, 9, 30, tzinfo=UTC)) == datetime(
            2026, 5, 4, 7, tzinfo=UTC
        )
        assert digest_cutoff(datetime(2026, 5, 4, 6, 59, tzinfo=UTC)) == datetime(
            2026, 5, 3, 7, tzinfo=UTC
        )
        app.config["LMS_DIGEST_HOUR"] = 18
        assert digest_cutoff(datetime(2026, 5, 4, 19, tzinfo=UTC)) == datetime(
            2026, 5, 4, 18, tzinfo=UTC
        )


def test_held_messages_go_out_in_one_email_once(app, make_user, hello_kind):
    alma, alma_email = make_user("learner", name="Alma")
    _wants_digest(app, alma)
    send_hello(app, alma, "a", topic="pottery")
    send_hello(app, alma, "b", topic="weaving")
    assert [m.status for m in _emails(app)] == ["digest", "digest"]

    # Before the next digest hour nothing goes.
    assert _run(app, datetime.now(UTC) - timedelta(days=1)) == 0
    assert _run(app, TOMORROW_9) == 1
    assert _run(app, TOMORROW_9 + timedelta(hours=1)) == 0  # safe to run twice

    held_a, held_b, digest = _emails(app)
    assert digest.kind == "digest" and digest.status == "queued"
    assert digest.to_email == alma_email
    assert digest.subject == "Your daily digest: 2 messages"
    assert "Hello about pottery" in digest.text_body and "Hello about weaving" in digest.text_body
    assert "news about weaving" in digest.text_body
    assert "Hello about pottery" in digest.html_body
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in digest.headers["List-Unsubscribe"]
    for held in (held_a, held_b):
        assert held.status == "sent"
        assert held.claimed_by == f"digest:{digest.id}"


def test_each_person_gets_their_own_and_only_digestible_rows(app, make_user, hello_kind):
    alma, _ = make_user("learner")
    boris, _ = make_user("learner")
    _wants_digest(app, alma)
    send_hello(app, alma, "a")
    send_hello(app, boris, "a")  # boris asked for no digest: queued at once
    assert _run(app, TOMORROW_9) == 1
    statuses = {(m.user_id, m.kind): m.status for m in _emails(app)}
    assert statuses == {
        (alma, "tests.hello"): "sent",
        (boris, "tests.hello"): "queued",
        (alma, "digest"): "queued",
    }


def test_a_new_day_brings_a_new_digest(app, make_user, hello_kind):
    alma, _ = make_user("learner")
    _wants_digest(app, alma)
    send_hello(app, alma, "a")
    assert _run(app, TOMORROW_9) == 1
    send_hello(app, alma, "b")
    assert _run(app, TOMORROW_9) == 0  # held after today's cut-off: tomorrow's digest
    assert _run(app, TOMORROW_9 + timedelta(days=1)) == 1
    digests = [m for m in _emails(app) if m.kind == "digest"]
    assert [d.subject for d in digests] == [
        "Your daily digest: 1 message",
        "Your daily digest: 1 message",
    ]


def test_stopping_the_digest_emails_keeps_the_messages_on_the_platform(
    app, client, make_user, hello_kind
):
    alma, _ = make_user("learner")
    _wants_digest(app, alma)
    send_hello(app, alma, "a")
    assert _run(app, TOMORROW_9) == 1
    digest = [m for m in _emails(app) if m.kind == "digest"][0]
    path = digest.headers["List-Unsubscribe"].strip("<>")
    path = path[path.index("/notifications/unsubscribe/") :]
    assert "Stop emails about Daily digest?" in client.get(path).get_data(as_text=True)
    client.post(path, data={"List-Unsubscribe": "One-Click"})
    send_hello(app, alma, "b")
    assert _run(app, TOMORROW_9 + timedelta(days=1)) == 0
    assert [m.kind for m in _emails(app)] == ["tests.hello", "digest"]  # b was never emailed
    with app.app_context():
        entries = db.session.scalars(
            sa.select(Notification.key).where(Notification.user_id == alma)
        ).all()
    assert sorted(entries) == ["a", "b"]  # both stay in her list on the platform
