"""The worker's job: claim due outbox rows, send them over SMTP, record the outcome.

At-most-once: a worker claims a batch (status ``claimed``, a lease), then, one row at a time,
commits ``sending`` *before* talking to SMTP and ``sent`` right after. A worker that dies leaves
its rows behind: ``claimed`` ones (never tried) go back to the queue when the lease runs out;
the one in ``sending`` is *not* sent again automatically (the mail may well have gone) but
marked ``failed`` with "interrupted while sending" for an admin to check and retry. At most one
message per crashed worker needs a person; none is ever sent twice without one. Each message's Message-ID is derived from its outbox key, so a retried copy is recognisably
the same message. SMTP errors, which we do see, are retried with exponential backoff.
"""

import hashlib
import logging
import secrets
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from lms.extensions import db, utcnow
from lms.notifications.kinds import get
from lms.notifications.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)  #: 1, 2, 4, 8 minutes between tries
LEASE = timedelta(minutes=10)
INTERRUPTED = "interrupted while sending: it may have been delivered; retry to send it again"


def message_id(outbox: OutboxMessage) -> str:
    digest = hashlib.sha256(outbox.key.encode()).hexdigest()[:32]
    host = urlsplit(current_app.config.get("LMS_BASE_URL") or "http://localhost").hostname
    return f"<{digest}@{host or 'localhost'}>"


def build_message(outbox: OutboxMessage) -> EmailMessage:
    from lms.notifications.services import unsubscribe_url

    message = EmailMessage()
    message["From"] = current_app.config["LMS_MAIL_FROM"]
    message["To"] = outbox.to_email
    message["Subject"] = outbox.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(outbox)
    message["Auto-Submitted"] = "auto-generated"
    if get(outbox.kind).optional and outbox.user is not None:
        message["List-Unsubscribe"] = f"<{unsubscribe_url(outbox.user, outbox.kind)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(outbox.text_body)
    message.add_alternative(outbox.html_body, subtype="html")
    if outbox.attachment:
        message.add_attachment(
            outbox.attachment, maintype="text", subtype="calendar", filename="session.ics"
        )
    return message


def release_expired(now: datetime) -> int:
    """Rows of a worker that died: untried ones back to the queue, the one mid-send failed."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == "claimed", OutboxMessage.lease_until < now)
        .values(status="queued", claim_token=None, lease_until=None)
    )
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.lease_until < now)
        .values(status="failed", last_error=INTERRUPTED, claim_token=None)
    )
    db.session.commit()
    return result.rowcount


def claim(limit: int, now: datetime) -> list[OutboxMessage]:
    """Take up to ``limit`` due rows for this worker; no other worker gets the same row.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED. SQLite: the UPDATE only takes rows still
    ``queued`` (and SQLite runs one writer at a time), so a row goes to one claim token.
    """
    token = secrets.token_hex(16)
    ids = list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        db.session.commit()
        return []
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "queued")
        .values(status="claimed", claim_token=token, lease_until=now + LEASE)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.claim_token == token)
            .order_by(OutboxMessage.id)
        )
    )


def _smtp():
    config = current_app.config
    smtp = smtplib.SMTP(config["LMS_MAIL_SERVER"], int(config["LMS_MAIL_PORT"]), timeout=10)
    if config.get("LMS_MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("LMS_MAIL_USERNAME"):
        smtp.login(config["LMS_MAIL_USERNAME"], config.get("LMS_MAIL_PASSWORD", ""))
    return smtp


def _failed(outbox: OutboxMessage, error: str, now: datetime) -> None:
    outbox.attempts += 1
    outbox.last_error = error[:2000]
    outbox.claim_token = None
    outbox.lease_until = None
    if outbox.attempts >= MAX_ATTEMPTS:
        outbox.status = "failed"
        log.warning("gave up on outbox message %s to user %s: %s", outbox.id, outbox.user_id, error)
    else:
        outbox.status = "queued"
        outbox.next_attempt_at = now + BACKOFF * 2 ** (outbox.attempts - 1)


def deliver_due(now: datetime | None = None, limit: int = 200, after_send=None) -> int:
    """Send what is due, batch by batch; returns how many were sent (or logged)."""
    sent = 0
    while True:
        moment = now or utcnow()
        release_expired(moment)
        batch = claim(limit, moment)
        if not batch:
            return sent
        sent += _send_batch(batch, moment, after_send)
        if len(batch) < limit:
            return sent


def _send_batch(batch, now, after_send) -> int:
    sent = 0
    smtp = None
    configured = bool(current_app.config.get("LMS_MAIL_SERVER"))
    try:
        if configured:
            try:
                smtp = _smtp()
            except (OSError, smtplib.SMTPException) as exc:
                for outbox in batch:
                    _failed(outbox, f"{type(exc).__name__}: {exc}", now)
                db.session.commit()
                return 0
        for outbox in batch:
            outbox.status = "sending"
            db.session.commit()
            try:
                if smtp is not None:
                    smtp.send_message(build_message(outbox))
                else:
                    log.info(
                        "mail not configured; would send %r to %s", outbox.subject, outbox.to_email
                    )
            except (OSError, smtplib.SMTPException) as exc:
                _failed(outbox, f"{type(exc).__name__}: {exc}", now)
                db.session.commit()
                continue
            if after_send is not None:
                after_send(outbox)  # tests simulate a crash here
            outbox.status = "sent"
            outbox.sent_at = utcnow()
            outbox.claim_token = None
            outbox.lease_until = None
            db.session.commit()
            sent += 1
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return sent


def retry(outbox: OutboxMessage) -> None:
    """An admin's retry: queue it again now, with fresh attempts."""
    outbox.status = "queued"
    outbox.attempts = 0
    outbox.next_attempt_at = utcnow()
    outbox.claim_token = None
    outbox.lease_until = None
