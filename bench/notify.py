"""How fast does the outbox reach people? A cohort of 2,000 learners gets a session reminder
and a nudge: 4,000 emails recorded with notify(), then delivered to a local SMTP server.

Builds a fresh SQLite (or ``--database-url``) database, records both messages for every
learner in one transaction each (as the reminder job and the nudge page do), then runs
``--workers`` delivery workers (processes of ``lms worker --burst``, each with its own claim
and SMTP connection) against an aiosmtpd server in a process of its own, until every message
is accepted (the time includes the workers' start). Target on 2 cores: all
4,000 delivered in under 60 s. Usage and figures: ``bench/README.md``.

    .venv/bin/python bench/notify.py [--learners 2000] [--workers 2] [--database-url URL]

The last line printed is one JSON object with every figure.
"""

# ruff: noqa: E402
import warnings

warnings.simplefilter("ignore")

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa
from common import code_version  # noqa: E402 - bench/ is the script's folder
from flask_babel import lazy_gettext as _l
from jinja2 import ChoiceLoader, DictLoader
from werkzeug.security import generate_password_hash

from lms import create_app
from lms.accounts.models import User
from lms.cohorts.models import Cohort, Membership
from lms.cohorts.operations import new_join_code, new_token
from lms.extensions import db
from lms.notifications import notify
from lms.notifications.kinds import GROUP_COHORT, GROUP_SESSIONS, KINDS, Kind, register_kind
from lms.notifications.models import OutboxMessage
from lms.organisations.services import partner_for

TARGET_SECONDS = 60
SECRET_KEY = "bench-notify-" + "k" * 40

#: Two small kinds of our own, used when the real reminder and nudge kinds are not registered.
BENCH_TEMPLATES = {
    "bench/reminder.subject.txt": "Tomorrow: {{ meeting_title }}",
    "bench/reminder.txt": (
        "Hello {{ recipient.name }},\n\n{{ meeting_title }} starts tomorrow at 10:00.\n"
        "Prepare: read the first module.\n\n{{ link_url }}\n\nStop these emails: {{ unsubscribe_url }}"
    ),
    "bench/reminder.html": (
        '{% extends "notifications/mail.html" %}{% block body %}<p>Hello {{ recipient.name }},</p>'
        '<p>{{ meeting_title }} starts tomorrow at 10:00.</p><p><a href="{{ link_url }}">Open it</a>'
        "</p>{% endblock %}"
    ),
    "bench/nudge.subject.txt": "We miss you in {{ cohort_name }}",
    "bench/nudge.txt": (
        "Hello {{ recipient.name }},\n\nyour next module is waiting for you.\n\n{{ link_url }}"
    ),
    "bench/nudge.html": (
        '{% extends "notifications/mail.html" %}{% block body %}<p>Hello {{ recipient.name }},</p>'
        "<p>your next module is waiting for you.</p>{% endblock %}"
    ),
}


#: The local SMTP server, in a process of its own: one byte in ``COUNT_FILE`` per message.
SMTP_SERVER = """
import sys
from aiosmtpd.controller import Controller

class Count:
    async def handle_DATA(self, server, session, envelope):
        with open(sys.argv[2], "ab") as f:
            f.write(b".")
        return "250 Message accepted"

controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""


class Counter:
    """How many messages the SMTP server process accepted."""

    def __init__(self, path: Path):
        self.path = path
        path.write_bytes(b"")

    @property
    def count(self) -> int:
        return self.path.stat().st_size


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build(app, learners: int) -> tuple[int, list[int]]:
    with app.app_context():
        db.create_all()
        partner = partner_for("Bench Partner Makerspace")
        cohort = Cohort(
            name="Bench cohort",
            language="en",
            partner_id=partner.id,
            starts_on=date.today(),
            ends_on=date.today() + timedelta(days=90),
            join_code=new_join_code(),
            calendar_token=new_token(),
        )
        db.session.add(cohort)
        db.session.flush()
        password = generate_password_hash("bench password 2026")
        db.session.execute(
            sa.insert(User),
            [
                {
                    "email": f"learner{n}@bench.example.org",
                    "name": f"Learner {n}",
                    "password_hash": password,
                    "role": "learner",
                    "locale": "en",
                }
                for n in range(learners)
            ],
        )
        ids = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
        db.session.execute(
            sa.insert(Membership), [{"cohort_id": cohort.id, "user_id": uid} for uid in ids]
        )
        db.session.commit()
        return cohort.id, ids


def enqueue(app, cohort_id: int, ids: list[int], reminder: str, nudge: str) -> float:
    started = time.perf_counter()
    with app.test_request_context():
        cohort = db.session.get(Cohort, cohort_id)
        users = db.session.scalars(sa.select(User).where(User.id.in_(ids))).all()
        for user in users:
            notify(
                reminder,
                user,
                f"meeting:1:{user.id}",
                context={"meeting_title": "Kick-off in Graz", "cohort_name": cohort.name},
                link=f"/cohorts/{cohort.id}",
            )
        db.session.commit()
        for user in users:
            notify(
                nudge,
                user,
                f"nudge:1:{user.id}",
                context={"cohort_name": cohort.name},
                link=f"/cohorts/{cohort.id}",
            )
        db.session.commit()
    return time.perf_counter() - started


def deliver(url: str, smtp_port: int, workers: int, expected: int, counter: Counter, log) -> float:
    """Start ``workers`` processes of ``lms worker --burst``; seconds until all arrived."""
    env = {
        **os.environ,
        "LMS_ENV": "testing",
        "LMS_SECRET_KEY": SECRET_KEY,
        "LMS_DATABASE_URL": url,
        "LMS_MAIL_SERVER": "127.0.0.1",
        "LMS_MAIL_PORT": str(smtp_port),
        "LMS_MAIL_USE_TLS": "0",
        "LMS_CONTENT_AUTOSYNC": "0",
    }
    env.pop("LMS_REDIS_URL", None)
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "lms.cli", "worker", "--burst"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(workers)
    ]
    for process in processes:
        if process.wait():
            print(f"a worker failed; see {log.name}")
    deadline = time.monotonic() + 30
    while counter.count < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="lms-bench-notify-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    counter = Counter(Path(folder) / "accepted")
    smtp_port = free_port()
    smtp = subprocess.Popen(
        [sys.executable, "-c", SMTP_SERVER, str(smtp_port), str(counter.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    smtp.stdout.readline()  # ready
    os.environ.pop("LMS_REDIS_URL", None)
    app = create_app(
        {
            "LMS_ENV": "testing",
            "SECRET_KEY": SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": url,
            "LMS_CONTENT_AUTOSYNC": False,
            "LMS_MAIL_SERVER": "127.0.0.1",
            "LMS_MAIL_PORT": smtp_port,
            "LMS_MAIL_USE_TLS": False,
        }
    )
    app.jinja_env.loader = ChoiceLoader([DictLoader(BENCH_TEMPLATES), app.jinja_env.loader])
    reminder = "meeting.reminder" if "meeting.reminder" in KINDS else "bench.reminder"
    nudge = "cohort.nudge" if "cohort.nudge" in KINDS else "bench.nudge"
    if reminder == "bench.reminder":
        register_kind(Kind(reminder, _l("Bench reminder"), GROUP_SESSIONS, "bench/reminder"))
    if nudge == "bench.nudge":
        register_kind(Kind(nudge, _l("Bench nudge"), GROUP_COHORT, "bench/nudge"))

    cohort_id, ids = build(app, args.learners)
    expected = 2 * len(ids)
    print(f"{len(ids)} learners; kinds {reminder} and {nudge}; {args.workers} workers")
    enqueue_s = enqueue(app, cohort_id, ids, reminder, nudge)
    with app.app_context():
        queued = db.session.scalar(
            sa.select(sa.func.count()).where(OutboxMessage.status == "queued")
        )
    print(f"enqueue: {queued} messages recorded in {enqueue_s:.1f} s")
    with open(Path(folder) / "workers.log", "wb") as log:
        deliver_s = deliver(url, smtp_port, args.workers, expected, counter, log)
    with app.app_context():
        sent = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == "sent"))
    smtp.communicate(b"")  # stdin closed: the server stops
    rate = counter.count / deliver_s if deliver_s else 0.0
    print(
        f"deliver: {counter.count} accepted by the SMTP server ({sent} marked sent) in "
        f"{deliver_s:.1f} s: {rate:.0f} messages/s"
    )
    total = enqueue_s + deliver_s
    verdict = "PASS" if counter.count == expected and deliver_s < TARGET_SECONDS else "FAIL"
    print(f"{verdict}: all {expected} delivered in {deliver_s:.1f} s (target < {TARGET_SECONDS} s)")
    print(
        json.dumps(
            {
                "benchmark": "notify",
                "learners": len(ids),
                "messages": expected,
                "workers": args.workers,
                "database": sa.engine.make_url(url).get_backend_name(),
                "enqueue_s": round(enqueue_s, 2),
                "deliver_s": round(deliver_s, 2),
                "total_s": round(total, 2),
                "messages_per_s": round(rate, 1),
                "delivered": counter.count,
                "marked_sent": sent,
                "target_s": TARGET_SECONDS,
                "pass": verdict == "PASS",
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "code": code_version(),
            }
        )
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
