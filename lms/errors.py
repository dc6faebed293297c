"""Friendly error pages, and JSON errors for the API."""

import logging

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def wants_json() -> bool:
    """API paths and clients that ask for JSON get JSON errors."""
    if request.path.startswith("/api/") or request.path == "/health":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _messages():
    return {
        400: _("The request could not be understood."),
        403: _("You do not have access to this page."),
        404: _("We could not find that page."),
        405: _("That action is not allowed here."),
        413: _("What you sent is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. It has been logged; please try again."),
        503: _("We are back in a moment."),
    }


def render_error(code: int, message: str | None = None, headers=None):
    """Answer with an error page or a JSON error, whichever the client wants."""
    message = message or _messages().get(code) or _("Something went wrong.")
    if wants_json():
        response = jsonify({"error": {"code": code, "message": message}})
    else:
        response = render_template("errors/error.html", code=code, message=message)
        response = (response, code)
        from flask import make_response

        response = make_response(*response)
    response.status_code = code
    if headers:
        response.headers.extend(headers)
    return response


def _wait_text(seconds: int) -> str:
    from flask_babel import ngettext

    if seconds >= 3600:
        return ngettext("%(num)d hour", "%(num)d hours", round(seconds / 3600))
    if seconds >= 60:
        return ngettext("%(num)d minute", "%(num)d minutes", round(seconds / 60))
    return ngettext("%(num)d second", "%(num)d seconds", seconds)


def _seconds_to_wait(error) -> int:
    """Until the exceeded limit's window resets (the whole window when that is unknown)."""
    import time

    from lms.extensions import limiter

    current = limiter.current_limit
    if current is not None and current.breached:
        return max(1, int(current.reset_at - time.time()))
    limit = getattr(error, "limit", None)
    return int(limit.limit.get_expiry()) if limit is not None else 60


#: What a browser or client should wait before trying again while the database is away.
UNAVAILABLE_RETRY_SECONDS = 5

#: The database went away (a restart, a lost connection, a pool that ran dry) or refuses to
#: write (SQLite read-only or out of disk space): no change was committed, the client retries.
DATABASE_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)


#: SQLite's primary result codes after which the process's connections are replaced:
#: SQLITE_READONLY (8), SQLITE_IOERR (10). SQLite shares one view of a file's WAL index among
#: every connection of a process; opened while the file was read-only, it stays read-only
#: until all of them are closed. SQLITE_FULL (13) needs none: SQLite rolls back, carries on.
SQLITE_RECONNECT_ON = frozenset({8, 10})


def sqlite_needs_new_connections(error: BaseException) -> bool:
    """Whether ``error`` (a DBAPI error or SQLAlchemy's wrapper) is SQLite refusing to write."""
    original = getattr(error, "orig", error)
    code = getattr(original, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in SQLITE_RECONNECT_ON


def database_unavailable(error: Exception):
    """The friendly 503: roll back what the request had begun, answer "back in a moment".

    The session cookie goes back to what the browser sent: a sign-in (or sign-out) whose
    write was refused must not happen in the cookie alone.
    """
    from flask import current_app, g, session

    from lms.extensions import db, login_manager

    try:
        db.session.rollback()
    except Exception:  # noqa: S110 - the connection is gone; the database drops the transaction
        pass
    if sqlite_needs_new_connections(error):
        g.lms_reopen_database = True  # see lms._release_session
    sent = current_app.session_interface.open_session(current_app, request)
    session.clear()
    session.update(sent or {})
    # The page must not need the database: the rollback expired the signed-in user (if any was
    # loaded), so the page shows as signed-out rather than reload them.
    g._login_user = login_manager.anonymous_user()
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    log.warning(
        "database unavailable on %s %s: %s: %s",
        request.method,
        request.path,
        type(error).__name__,
        first_line[:300],
    )
    return render_error(503, headers={"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)})


def _database_safe(handler):
    """An error page that needs the database (the signed-in user, their language) while it is
    away becomes the 503 page, not a 500 raised from the error handler."""
    import functools

    @functools.wraps(handler)
    def wrapper(error):
        try:
            return handler(error)
        except DATABASE_UNAVAILABLE as unavailable:
            return database_unavailable(unavailable)

    return wrapper


def register_error_handlers(app) -> None:
    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)
    _register_page_handlers(app)
    for handlers in app.error_handler_spec[None].values():
        for error_class, handler in handlers.items():
            if error_class not in DATABASE_UNAVAILABLE:
                handlers[error_class] = _database_safe(handler)


def _register_page_handlers(app) -> None:
    """The other error pages: expired forms, too large, too many, HTTP errors, the rest."""

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_error(
            400,
            _(
                "Your form expired or was sent from elsewhere. "
                "Please go back, reload the page and try again."
            ),
        )

    @app.errorhandler(413)
    def _too_large(error):
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        return render_error(
            413,
            _(
                "What you sent is larger than %(size)s MB, the most this site accepts. "
                "Please send a smaller file, or split it into parts.",
                size=f"{limit / (1024 * 1024):g}",
            ),
        )

    @app.errorhandler(429)
    def _too_many(error):
        seconds = _seconds_to_wait(error)
        message = _(
            "Too many attempts. Please wait %(when)s and try again.", when=_wait_text(seconds)
        )
        return render_error(429, message, headers={"Retry-After": str(seconds)})

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        message = None
        if (
            error.code == 400
            and error.description
            and not error.description.startswith("The browser")
        ):
            message = error.description
        return render_error(error.code or 500, message)

    @app.errorhandler(sa_exc.DataError)
    def _bad_data(error: Exception):
        """Text the database cannot store (PostgreSQL refuses NUL bytes): a 400, nothing kept."""
        from lms.extensions import db

        db.session.rollback()
        log.info("refused data the database cannot store on %s %s", request.method, request.path)
        return render_error(400)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        # A failed flush leaves the session needing a rollback; the page itself loads the
        # signed-in person (their language, the header), which would fail again without one.
        from lms.extensions import db

        try:
            db.session.rollback()
        except sa_exc.SQLAlchemyError:
            db.session.registry.clear()
        return render_error(InternalServerError.code)
