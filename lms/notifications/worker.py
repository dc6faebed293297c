"""Running delivery: a thread in the development server, or ``lms worker`` (optionally on Redis).

With ``LMS_REDIS_URL`` set, ``lms worker`` takes a Redis lock for each periodic pass, so on
several hosts the scheduled kinds are computed by one of them at a time (running twice would
still record nothing twice), and waits on a Redis list that web processes push to after a
commit, so mail goes out at once. Several workers never send a row twice: see delivery.claim.
"""

import logging
import os
import threading
import time

from lms.extensions import db

log = logging.getLogger(__name__)

POLL_SECONDS = 5
PERIODIC_SECONDS = 60
WAKE_KEY = "lms:notifications:wake"
LOCK_KEY = "lms:notifications:periodic"


def _redis(app):
    url = app.config.get("LMS_REDIS_URL")
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url)


def run_once(app, periodic: bool = True) -> int:
    from lms.notifications.delivery import deliver_due
    from lms.notifications.scheduled import run_periodic

    with app.app_context():
        try:
            if periodic:
                run_periodic()
            return deliver_due()
        finally:
            db.session.remove()


def loop(app, stop: threading.Event | None = None) -> None:
    """Deliver every few seconds and compute scheduled kinds every minute, until ``stop``."""
    stop = stop or threading.Event()
    client = _redis(app)
    last_periodic = 0.0
    while not stop.is_set():
        periodic = time.monotonic() - last_periodic >= PERIODIC_SECONDS
        if periodic and client is not None:
            periodic = bool(client.set(LOCK_KEY, os.getpid(), nx=True, ex=PERIODIC_SECONDS - 5))
        if periodic:
            last_periodic = time.monotonic()
        try:
            run_once(app, periodic=periodic)
        except Exception:  # keep the worker alive; the rows stay in the outbox
            log.exception("notification delivery pass failed")
        if client is not None:
            client.blpop(WAKE_KEY, timeout=POLL_SECONDS)
        else:
            stop.wait(POLL_SECONDS)


def start_embedded_worker(app) -> threading.Thread | None:
    """``make run``: deliver from a thread of the development server (the reloader's child)."""
    if app.config.get("LMS_ENV") != "development" or os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    if not app.config.get("LMS_NOTIFY_EMBEDDED", True):
        return None
    thread = threading.Thread(target=loop, args=(app,), name="lms-notifications", daemon=True)
    thread.start()
    log.info("notifications: delivering from the development server's own thread")
    return thread
