"""Delivery through a real SMTP server (aiosmtpd) started by the test: what arrives, retries
while the server is down, failures shown to admins, racing workers, a crash mid-send."""

import email
import email.policy
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from lms.accounts.models import User
from lms.extensions import db, utcnow
from lms.notifications import delivery, notify
from lms.notifications.models import OutboxMessage
from lms.notifications.outbox import Attachment
from tests.conftest import login, post_form
from tests.faults.harness import RedisServer, free_port, wait_for

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Kick-off\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"


class Inbox:
    """The SMTP server's side: every message it accepted, parsed; ``refuse`` answers 550."""

    def __init__(self):
        self.messages = []
        self.refuse = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((envelope.rcpt_tos, parsed))
        return "250 Message accepted"

    def ids(self):
        return [m["Message-ID"] for _to, m in self.messages]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    server = SmtpServer()
    server.start()
    app.config.update(
        LMS_MAIL_SERVER="127.0.0.1", LMS_MAIL_PORT=server.port, LMS_MAIL_USE_TLS=False
    )
    yield server
    server.stop()


def _user(app, email_="ana@example.org", locale="en") -> int:
    from lms.accounts.services import create_user

    with app.app_context():
        user = create_user(email_, "Ana Novak", "correct horse battery", role="learner")
        user.locale = locale
        db.session.commit()
        return user.id


def record_resets(app, user_id: int, count: int) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        for n in range(count):
            notify(
                "account.password_reset",
                user,
                f"test:{n}",
                context={"reset_link": f"http://localhost/r/{n}"},
            )
        db.session.commit()


def statuses(app) -> dict:
    with app.app_context():
        return dict(
            db.session.execute(
                sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
            ).all()
        )


def deliver(app, **kw):
    with app.app_context():
        return delivery.deliver_due(**kw)


def test_messages_arrive_in_the_persons_language_with_both_parts_the_ics_and_unsubscribe(app, smtp):
    italian = _user(app, "bea@example.org", locale="it")
    english = _user(app, "ana@example.org")
    with app.test_request_context():
        bea, ana = db.session.get(User, italian), db.session.get(User, english)
        notify(
            "account.password_reset", bea, "r1", context={"reset_link": "http://localhost/reset/x"}
        )
        notify(
            "event.registration",
            ana,
            "event:1",
            context={
                "subject": "Kick-off in Graz",
                "body": "See you there:\n\nhttp://localhost/events/1",
            },
            attachments=[Attachment("event.ics", "text/calendar", ICS)],
        )
        db.session.commit()
    assert deliver(app).sent == 2
    by_rcpt = {tuple(to): message for to, message in smtp.inbox.messages}
    reset = by_rcpt[("bea@example.org",)]
    assert reset["Subject"] == "Reimposta la tua password della COCO4CCI Academy"
    assert reset["Content-Language"] == "it"
    assert "List-Unsubscribe" not in reset  # security mail: cannot be turned off
    assert "http://localhost/reset/x" in reset.get_body(("plain",)).get_content()
    assert 'href="http://localhost/reset/x"' in reset.get_body(("html",)).get_content()

    event = by_rcpt[("ana@example.org",)]
    assert event["Subject"] == "Kick-off in Graz"
    assert event["From"] == app.config["LMS_MAIL_FROM"]
    assert event["List-Unsubscribe"].startswith("<http://localhost/")
    assert event["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert event["Message-ID"].endswith("@localhost>")
    (ics,) = [part for part in event.iter_attachments()]
    assert ics.get_filename() == "event.ics" and ics.get_content_type() == "text/calendar"
    assert "SUMMARY:Kick-off" in ics.get_content()
    assert "http://localhost/events/1" in event.get_body(("plain",)).get_content()
    assert statuses(app) == {"sent": 2}


def test_with_the_server_down_nothing_is_lost_and_everything_arrives_once_when_it_is_back(
    app, smtp
):
    record_resets(app, _user(app), 3)
    smtp.stop()
    outcome = deliver(app)
    # One try finds the server gone; the others are given back untried for the next round.
    assert (outcome.sent, outcome.retry) == (0, 1)
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert {r.status for r in rows} == {"queued"} and [r.attempts for r in rows] == [1, 0, 0]
        assert "Connection refused" in rows[0].last_error or "Errno" in rows[0].last_error
        assert rows[0].next_attempt_at > utcnow() + timedelta(seconds=50)
        assert all(r.claimed_by == "" for r in rows)
    assert deliver(app).retry == 1  # the next round tries the next one, and stops again

    smtp.start()
    later = utcnow() + timedelta(minutes=2)
    assert deliver(app, now=later).sent == 3
    assert deliver(app, now=later + timedelta(hours=8)).total == 0
    assert len(smtp.inbox.messages) == 3 and len(set(smtp.inbox.ids())) == 3
    assert statuses(app) == {"sent": 3}


def test_after_the_last_try_the_message_is_failed_with_the_servers_answer(
    app, smtp, make_user, client
):
    app.config["LMS_MAIL_MAX_ATTEMPTS"] = 2
    record_resets(app, _user(app), 1)
    smtp.stop()
    deliver(app)
    deliver(app, now=utcnow() + timedelta(minutes=2))
    with app.app_context():
        row = db.session.scalar(sa.select(OutboxMessage))
        assert (row.status, row.attempts) == ("failed", 2) and row.last_error

    smtp.start()
    smtp.inbox.refuse.add("gone@example.org")
    gone_id = _user(app, "gone@example.org")
    with app.app_context():
        gone = db.session.get(User, gone_id)
        notify("account.password_reset", gone, "g", context={"reset_link": "http://localhost/r"})
        db.session.commit()
    deliver(app)  # a 550 needs no second try
    with app.app_context():
        refused = db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.to_email == "gone@example.org")
        )
        assert refused.status == "failed" and "550" in refused.last_error and refused.attempts == 1

    # The admin sees both with the error, and retries the first.
    _admin, admin_email = make_user("admin")
    login(client, admin_email)
    page = client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert "gone@example.org" in page and "550" in page and "ana@example.org" in page
    assert "Mail delivery" in client.get("/admin/users").get_data(as_text=True)
    response = post_form(
        client, f"/admin/mail/{row.id}/retry", {}, token_from="/admin/mail?status=failed"
    )
    assert response.status_code == 302
    assert deliver(app).sent == 1
    assert [tuple(to) for to, _m in smtp.inbox.messages] == [("ana@example.org",)]
    assert statuses(app) == {"sent": 1, "failed": 1}


def test_only_admins_see_delivery_and_a_retry_needs_the_form(app, client, make_user):
    record_resets(app, _user(app), 1)
    _learner, learner_email = make_user("learner")
    login(client, learner_email)
    assert client.get("/admin/mail").status_code == 403
    assert client.post("/admin/mail/1/retry").status_code in (400, 403)
    assert statuses(app) == {"queued": 1}


def _race(app, workers: int):
    start = threading.Barrier(workers)
    results = []

    def work():
        start.wait()
        results.append(deliver(app, claimer=delivery.worker_id()).sent)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_workers_racing_send_each_message_once(app, smtp):
    record_resets(app, _user(app), 120)
    results = _race(app, 2)
    assert sum(results) == 120
    ids = smtp.inbox.ids()
    assert len(ids) == 120 and len(set(ids)) == 120
    assert statuses(app) == {"sent": 120}


def test_a_crash_between_the_servers_ok_and_the_record_does_not_resend(app, smtp, monkeypatch):
    record_resets(app, _user(app), 1)
    real_record = delivery._record

    def crash(message_id, claimer, **values):
        if values.get("status") == "sent":
            raise SystemExit("worker killed")  # the process dies: nothing after runs
        return real_record(message_id, claimer, **values)

    monkeypatch.setattr(delivery, "_record", crash)
    with pytest.raises(SystemExit):
        deliver(app)
    monkeypatch.setattr(delivery, "_record", real_record)
    assert len(smtp.inbox.messages) == 1
    with app.app_context():
        db.session.remove()
    assert statuses(app) == {"sending": 1}

    # A restarted worker leaves it alone, and after the timeout calls it "unknown".
    assert deliver(app).total == 0
    with app.app_context():
        assert delivery.mark_stale_unknown(utcnow() + timedelta(minutes=11)) == 1
    assert deliver(app, now=utcnow() + timedelta(hours=1)).total == 0
    assert len(smtp.inbox.messages) == 1 and statuses(app) == {"unknown": 1}


def test_without_a_mail_server_the_message_is_logged_and_counts_as_sent(app, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="lms.mail")
    record_resets(app, _user(app), 1)
    assert deliver(app).sent == 1
    assert "Reset your COCO4CCI Academy password" in caplog.text
    assert "http://localhost/r/0" in caplog.text  # testing and development show the link
    assert statuses(app) == {"sent": 1}


def test_health_shows_failed_mail_and_an_unreachable_queue(app, client, runner):
    pytest.importorskip("redis", reason="needs the redis extra")
    record_resets(app, _user(app), 2)
    with app.app_context():
        db.session.execute(
            sa.update(OutboxMessage).where(OutboxMessage.id == 1).values(status="failed")
        )
        db.session.commit()
    app.config["LMS_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    body = client.get("/health").get_json()
    assert body["checks"]["mail"]["status"] == "degraded"
    assert body["checks"]["queue"]["detail"] == "Redis unreachable; 1 messages wait in the outbox"
    assert client.get("/health").status_code == 200  # people can still work
    from lms.cli import main

    result = runner.invoke(main, ["doctor"])
    assert "queue" in result.output and "Start Redis again" in result.output
    assert "/admin/mail" in result.output


def _worker_env(app, redis_url: str) -> dict:
    return {
        **os.environ,
        "LMS_ENV": "testing",
        "LMS_SECRET_KEY": app.config["SECRET_KEY"],
        "LMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "LMS_CONTENT_DIR": app.config["LMS_CONTENT_DIR"],
        "LMS_REDIS_URL": redis_url,
        "LMS_MAIL_SERVER": "127.0.0.1",
        "LMS_MAIL_PORT": str(app.config["LMS_MAIL_PORT"]),
        "LMS_MAIL_USE_TLS": "0",
    }


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_rq_workers_racing_on_the_queue_send_each_message_once(app, smtp, tmp_path):
    pytest.importorskip("rq", reason="needs the redis extra (rq)")
    from redis import Redis
    from rq import Queue

    from lms.notifications.worker import QUEUE_NAME, deliver_job

    redis = RedisServer(shutil.which("redis-server"), tmp_path)
    redis.start()
    try:
        record_resets(app, _user(app), 200)
        queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis.url))
        for _ in range(6):
            queue.enqueue(deliver_job)
        env = _worker_env(app, redis.url)
        command = [sys.executable, "-m", "lms.cli", "worker", "--burst"]
        workers = [subprocess.Popen(command, env=env, stderr=subprocess.PIPE) for _ in range(2)]
        for process in workers:
            _out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err.decode()[-2000:]
        ids = smtp.inbox.ids()
        assert len(ids) == 200 and len(set(ids)) == 200
        assert statuses(app) == {"sent": 200}
    finally:
        redis.stop()


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_a_request_enqueues_delivery_and_redis_down_keeps_the_mail_in_the_outbox(
    app, client, make_user, smtp, tmp_path, caplog
):
    import logging

    pytest.importorskip("rq", reason="needs the redis extra (rq)")
    from redis import Redis
    from rq import Queue

    from lms.notifications.worker import QUEUE_NAME

    redis = RedisServer(shutil.which("redis-server"), tmp_path)
    redis.start()
    app.config["LMS_REDIS_URL"] = redis.url
    _uid, address = make_user("learner")
    try:
        post_form(client, "/password/forgot", {"email": address}, token_from="/password/forgot")
        queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis.url))
        assert queue.count == 1
        redis.stop()
        caplog.set_level(logging.WARNING, logger="lms.notifications.worker")
        for _ in range(2):
            response = post_form(
                client, "/password/forgot", {"email": address}, token_from="/password/forgot"
            )
            assert response.status_code == 200
        assert caplog.text.count("Redis unreachable") == 1  # said once, not per request
        assert statuses(app) == {"queued": 3}
        redis.start()
        env = _worker_env(app, redis.url)
        process = subprocess.run(
            [sys.executable, "-m", "lms.cli", "worker", "--burst"],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert process.returncode == 0, process.stderr.decode()[-2000:]
        # Redis lost its queue with the restart; the sweep (here: the burst) delivers the outbox.
        wait_for(lambda: len(smtp.inbox.messages) == 3, 10, "three messages")
        time.sleep(0.2)
        assert len(smtp.inbox.messages) == 3 and statuses(app) == {"sent": 3}
    finally:
        redis.stop()
