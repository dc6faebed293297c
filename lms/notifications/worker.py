"""The workers that deliver the outbox and run the periodic jobs.

- Embedded (``lms worker --embedded``, started by ``make run``; also ``lms worker`` without
  ``LMS_REDIS_URL``): one process that looks at the outbox every few seconds and runs each
  periodic job at its interval. Nothing else to install.
- Scale-out (``lms worker`` with ``LMS_REDIS_URL``): an RQ worker on the queue ``lms``. After
  a request commits outbox rows it enqueues a ``deliver`` job (best effort); a sweep thread in
  every worker delivers whatever is queued anyway, so a Redis outage delays nothing for long
  and needs no restart. Several workers on several hosts never send a message twice: the
  claim in :mod:`lms.notifications.delivery` decides. Periodic jobs run once per interval
  across all workers (a Redis lock per job; without Redis each job is safe to run twice).
"""

import logging
import threading
import time
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app

from lms.extensions import db, utcnow
from lms.notifications import delivery
from lms.notifications.models import OutboxMessage
from lms.notifications.periodic import PERIODIC

log = logging.getLogger(__name__)

QUEUE_NAME = "lms"
#: Seconds between two looks at the outbox (embedded worker, and the RQ worker's sweep).
POLL_SECONDS = 2.0
SWEEP_SECONDS = 15.0


# --- periodic jobs ---------------------------------------------------------------------------


def run_periodic(last_run: dict[str, datetime], now: datetime | None = None, lock=None) -> int:
    """Run each registered job whose interval has passed since ``last_run``; commit once per
    job. ``lock(name, seconds)`` (optional) says whether this worker may run it now."""
    now = now or utcnow()
    recorded = 0
    for job in list(PERIODIC.values()):
        previous = last_run.get(job.name)
        if previous is not None and now - previous < job.every:
            continue
        last_run[job.name] = now
        if lock is not None and not lock(job.name, int(job.every.total_seconds())):
            continue
        try:
            count = job.run(now) or 0
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("periodic job %s failed", job.name)
            continue
        recorded += count
        if count:
            log.info("periodic job %s recorded %d messages", job.name, count)
    return recorded


# --- the embedded worker ---------------------------------------------------------------------


def run_embedded(app: Flask, stop: threading.Event | None = None, poll: float = POLL_SECONDS):
    """Deliver and run periodic jobs until ``stop`` is set (or forever)."""
    stop = stop or threading.Event()
    claimer = delivery.worker_id()
    last_run: dict[str, datetime] = {}
    log.info("embedded worker %s started (mail %s)", claimer, _mail_mode(app))
    while not stop.is_set():
        with app.app_context():
            try:
                done = delivery.deliver_due(claimer)
                if done.total:
                    log.info(
                        "delivered %d, %d to retry, %d failed", done.sent, done.retry, done.failed
                    )
                run_periodic(last_run)
            except Exception:  # a database restart must not end the worker
                db.session.rollback()
                log.exception("delivery round failed; trying again")
            finally:
                db.session.remove()
        stop.wait(poll)


def _mail_mode(app: Flask) -> str:
    server = app.config.get("LMS_MAIL_SERVER")
    return f"via {server}:{app.config['LMS_MAIL_PORT']}" if server else "logged, no LMS_MAIL_SERVER"


# --- RQ (scale-out) --------------------------------------------------------------------------

_APP: Flask | None = None
_REDIS_DOWN_LOGGED = False


def _redis(app: Flask):
    from redis import Redis

    return Redis.from_url(
        app.config["LMS_REDIS_URL"], socket_connect_timeout=0.5, socket_timeout=0.5
    )


def deliver_job() -> int:
    """The RQ job ``deliver``: send whatever is due; how many were sent."""
    app = _APP
    if app is None:
        from lms import create_app

        app = create_app()
    with app.app_context():
        try:
            return delivery.deliver_due().sent
        finally:
            db.session.remove()


def enqueue_delivery(app: Flask) -> bool:
    """Ask the RQ workers to deliver now; best effort (the sweep delivers anyway)."""
    global _REDIS_DOWN_LOGGED
    if not app.config.get("LMS_REDIS_URL"):
        return False
    try:
        from redis.exceptions import RedisError
        from rq import Queue
    except ImportError:
        return False
    try:
        connection = _redis(app)
        Queue(QUEUE_NAME, connection=connection).enqueue(
            deliver_job, job_timeout=600, result_ttl=60, failure_ttl=3600
        )
    except (RedisError, OSError) as exc:
        if not _REDIS_DOWN_LOGGED:
            log.warning(
                "Redis unreachable (%s): messages wait in the outbox until a worker's sweep "
                "delivers them",
                exc,
            )
            _REDIS_DOWN_LOGGED = True
        return False
    if _REDIS_DOWN_LOGGED:
        log.info("Redis reachable again: delivery jobs are queued again")
        _REDIS_DOWN_LOGGED = False
    return True


def _redis_lock(app: Flask):
    def lock(name: str, seconds: int) -> bool:
        from redis.exceptions import RedisError

        try:
            return bool(
                _redis(app).set(f"lms:periodic:{name}", "1", nx=True, ex=max(seconds - 1, 1))
            )
        except (RedisError, OSError):
            return True  # jobs are safe to run twice; better twice than never

    return lock


def _sweep_once(app: Flask, claimer: str, last_run: dict[str, datetime], lock) -> None:
    with app.app_context():
        try:
            delivery.deliver_due(claimer)
            run_periodic(last_run, lock=lock)
        except Exception:
            db.session.rollback()
            log.exception("sweep failed; trying again")
        finally:
            db.session.remove()


def _sweep(app: Flask, stop: threading.Event, every: float):
    """In each RQ worker: deliver what is queued (e.g. recorded while Redis was down) and run
    the periodic jobs, whatever the queue says; first at start, then every ``every`` s."""
    claimer = delivery.worker_id()
    last_run: dict[str, datetime] = {}
    lock = _redis_lock(app)
    while True:
        _sweep_once(app, claimer, last_run, lock)
        if stop.wait(every):
            return


def run_rq_worker(app: Flask, burst: bool = False, sweep_every: float | None = None) -> None:
    """An RQ worker on the ``lms`` queue, with the sweep thread beside it."""
    global _APP
    sweep_every = sweep_every or app.config.get("LMS_WORKER_SWEEP_SECONDS", SWEEP_SECONDS)
    from rq import Queue, SimpleWorker

    _APP = app
    connection = _redis(app)
    # A job runs in this process (SimpleWorker: no fork), with the app's own connection pool.
    worker = SimpleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection)
    log.info("RQ worker on queue %r (mail %s)", QUEUE_NAME, _mail_mode(app))
    if burst:  # one sweep, then the jobs queued now
        _sweep_once(app, delivery.worker_id(), {}, _redis_lock(app))
        worker.work(burst=True, with_scheduler=False)
        return
    stop = threading.Event()
    sweeper = threading.Thread(
        target=_sweep, args=(app, stop, sweep_every), name="lms-sweep", daemon=True
    )
    sweeper.start()
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        while True:
            try:
                worker.work(with_scheduler=False)
                return
            except RedisConnectionError as exc:  # the sweep goes on delivering meanwhile
                log.warning("Redis unreachable (%s); the worker tries again in 1 s", exc)
                time.sleep(1)
    finally:
        stop.set()


# --- after a request --------------------------------------------------------------------------


def _after_flush(session, _context):
    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info["lms_outbox_new"] = True


def _after_commit(session):
    if not session.info.pop("lms_outbox_new", False):
        return
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return
    if app.config.get("LMS_REDIS_URL"):
        enqueue_delivery(app)


def _after_rollback(session):
    session.info.pop("lms_outbox_new", None)


def _deliver_after_request(response):
    """Testing (``LMS_MAIL_DELIVER_AFTER_REQUEST``): the request's mail goes out before the
    test reads it, through whatever transport the test installed."""
    if current_app.config.get("LMS_MAIL_DELIVER_AFTER_REQUEST"):
        delivery.deliver_due()
    return response


def init_app(app: Flask) -> None:
    from sqlalchemy.orm import Session

    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_rollback", _after_rollback)
    app.after_request(_deliver_after_request)


def queued_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.status == "queued")
    )


def wait_until_idle(timeout: float = 10.0) -> bool:
    """For tests and the bench: poll until nothing is queued or sending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        left = db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.status.in_(("queued", "sending"))
            )
        )
        if not left:
            return True
        time.sleep(0.1)
    return False
