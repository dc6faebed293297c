"""Delivering the outbox: claim due messages, send them through SMTP, record the outcome.

Several workers on several hosts may run this at once; the claim decides who sends a
message, and a claimed message is committed as ``sending`` *before* anyone talks to SMTP:

- PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` picks rows nobody else is claiming, the
  same transaction marks them ``sending`` and commits.
- SQLite: one ``UPDATE ... WHERE id = ? AND status = 'queued'`` per row; a row counts as
  claimed only when that update changed it (``rowcount == 1``).

A worker that dies after the server accepted a message but before ``sent`` was recorded
leaves it ``sending``; after ``LMS_MAIL_SENDING_TIMEOUT_MINUTES`` it becomes ``unknown`` (it
may have gone out) and is never resent by itself: an admin decides on /admin/mail.
"""

import base64
import logging
import os
import secrets
import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import charset, policy
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from lms import mail
from lms.extensions import db, utcnow
from lms.notifications.models import OutboxMessage

log = logging.getLogger(__name__)

#: Wait before the 2nd, 3rd, ... try; the last wait repeats up to ``LMS_MAIL_MAX_ATTEMPTS``.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)

#: Text parts in UTF-8, quoted-printable: readable in the raw message, safe for any language.
_UTF8_QP = charset.Charset("utf-8")
_UTF8_QP.body_encoding = charset.QP

#: Long headers (List-Unsubscribe's signed URL) on one line, as RFC 5322 allows (998).
_UNFOLDED = policy.compat32.clone(max_line_length=998)

#: How many messages one claim takes: small enough that a second worker gets a share.
BATCH = 50


def worker_id() -> str:
    """``host:pid:random``, stored in ``claimed_by`` while a worker holds a message."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def _is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def claim_due(claimer: str, now: datetime | None = None, limit: int = BATCH) -> list[int]:
    """Mark up to ``limit`` due messages ``sending`` for ``claimer`` and commit; their ids."""
    now = now or utcnow()
    due = (
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    claim = dict(status="sending", claimed_by=claimer, claimed_at=now)
    if _is_postgres():
        ids = list(db.session.scalars(due.with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(
                sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(**claim)
            )
    else:
        ids = []
        for message_id in list(db.session.scalars(due)):
            result = db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == "queued")
                .values(**claim)
            )
            if result.rowcount == 1:
                ids.append(message_id)
    db.session.commit()
    return ids


def message_id_for(row: OutboxMessage) -> str:
    """The same Message-ID every time a row is sent: a receiver can spot a repeat."""
    host = urlsplit(current_app.config["LMS_BASE_URL"]).hostname or "localhost"
    return f"<outbox-{row.id}@{host}>"


def _text(body: str, subtype: str) -> MIMEText:
    return MIMEText(body, subtype, _UTF8_QP)


def _header(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def _address(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


def build_message(row: OutboxMessage) -> Message:
    """The email of an outbox row: text and HTML alternatives, attachments, its headers.

    Built with the classic ``email.mime`` classes: about five times faster than
    ``EmailMessage`` with the modern policy, which parses every header it is given.
    """
    body: Message = _text(row.text_body, "plain")
    if row.html_body:
        body = MIMEMultipart("alternative", _subparts=[body, _text(row.html_body, "html")])
    message = body
    if row.attachments:
        message = MIMEMultipart("mixed", _subparts=[body])
        for attachment in row.attachments:
            maintype, _slash, subtype = attachment["content_type"].partition("/")
            data = base64.b64decode(attachment["data"])
            if maintype == "text":
                part = MIMEText(data.decode("utf-8"), subtype.split(";")[0] or "plain", "utf-8")
            else:
                part = MIMEApplication(data, subtype or "octet-stream")
                if maintype != "application":
                    part.replace_header("Content-Type", attachment["content_type"])
            part.add_header("Content-Disposition", "attachment", filename=attachment["filename"])
            message.attach(part)
    message["From"] = _address(current_app.config["LMS_MAIL_FROM"])
    message["To"] = row.to_email
    message["Subject"] = _header(row.subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id_for(row)
    message["Content-Language"] = row.locale or "en"
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (row.headers or {}).items():
        message[name] = _header(value)
    message.policy = _UNFOLDED
    return message


def _permanent(exc: Exception) -> bool:
    """A 5xx answer about this message (unknown recipient, refused content): no retry helps."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(exc, (smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) and (
        isinstance(code, int) and code >= 500
    )


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for address, (code, msg) in exc.recipients.items()
        )
    code, text = getattr(exc, "smtp_code", None), getattr(exc, "smtp_error", None)
    if code is not None:
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{code} {text}"
    return f"{type(exc).__name__}: {exc}"


def _unreachable(exc: Exception) -> bool:
    """The server cannot be reached at all: the rest of the batch would fail the same way."""
    if isinstance(
        exc, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, smtplib.SMTPHeloError)
    ):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _release(ids: list[int], claimer: str) -> None:
    """Give claimed messages back, untried, for the next round."""
    if ids:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.status == "sending",
                OutboxMessage.claimed_by == claimer,
            )
            .values(status="queued", claimed_by="", claimed_at=None)
        )
        db.session.commit()


def _record(message_id: int, claimer: str, **values) -> bool:
    """Update a row we still hold; ``False`` when it is no longer ours (an admin moved it)."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == "sending",
            OutboxMessage.claimed_by == claimer,
        )
        .values(**values)
    )
    db.session.commit()
    return result.rowcount == 1


def _failed(row: OutboxMessage, claimer: str, exc: Exception, now: datetime) -> str:
    attempts = row.attempts + 1
    error = _describe(exc)[:2000]
    if attempts >= current_app.config["LMS_MAIL_MAX_ATTEMPTS"] or _permanent(exc):
        log.warning(
            "message %s to %s failed after %d tries: %s", row.id, row.to_email, attempts, error
        )
        _record(row.id, claimer, status="failed", attempts=attempts, last_error=error)
        return "failed"
    wait = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
    log.info("message %s: try %d failed (%s); next in %s", row.id, attempts, error, wait)
    _record(
        row.id,
        claimer,
        status="queued",
        attempts=attempts,
        last_error=error,
        next_attempt_at=now + wait,
        claimed_by="",
        claimed_at=None,
    )
    return "retry"


@dataclass
class Outcome:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retry + self.failed


def send_claimed(ids: list[int], claimer: str, transport) -> Outcome:
    """Send the claimed messages through ``transport`` and record each outcome."""
    outcome = Outcome()
    held = {}
    for row in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))):
        if row.status == "sending" and row.claimed_by == claimer:
            held[row.id] = row
    # Detached, the rows keep their loaded values through the commits below (no reloads).
    for row in held.values():
        db.session.expunge(row)
    for message_id in ids:
        row = held.get(message_id)
        if row is None:
            continue
        now = utcnow()
        try:
            message = build_message(row)
        except Exception as exc:  # a row no server could take (bad header, attachment): say so
            log.exception("message %s cannot be built", row.id)
            _record(
                row.id,
                claimer,
                status="failed",
                attempts=row.attempts + 1,
                last_error=repr(exc)[:2000],
            )
            outcome.failed += 1
            continue
        try:
            transport.send(message)
        except (OSError, smtplib.SMTPException) as exc:
            result = _failed(row, claimer, exc, now)
            setattr(outcome, result, getattr(outcome, result) + 1)
            if _unreachable(exc):
                _release(ids[ids.index(message_id) + 1 :], claimer)
                break
            continue
        if _record(
            message_id,
            claimer,
            status="sent",
            sent_at=utcnow(),
            attempts=row.attempts + 1,
            last_error="",
        ):
            outcome.sent += 1
    return outcome


def mark_stale_unknown(now: datetime | None = None) -> int:
    """``sending`` for longer than the timeout: the worker died; it may have been sent."""
    now = now or utcnow()
    limit = now - timedelta(minutes=current_app.config["LMS_MAIL_SENDING_TIMEOUT_MINUTES"])
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < limit)
        .values(
            status="unknown",
            last_error="The worker stopped while sending: this message may have been sent.",
        )
    )
    db.session.commit()
    if result.rowcount:
        log.warning(
            "%d messages were left sending by a stopped worker: now 'unknown'", result.rowcount
        )
    return result.rowcount


def deliver_due(
    claimer: str | None = None, max_batches: int | None = None, now: datetime | None = None
) -> Outcome:
    """Deliver everything due (now, or at ``now``) batch by batch through one transport."""
    claimer = claimer or worker_id()
    total = Outcome()
    total.unknown = mark_stale_unknown()
    transport = mail.open_transport()
    batches = 0
    try:
        while max_batches is None or batches < max_batches:
            ids = claim_due(claimer, now)
            if not ids:
                break
            batches += 1
            done = send_claimed(ids, claimer, transport)
            total.sent += done.sent
            total.retry += done.retry
            total.failed += done.failed
            if done.retry and not done.sent:
                break  # the server is down: let the backoff work instead of hammering it
    finally:
        transport.close()
    return total


def retry(message: OutboxMessage, now: datetime | None = None) -> bool:
    """An admin's retry of a failed or unknown message: queued again now; flushes."""
    if message.status not in ("failed", "unknown"):
        return False
    message.status = "queued"
    message.attempts = 0
    message.next_attempt_at = now or utcnow()
    message.claimed_by = ""
    message.claimed_at = None
    db.session.flush()
    return True
