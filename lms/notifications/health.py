"""Health checks of delivery: the job queue (Redis, when configured) and outgoing mail."""

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from lms.extensions import db, utcnow
from lms.health.checks import DEGRADED, OK, Check, register_check
from lms.notifications.models import OutboxMessage

#: A message queued for longer than this (and due) means no worker is delivering.
STALE_QUEUE = timedelta(minutes=10)


def _waiting() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.status.in_(("queued", "sending"))
        )
    )


def check_queue(app: Flask) -> Check | None:
    """Redis as the job queue: ``degraded`` when unreachable (the outbox holds the messages)."""
    if not app.config.get("LMS_REDIS_URL"):
        return None
    from redis.exceptions import RedisError

    from lms.notifications.worker import _redis

    try:
        _redis(app).ping()
    except (RedisError, OSError) as exc:
        waiting = _waiting()
        db.session.rollback()
        return Check(
            "queue",
            DEGRADED,
            f"Redis unreachable; {waiting} messages wait in the outbox",
            "Start Redis again; the workers' sweep delivers the outbox meanwhile, and jobs "
            "are queued again as soon as Redis answers (no restart needed).",
            error=f"{type(exc).__name__}: {exc}",
        )
    return Check("queue", OK)


def check_mail(app: Flask) -> Check:
    """Failed messages, and the age of the oldest message due but still queued."""
    failed = db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.status.in_(("failed", "unknown"))
        )
    )
    oldest = db.session.scalar(
        sa.select(sa.func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == "queued", OutboxMessage.attempts == 0
        )
    )
    db.session.rollback()
    now = utcnow()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    age = (now - oldest) if oldest is not None else None
    problems = []
    if age is not None and age > STALE_QUEUE:
        problems.append(f"the oldest queued message waits for {int(age.total_seconds() // 60)} min")
    if failed:
        problems.append(f"{failed} messages failed or may not have been sent")
    if problems:
        return Check(
            "mail",
            DEGRADED,
            "; ".join(problems),
            "Check that a worker runs (`lms worker`; `make run` starts one) and that the SMTP "
            "server in LMS_MAIL_* answers; see the errors and retry on /admin/mail.",
        )
    return Check("mail", OK, "" if app.config.get("LMS_MAIL_SERVER") else "no SMTP server: logged")


def init_app(app: Flask) -> None:
    register_check(app, "queue", check_queue, required=False)
    register_check(app, "mail", check_mail, required=False)
