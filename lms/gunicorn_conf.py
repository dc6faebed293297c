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
