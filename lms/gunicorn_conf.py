"""gunicorn settings for COCO4CCI Academy; every value can be overridden by LMS_* variables.

Used by ``lms serve`` and ``make serve``; see docs/deploy.md.
"""

import multiprocessing
import os
import re
import sys

from gunicorn.glogging import Logger

from lms.config import ConfigError, env_int

wsgi_app = "lms.wsgi:app"
#: Behind nginx, listen on loopback only.
bind = os.environ.get("LMS_BIND", "127.0.0.1:8000")
#: Synchronous workers, two per core plus one: the app is short requests to a database.
try:
    workers = env_int(os.environ, "LMS_WORKERS", multiprocessing.cpu_count() * 2 + 1, minimum=1)
    threads = env_int(os.environ, "LMS_THREADS", 1, minimum=1)
    #: A request taking longer than this is killed and logged (the app's pages take milliseconds).
    timeout = env_int(os.environ, "LMS_TIMEOUT", 30, minimum=1)
except ConfigError as exc:
    # gunicorn would print a traceback for an exception; SystemExit prints just this.
    sys.exit(f"Cannot start: {exc}")
graceful_timeout = 30
#: Load the app once in the master, before forking: the workers share its memory (code,
#: templates, translations) instead of each holding a copy. ``LMS_PRELOAD=0`` loads it in each
#: worker instead (then a code change needs only ``kill -HUP`` of the master).
preload_app = os.environ.get("LMS_PRELOAD", "1").strip().lower() not in ("0", "false", "no", "off")
keepalive = 5
#: Recycle workers now and then so that memory stays flat over weeks.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("LMS_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LMS_LOG_LEVEL", "info")
#: Client address, request, status, size, duration in ms.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

#: Paths whose last part is a secret: password reset and set-password links, calendar feeds.
SECRET_PATH = re.compile(r"(/(?:password/reset|set-password|calendar(?:/cohort)?)/)[^\s?/]+")


def redact_secrets(text: str) -> str:
    """``/password/reset/<token>`` -> ``/password/reset/[redacted]`` (and the like)."""
    return SECRET_PATH.sub(r"\1[redacted]", text)


class RedactingLogger(Logger):
    """gunicorn's logger, keeping the tokens in links out of the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact_secrets(atoms[key])
        return atoms


logger_class = RedactingLogger


def _forwarded_allow_ips(environ) -> str:
    """Who may tell gunicorn the client's scheme (``X-Forwarded-Proto``) and address: nobody
    unless ``LMS_TRUSTED_PROXIES`` says a proxy is in front, then the local proxy on loopback
    (or the addresses in ``LMS_FORWARDED_ALLOW_IPS``, for a proxy on another host)."""
    explicit = environ.get("LMS_FORWARDED_ALLOW_IPS", "").strip()
    try:
        proxies = int(environ.get("LMS_TRUSTED_PROXIES", "0") or 0)
    except ValueError:
        proxies = 0
    if proxies <= 0:
        return ""
    return explicit or "127.0.0.1,::1"


#: Only a configured reverse proxy may say what the client's address and scheme were.
forwarded_allow_ips = _forwarded_allow_ips(os.environ)
proc_name = "coco4cci-academy"


def pre_fork(server, worker):
    """In the master, before each worker: what is loaded now stays shared with the workers.

    Python's cycle collector writes into every object it visits, which copies shared pages into
    each worker; ``gc.freeze()`` moves the loaded objects out of its reach.
    """
    import gc

    if not getattr(server, "_lms_frozen", False):
        if server.cfg.preload_app:
            _warm(server.app.wsgi(), server.log)
        gc.collect()
        gc.freeze()
        server._lms_frozen = True


def _warm(app, log) -> None:
    """What every worker would otherwise build for itself on its first requests, done once in
    the master: the ORM's mappers, every template compiled."""
    import sqlalchemy.orm

    sqlalchemy.orm.configure_mappers()
    for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith((".html", ".txt"))):
        app.jinja_env.get_template(name)
    # One anonymous page through the whole stack (request hooks, Babel, the database driver) in
    # every UI language: each language's catalogue and Babel's locale data (numbers, dates, lists
    # and plural rules, also the British English of lists) are then loaded once, in the master,
    # instead of lazily in every worker after the fork.
    base_url = app.config.get("LMS_BASE_URL") or "http://localhost"
    client = app.test_client()
    for code in app.config.get("LMS_LANGUAGES") or {"en": "English"}:
        try:
            client.get("/", base_url=base_url, headers={"Accept-Language": code})
        except Exception as exc:  # a warm-up must never stop the server from starting
            log.warning("warm-up request failed: %r", exc)
            break
    try:
        from babel import Locale, dates, lists, numbers

        for code in ("en_GB", *(app.config.get("LMS_LANGUAGES") or ())):
            locale = Locale.parse(code)
            numbers.format_percent(0.5, locale=locale)
            dates.format_date(None, "medium", locale=locale)
            lists.format_list(["a", "b"], locale=locale)
    except Exception as exc:  # noqa: BLE001 - as above
        log.warning("warm-up of the locale data failed: %r", exc)


def post_fork(server, worker):
    """In each new worker: no database connection inherited from the master is ever reused."""
    if not server.cfg.preload_app:
        return
    from lms.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
