"""Template globals and filters shared by every page."""

from datetime import datetime

from flask import current_app
from flask_babel import format_date, format_datetime, ngettext
from flask_babel import lazy_gettext as _l

AREA_LABELS = {
    "technology": _l("Technology development in advanced manufacturing"),
    "trends": _l("Future trends"),
    "mindset": _l("Mind-set"),
}
AREA_SHORT = {
    "technology": _l("Technology"),
    "trends": _l("Trends"),
    "mindset": _l("Mind-set"),
}
LEVEL_LABELS = {
    "beginner": _l("Beginner"),
    "intermediate": _l("Intermediate"),
    "advanced": _l("Advanced"),
}


def minutes_label(minutes: int) -> str:
    """``95`` -> ``1 h 35 min``; ``25`` -> ``25 min``."""
    hours, rest = divmod(int(minutes or 0), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return ngettext("%(num)d min", "%(num)d min", rest)


def hours_label(hours: float) -> str:
    return minutes_label(round(float(hours) * 60))


def when(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def date_only(value: datetime | None) -> str:
    return format_date(value, "long") if value else ""


def date_short(value: datetime | None) -> str:
    return format_date(value, "medium") if value else ""


def meeting_time(meeting) -> str:
    """A session's start and end in the zone it was scheduled in: people meet in that room."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(meeting.timezone)
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    day = format_date(start, "full")
    return f"{day}, {start:%H:%M}–{end:%H:%M} ({meeting.timezone.split('/')[-1].replace('_', ' ')})"


def _fingerprint(path: str, mtime: float) -> str:
    import hashlib

    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """``/assets/<content hash>/<file>``: a new name whenever the file changes, so browsers
    may cache it for a year (see ``courses.views.asset`` for the long cache headers)."""
    import os

    from flask import url_for

    path = os.path.join(current_app.static_folder, filename)
    cache = current_app.extensions.setdefault("lms_fingerprints", {})
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return url_for("static", filename=filename)
    key = (filename, mtime)
    if key not in cache:
        cache[key] = _fingerprint(path, mtime)
    return url_for("static_fingerprinted", fingerprint=cache[key], filename=filename)


def init_templating(app) -> None:
    from flask_babel import get_locale

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["asset_url"] = asset_url

    @app.route("/assets/<fingerprint>/<path:filename>", endpoint="static_fingerprinted")
    def _static_fingerprinted(fingerprint: str, filename: str):
        from flask import send_from_directory

        response = send_from_directory(app.static_folder, filename, max_age=365 * 24 * 3600)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    app.jinja_env.globals["current_locale_code"] = lambda: str(get_locale() or "en").replace(
        "_", "-"
    )
    app.jinja_env.globals.update(
        AREA_LABELS=AREA_LABELS,
        AREA_SHORT=AREA_SHORT,
        LEVEL_LABELS=LEVEL_LABELS,
    )
    app.jinja_env.filters.update(
        minutes=minutes_label,
        hours=hours_label,
        when=when,
        date_only=date_only,
        date_short=date_short,
        meeting_time=meeting_time,
    )

    @app.context_processor
    def _content_problems():
        problems = current_app.extensions.get("lms_content_problems") or []
        return {"content_problems": problems}
