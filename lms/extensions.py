"""Flask extensions, created unbound and bound to the app in ``create_app``."""

import sqlalchemy as sa
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

#: Constraint names that Alembic can rely on, on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a stable naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


#: Objects stay usable after a commit: views commit once, then render what they loaded
#: (expiring would reload every object one query at a time while the page renders).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class FallbackLimiter(Limiter):
    """Flask-Limiter that returns to its shared storage within seconds of it coming back.

    With ``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED`` an unreachable Redis makes the limiter count
    in this process's memory (it logs that once) instead of failing the request. Flask-Limiter
    then retries Redis with exponential backoff (up to 32 s apart); we retry every few seconds.
    """

    #: Seconds between tries of the shared storage while counting in memory.
    RECHECK_SECONDS = 2.0
    _last_recheck = 0.0

    def _Limiter__should_check_backend(self) -> bool:  # overrides Limiter.__should_check_backend
        import time

        now = time.monotonic()
        if now - self._last_recheck >= self.RECHECK_SECONDS:
            self._last_recheck = now
            return True
        return False

    @property
    def counting_in_memory(self) -> bool:
        """Whether this process counts in memory because the shared storage did not answer."""
        return bool(getattr(self, "_storage_dead", False))


#: Counters live in Redis when ``LMS_REDIS_URL`` is set (shared by every worker and host),
#: and in this process's memory while Redis does not answer.
limiter = FallbackLimiter(key_func=get_remote_address)


#: GET views that write (a module page records the visit, a quiz page opens an attempt, a
#: cohort export records an audit event).
WRITING_GET_ENDPOINTS = {
    "courses.module",
    "quizzes.take",
    "cohorts.export",
    "notifications.open_notification",  # marks the entry read, then follows its link
}


def may_write() -> bool:
    """Whether the current database transaction may write (see SQLite's BEGIN IMMEDIATE).

    Outside a request (CLI, tests) and for anything but GET/HEAD, assume it does; GET views
    that write are listed in :data:`WRITING_GET_ENDPOINTS`, or call :func:`will_write` first.
    """
    from flask import g, has_request_context, request

    if not has_request_context():
        return True
    if request.method not in ("GET", "HEAD", "OPTIONS") or g.get("lms_will_write"):
        return True
    if g.get("lms_committed"):
        return False  # the view wrote and committed; what follows (rendering) only reads
    return request.endpoint in WRITING_GET_ENDPOINTS


def will_write() -> None:
    """Say, before the next transaction of a GET request begins, that it will write."""
    from flask import g

    g.lms_will_write = True


def _after_commit(_session) -> None:
    from flask import g, has_request_context

    if has_request_context():
        g.lms_committed = True
        g.lms_will_write = False


sa.event.listen(db.session, "after_commit", _after_commit)


def utcnow():
    """The current time, timezone-aware in UTC."""
    from datetime import UTC, datetime

    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite keeps no zone)."""

    impl = sa.DateTime
    cache_ok = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timezone", True)
        super().__init__(*args, **kwargs)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        from datetime import UTC

        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        from datetime import UTC

        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
