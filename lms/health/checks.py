"""Cheap checks of each dependency, and the overall verdict built from them.

A check answers ``ok``, ``degraded`` (it works less well, users can still work) or ``down``.
The overall status is ``down`` when a *required* dependency is down (users cannot work: the
health endpoint answers 503), ``degraded`` when anything is less than ok, else ``ok``.

Extension point: a feature with a dependency of its own (the notifications' job queue, outgoing
mail) registers a check once, e.g. in its ``init_app``::

    from lms.health.checks import Check, register_check

    def _queue(app) -> Check | None:      # None: not configured, left out of the report
        ...
        return Check("queue", "degraded", "Redis unreachable; 12 messages wait in the outbox",
                     "Start Redis; the outbox is delivered when it is back.")

    register_check(app, "queue", _queue, required=False)

Checks run on every ``/health`` request: no heavy queries, a short timeout, and nothing in
``detail`` that is a secret (no URLs, passwords or hostnames; ``lms doctor`` says more).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask

from lms.extensions import db, limiter

OK, DEGRADED, DOWN = "ok", "degraded", "down"
_RANK = {OK: 0, DEGRADED: 1, DOWN: 2}


@dataclass
class Check:
    """One dependency's state; ``advice`` says what an operator should do about it."""

    name: str
    status: str
    detail: str = ""
    advice: str = ""
    required: bool = True
    latency_ms: float | None = None
    #: For ``lms doctor`` only (the operator's terminal): the error as the driver said it.
    error: str = field(default="", repr=False)

    def public(self) -> dict:
        """What ``/health`` shows: no advice, no raw error."""
        data = {"status": self.status, "required": self.required}
        if self.detail:
            data["detail"] = self.detail
        if self.latency_ms is not None:
            data["latency_ms"] = self.latency_ms
        return data


CheckFunction = Callable[[Flask], Check | None]


def register_check(app: Flask, name: str, function: CheckFunction, required: bool = False):
    """Add a dependency check to ``/health`` and ``lms doctor`` (run in an app context)."""
    app.extensions.setdefault("lms_health_checks", {})[name] = (function, required)


def _timed(function: CheckFunction, app: Flask, name: str, required: bool) -> Check | None:
    started = time.perf_counter()
    try:
        check = function(app)
    except Exception as exc:  # a check that fails itself says so instead of failing /health
        check = Check(name, DOWN, "the check itself failed", error=repr(exc))
    if check is None:
        return None
    check.required = required
    if check.latency_ms is None:
        check.latency_ms = round((time.perf_counter() - started) * 1000, 1)
    return check


def check_database(app: Flask) -> Check:
    """One ``SELECT 1``; on SQLite also whether the file can be written."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
    except Exception as exc:  # any failure to reach the database is "down"
        try:
            db.session.rollback()
        except Exception:  # noqa: S110 - the connection is gone; nothing to roll back
            pass
        return Check(
            "database",
            DOWN,
            "the database does not answer",
            "Check that the database server runs and that LMS_DATABASE_URL points at it; "
            "requests get a 503 'back in a moment' page until it answers again.",
            error=f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}",
        )
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        import os

        path = url.database
        folder = os.path.dirname(os.path.abspath(path))
        if not (os.access(path, os.W_OK) and os.access(folder, os.W_OK)):
            return Check(
                "database",
                DEGRADED,
                "the database file is read-only: pages show, changes are refused",
                f"Make {path} and its folder writable by the app's user, and check free "
                "disk space (df -h).",
            )
        import shutil

        if shutil.disk_usage(folder).free < LOW_DISK_BYTES:
            return Check(
                "database",
                DEGRADED,
                "the disk holding the database is full: pages show, changes are refused",
                f"Free space on the file system of {folder} (df -h); changes are accepted "
                "again as soon as there is room, without a restart.",
            )
    return Check("database", OK)


#: Below this much free space beside the SQLite file, commits are about to fail.
LOW_DISK_BYTES = 1024 * 1024


_redis_clients: dict[str, object] = {}


def check_redis(app: Flask) -> Check | None:
    """A ``PING`` with a half-second timeout; left out when ``LMS_REDIS_URL`` is not set."""
    url = app.config.get("LMS_REDIS_URL")
    if not url:
        return None
    advice = (
        "Start Redis (or fix LMS_REDIS_URL). Meanwhile each worker counts rate limits in "
        "its own memory; everything uses Redis again within seconds of it answering, "
        "without a restart."
    )
    try:
        import redis
    except ImportError:
        return Check("redis", DOWN, "the redis package is not installed", "pip install redis")
    client = _redis_clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        _redis_clients[url] = client
    try:
        client.ping()
    except redis.RedisError as exc:
        return Check(
            "redis",
            DOWN,
            "Redis does not answer; rate limits are counted per process",
            advice,
            error=f"{type(exc).__name__}: {exc}",
        )
    if limiter.counting_in_memory:
        return Check(
            "redis",
            DEGRADED,
            "Redis answers again; this worker returns to it with its next limited request",
            "Nothing to do: the limiter retries Redis every few seconds.",
        )
    return Check("redis", OK)


#: The checks every app has, in report order; features add theirs with register_check.
BUILT_IN: dict[str, tuple[CheckFunction, bool]] = {
    "database": (check_database, True),
    # Redis being down costs shared rate-limit counters, not users' work: not required.
    "redis": (check_redis, False),
}


def run_checks(app: Flask) -> list[Check]:
    """Every configured dependency's check (call inside an app context)."""
    registered = {**BUILT_IN, **app.extensions.get("lms_health_checks", {})}
    checks = [_timed(fn, app, name, required) for name, (fn, required) in registered.items()]
    return [c for c in checks if c is not None]


def overall(checks: list[Check]) -> str:
    """``down`` if a required dependency is down, else the worst state of any dependency."""
    if any(c.required and c.status == DOWN for c in checks):
        return DOWN
    worst = max((_RANK[c.status] for c in checks), default=0)
    return DEGRADED if worst else OK


def report(app: Flask) -> tuple[dict, int]:
    """The ``/health`` body and its HTTP status (200 while users can work, else 503)."""
    checks = run_checks(app)
    status = overall(checks)
    body = {"status": status, "checks": {c.name: c.public() for c in checks}}
    return body, 503 if status == DOWN else 200
