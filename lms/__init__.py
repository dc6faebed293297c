"""COCO4CCI Academy: a learning platform for CCI professionals meeting advanced manufacturing."""

import logging
import os
import sqlite3

import sqlalchemy as sa
from flask import Flask, Request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from lms.config import ConfigError, configure_hosts, ensure_secret_key, load_config
from lms.extensions import babel, csrf, db, limiter, login_manager, may_write, migrate

__all__ = ["create_app", "ConfigError"]

#: Alembic's folder, beside the package in a checkout.
MIGRATIONS_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations"
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config -> extensions -> blueprints (the CLI is lms/cli.py)."""
    app = LmsFlask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("LMS_INSTANCE_PATH") or None,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    ensure_secret_key(app.config, app.instance_path)
    configure_hosts(app.config)
    proxies = app.config["LMS_TRUSTED_PROXIES"]
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    app.request_class = LmsRequest
    _init_extensions(app)
    app.url_map.converters["int"] = DatabaseIdConverter
    _init_security(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_template_helpers(app)

    from lms.publishing.autosync import init_autosync

    init_autosync(app)
    if app.config["LMS_ENV"] != "testing":
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    return app


class LmsFlask(Flask):
    """Flask whose absolute URLs all start with ``LMS_BASE_URL``, never the request's Host."""

    def url_for(self, endpoint, *, _anchor=None, _method=None, _scheme=None, _external=None, **values):
        """``url_for(..., _external=True)``: the configured base URL plus the path.

        A request for an untrusted host has no URL adapter (its 400 page still needs links):
        those, and URLs built outside a request, come from an adapter bound to the base URL.
        """
        from urllib.parse import urlsplit

        from flask import globals as flask_globals

        ctx = flask_globals._cv_request.get(None)
        usable = ctx is not None and ctx.url_adapter is not None
        base = urlsplit(self.config["LMS_BASE_URL"])
        if usable and not _external:
            return super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
            )
        if usable:
            path = super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
            if base.path and not path.startswith(base.path.rstrip("/") + "/"):
                path = base.path.rstrip("/") + path
            return f"{_scheme or base.scheme}://{base.netloc}{path}"
        if endpoint.startswith(".") and ctx is not None and ctx.request.blueprint:
            endpoint = ctx.request.blueprint + endpoint
        adapter = self.url_map.bind(
            base.netloc, url_scheme=_scheme or base.scheme, script_name=base.path or "/"
        )
        self.inject_url_defaults(endpoint, values)
        url = adapter.build(endpoint, values, method=_method, force_external=bool(_external))
        return f"{url}#{_anchor}" if _anchor else url


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in our URLs: a number an SQL integer column holds, else a 404.

    Werkzeug's own converter accepts any length of digits, and a 20-digit id made the
    database driver raise (an OverflowError, a 500) before any view could say "not found".
    """

    def __init__(self, map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class LmsRequest(Request):
    """Form data without nameless parts.

    A multipart part with no ``name`` becomes a ``None`` key, and Flask-WTF's CSRF check
    (which runs before every POST view) calls ``key.endswith`` on it: a 500 for anyone.
    """

    def _load_form_data(self) -> None:
        super()._load_form_data()
        for name in ("form", "files"):
            data = self.__dict__.get(name)
            if data is not None and None in data:
                self.__dict__[name] = ImmutableMultiDict(
                    (k, v) for k, v in data.items(multi=True) if k is not None
                )


def _release_session(_error=None) -> None:
    """Close the request's session; a connection lost meanwhile is discarded, not raised."""
    try:
        db.session.remove()
    except sa.exc.DBAPIError as error:  # the rollback on close met a dead connection
        logging.getLogger("lms").warning(
            "database connection lost while closing the session: %s",
            str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__,
        )
        try:
            db.session.remove()  # SQLAlchemy invalidated the connection; this now succeeds
        except sa.exc.DBAPIError:
            db.session.registry.clear()
    from flask import g

    if g.pop("lms_reopen_database", False):
        # SQLite refused to write (read-only file, I/O error): close every connection of this
        # process, so that the next request opens the file afresh, writable once repaired.
        db.engine.dispose()


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    from lms.i18n.services import select_locale

    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in
    # reverse order): a connection the server dropped after the view's last statement must not
    # turn a finished page into a 500 while the session is closed.
    app.teardown_appcontext(_release_session)

    with app.app_context():
        _configure_sqlite(db.engine)


def _init_security(app: Flask) -> None:
    from lms.accounts.sessions import init_sessions
    from lms.headers import init_security_headers

    init_sessions(app)
    init_security_headers(app)


def _configure_sqlite(engine) -> None:
    """Foreign keys on, WAL journal, a busy timeout, and write-ready transactions.

    A transaction that may write starts with ``BEGIN IMMEDIATE``: it waits its turn (busy
    timeout) instead of failing with "database is locked" when another worker wrote between
    its read and its write. Read-only requests (GET pages that write nothing) start a plain
    deferred ``BEGIN`` so they never hold up writers while they render. We emit BEGIN
    ourselves, which also makes SAVEPOINTs (``begin_nested``) work on SQLite.
    """
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if may_write() else "BEGIN")

    @sa.event.listens_for(engine, "handle_error")
    def _on_error(context):
        # A connection opened while the file was read-only stays read-only after the file is
        # writable again, and one that met an I/O error may be unusable: treated as lost, so
        # the pool opens fresh ones and writes come back without a restart (see lms.errors).
        from lms.errors import sqlite_needs_new_connections

        if sqlite_needs_new_connections(context.original_exception):
            context.is_disconnect = True
            # SQLAlchemy leaves a lost connection's cursor open; SQLite would keep the closed
            # connection (its locks, its read-only view) alive until the cursor is collected.
            cursor = getattr(context.execution_context, "cursor", None)
            if cursor is not None:
                cursor.close()


def _register_blueprints(app: Flask) -> None:
    # Views register their routes on import; blueprints are registered after.
    import lms.accounts.signup_views
    import lms.accounts.views
    import lms.admin.organisations
    import lms.admin.views
    import lms.api.views
    import lms.audit.models
    import lms.certificates.views
    import lms.cohorts.views
    import lms.collider.event_views
    import lms.collider.indicators  # RCO 87 and RCR 84 join the programme report
    import lms.collider.organise_views
    import lms.collider.post_views
    import lms.collider.views
    import lms.courses.views
    import lms.i18n.views
    import lms.notifications.cohort_views
    import lms.notifications.receivers
    import lms.notifications.scheduled
    import lms.notifications.scheduled_collider
    import lms.notifications.views
    import lms.organisations.models
    import lms.pages.views
    import lms.privacy.views
    import lms.programme.models
    import lms.programme.organise
    import lms.programme.public
    import lms.programme.views
    import lms.progress.views
    import lms.quizzes.views  # noqa: F401
    from lms.accounts import bp as accounts_bp
    from lms.admin import bp as admin_bp
    from lms.api import bp as api_bp
    from lms.certificates import bp as certificates_bp
    from lms.cohorts import bp as cohorts_bp
    from lms.collider import bp as collider_bp
    from lms.courses import bp as courses_bp
    from lms.i18n import bp as i18n_bp
    from lms.notifications import bp as notifications_bp
    from lms.pages import bp as pages_bp
    from lms.privacy import bp as privacy_bp
    from lms.programme import bp as programme_bp
    from lms.progress import bp as progress_bp
    from lms.quizzes import bp as quizzes_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(quizzes_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(collider_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(programme_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(i18n_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(admin_bp)
    csrf.exempt(api_bp)


def _register_errors(app: Flask) -> None:
    from lms.errors import register_error_handlers

    register_error_handlers(app)


def _register_template_helpers(app: Flask) -> None:
    from lms.templating import init_templating

    init_templating(app)
