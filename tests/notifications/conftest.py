"""A real SMTP server (aiosmtpd) per test, and a cohort with a meeting."""

import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller

from lms.accounts.models import User
from lms.extensions import db, utcnow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


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

    @property
    def messages(self):
        return self.inbox.messages


@pytest.fixture
def smtp(app):
    server = SmtpServer()
    server.start()
    app.config.update(
        LMS_MAIL_SERVER="127.0.0.1",
        LMS_MAIL_PORT=server.port,
        LMS_MAIL_USE_TLS=False,
        LMS_BASE_URL="https://academy.example",
    )
    yield server
    server.stop()


@pytest.fixture
def cohort_with_meeting(app, make_user):
    """A cohort with a facilitator, three learners (en, it, de) and a meeting tomorrow."""
    from lms.cohorts.models import Meeting
    from lms.cohorts.services import add_member, create_cohort, new_token

    fac_id, fac_email = make_user("facilitator")
    learners = [make_user("learner") for _ in range(3)]
    with app.app_context():
        for (uid, _), locale in zip(learners, ["en", "it", "de"], strict=True):
            db.session.get(User, uid).locale = locale
        cohort = create_cohort(
            "Spring", "TECOS", "en", date.today(), date.today() + timedelta(days=90), [], [fac_id]
        )
        for uid, _ in learners:
            add_member(cohort, db.session.get(User, uid), joined_at=utcnow() - timedelta(days=2))
        start = utcnow() + timedelta(hours=20)
        meeting = Meeting(
            cohort_id=cohort.id,
            title="Printing day",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            timezone="Europe/Rome",
            place="Lab 3",
            checkin_token=new_token(),
        )
        db.session.add(meeting)
        db.session.commit()
        return {
            "cohort_id": cohort.id,
            "meeting_id": meeting.id,
            "facilitator": (fac_id, fac_email),
            "learners": learners,
        }
