"""Configuration: defaults overridden by ``LMS_*`` environment variables.

Nothing is read at import time; :func:`load_config` is called by ``create_app``.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from lms.languages import UI_LANGUAGES

#: Secret keys that must never reach production.
WEAK_SECRET_KEYS = {"", "dev", "change-me", "changeme", "secret", "development"}


class ConfigError(RuntimeError):
    """The configuration cannot run the app; the message says what to set."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(env, name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    """The whole number in ``env[name]`` (``default`` when unset or empty); a ConfigError
    naming the variable and what it expects when the value is not one, or out of range."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    expected = f"a whole number of at least {minimum}" + (
        f" and at most {maximum}" if maximum is not None else ""
    )
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number; expected {expected}.") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise ConfigError(f"{name}={raw!r} is out of range; expected {expected}.")
    return value


def _languages(value: str) -> dict[str, str]:
    """``LMS_LANGUAGES=en,it`` -> the complete UI languages among those codes (English always)."""
    codes = [c.strip().lower() for c in value.split(",") if c.strip()]
    if not codes:
        return dict(UI_LANGUAGES)
    unknown = [c for c in codes if c not in UI_LANGUAGES]
    if unknown:
        raise ConfigError(
            f"LMS_LANGUAGES names {', '.join(unknown)}, which has no complete translation; "
            f"choose from {', '.join(UI_LANGUAGES)}."
        )
    return {c: UI_LANGUAGES[c] for c in ["en", *codes] if c in UI_LANGUAGES}


def load_config(instance_path: str, environ=None) -> dict:
    """Build the Flask config from defaults and ``LMS_*`` variables."""
    env = os.environ if environ is None else environ
    lms_env = env.get("LMS_ENV", "production").strip().lower()
    if lms_env not in {"production", "development", "testing"}:
        raise ConfigError(f"LMS_ENV={lms_env!r} is not one of production, development, testing.")
    instance = Path(instance_path)
    default_db = f"sqlite:///{instance / 'lms.sqlite3'}"
    project_root = Path(__file__).resolve().parent.parent
    content_dir = env.get("LMS_CONTENT_DIR") or str(project_root / "content")
    development = lms_env == "development"

    config = {
        "LMS_ENV": lms_env,
        "SECRET_KEY": env.get("LMS_SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": env.get("LMS_DATABASE_URL") or default_db,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "LMS_CONTENT_DIR": str(Path(content_dir).resolve()),
        # In development a saved content file shows on the next page load.
        "LMS_CONTENT_AUTOSYNC": _bool(env.get("LMS_CONTENT_AUTOSYNC", "1" if development else "0")),
        "LMS_PAGE_SIZE": env_int(env, "LMS_PAGE_SIZE", 20, minimum=1),
        "LMS_REDIS_URL": env.get("LMS_REDIS_URL", ""),
        #: The hour (UTC) the daily digest of notifications goes out.
        "LMS_DIGEST_HOUR": env_int(env, "LMS_DIGEST_HOUR", 7, minimum=0, maximum=23),
        #: The one address every absolute link is built from (reset and set-password links,
        #: join links, calendar feeds, certificate verification, QR codes, emails): never the
        #: request's Host. Required in production; see docs/deploy.md.
        "LMS_BASE_URL": env.get("LMS_BASE_URL", "").strip().rstrip("/"),
        #: More host names requests may use besides the base URL's (comma-separated).
        "LMS_ALLOWED_HOSTS": [
            h.strip().lower() for h in env.get("LMS_ALLOWED_HOSTS", "").split(",") if h.strip()
        ],
        #: Reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "LMS_TRUSTED_PROXIES": env_int(env, "LMS_TRUSTED_PROXIES", 0),
        "RATELIMIT_STORAGE_URI": env.get("LMS_REDIS_URL") or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("LMS_RATELIMIT_ENABLED", "1")),
        #: Redis unreachable: count the same limits in each process's memory, never fail.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        #: A Redis that hangs must not hold requests: give up on it within half a second.
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        if env.get("LMS_REDIS_URL")
        else {},
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": env.get("LMS_RATELIMIT_PREFIX", "lms"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": lms_env == "production"
        and not _bool(env.get("LMS_INSECURE_COOKIES", "0")),
        # Sessions end after this long without a request, and this long after signing in.
        "LMS_SESSION_IDLE_MINUTES": env_int(env, "LMS_SESSION_IDLE_MINUTES", 30, minimum=1),
        "LMS_SESSION_MAX_HOURS": env_int(env, "LMS_SESSION_MAX_HOURS", 12, minimum=1),
        #: "Keep me signed in" lasts this long (ended early by disabling, a new password or role).
        "REMEMBER_COOKIE_DURATION": timedelta(
            days=env_int(env, "LMS_REMEMBER_DAYS", 14, minimum=1)
        ),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": lms_env == "production"
        and not _bool(env.get("LMS_INSECURE_COOKIES", "0")),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        #: Times show in this zone (the programme's partners are all on Central European Time).
        "BABEL_DEFAULT_TIMEZONE": env.get("LMS_TIMEZONE", "Europe/Vienna"),
        #: UI languages with a complete catalogue, each named in its own language (README,
        #: "Languages", says how to add one). ``LMS_LANGUAGES=en,it`` offers fewer.
        "LMS_LANGUAGES": _languages(env.get("LMS_LANGUAGES", "")),
        # Facilitation: when a learner counts as at risk.
        "LMS_AT_RISK_INACTIVE_DAYS": env_int(env, "LMS_AT_RISK_INACTIVE_DAYS", 14, minimum=1),
        "LMS_AT_RISK_MISSED_SESSIONS": env_int(env, "LMS_AT_RISK_MISSED_SESSIONS", 1, minimum=1),
        #: Module target dates before a learner joined, or within this many days after, do not
        #: count as "behind schedule" for them.
        "LMS_AT_RISK_GRACE_DAYS": env_int(env, "LMS_AT_RISK_GRACE_DAYS", 7),
        # Messages (issue 16): a reminder this many hours before each session, and one this
        # many days before a module's target date.
        "LMS_REMINDER_HOURS": env_int(env, "LMS_REMINDER_HOURS", 24, minimum=1),
        "LMS_TARGET_REMINDER_DAYS": env_int(env, "LMS_TARGET_REMINDER_DAYS", 3, minimum=1),
        # Outgoing mail (the outbox's worker); without a server, messages are logged.
        "LMS_MAIL_SERVER": env.get("LMS_MAIL_SERVER", ""),
        "LMS_MAIL_PORT": env_int(env, "LMS_MAIL_PORT", 587, minimum=1, maximum=65535),
        "LMS_MAIL_USE_TLS": _bool(env.get("LMS_MAIL_USE_TLS", "1")),
        "LMS_MAIL_USERNAME": env.get("LMS_MAIL_USERNAME", ""),
        "LMS_MAIL_PASSWORD": env.get("LMS_MAIL_PASSWORD", ""),
        "LMS_MAIL_FROM": env.get("LMS_MAIL_FROM", "COCO4CCI Academy <no-reply@localhost>"),
        #: Delivery (lms/notifications/delivery.py): tries per message before it is shown to
        #: admins as failed, and how long a message may stay "sending" before a worker that
        #: died with it is assumed (status "unknown": never resent by itself).
        "LMS_MAIL_MAX_ATTEMPTS": env_int(env, "LMS_MAIL_MAX_ATTEMPTS", 6, minimum=1),
        "LMS_MAIL_SENDING_TIMEOUT_MINUTES": env_int(
            env, "LMS_MAIL_SENDING_TIMEOUT_MINUTES", 10, minimum=1
        ),
        #: How often each RQ worker delivers the outbox whatever the queue says (``lms worker``).
        "LMS_WORKER_SWEEP_SECONDS": env_int(env, "LMS_WORKER_SWEEP_SECONDS", 15, minimum=1),
        #: Testing only: deliver the outbox in the request's thread right after each request.
        "LMS_MAIL_DELIVER_AFTER_REQUEST": False,
        #: Where people write about their data or report accessibility problems (shown on the
        #: privacy and accessibility pages); set it to a real mailbox in production.
        "LMS_CONTACT_EMAIL": env.get("LMS_CONTACT_EMAIL", "contact@example.org"),
    }
    return config


#: Without ``LMS_BASE_URL``: the development server's address; the test client's host.
DEFAULT_BASE_URLS = {"development": "http://127.0.0.1:5000", "testing": "http://localhost"}


def configure_hosts(config: dict) -> None:
    """Check ``LMS_BASE_URL`` and derive Flask's ``TRUSTED_HOSTS`` from it: a request for
    any other host is refused (400) before a view runs, so no link can name it."""
    from urllib.parse import urlsplit

    base = (config.get("LMS_BASE_URL") or "").rstrip("/") or DEFAULT_BASE_URLS.get(
        config["LMS_ENV"], ""
    )
    config["LMS_BASE_URL"] = base
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            "LMS_BASE_URL must be the platform's public address, e.g. "
            "https://academy.example.org (docs/deploy.md)"
            + (f"; it is {base!r}." if base else "; it is not set.")
        )
    if config.get("TRUSTED_HOSTS") is None or config.get("_LMS_HOSTS_DERIVED"):
        hosts = [parts.hostname, *config.get("LMS_ALLOWED_HOSTS", [])]
        if config["LMS_ENV"] in ("development", "testing"):
            hosts += ["127.0.0.1", "localhost", "[::1]"]
        config["TRUSTED_HOSTS"] = sorted(set(hosts))
        config["_LMS_HOSTS_DERIVED"] = True


def ensure_secret_key(config: dict, instance_path: str) -> None:
    """Refuse a missing or weak key in production; invent a stable one elsewhere."""
    key = config.get("SECRET_KEY") or ""
    if config["LMS_ENV"] == "production":
        if key.strip().lower() in WEAK_SECRET_KEYS or len(key) < 32:
            raise ConfigError(
                "LMS_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (LMS_ENV=production). Generate one with:\n"
                "  python -c 'import secrets; print(secrets.token_urlsafe(48))'\n"
                "For a local trial, set LMS_ENV=development instead."
            )
        return
    if key:
        return
    # Development and testing: keep one random key per instance folder so that
    # sign-ins survive a restart, without any secret living in the repository.
    path = Path(instance_path) / "dev-secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
    config["SECRET_KEY"] = path.read_text().strip()
