"""Template globals and filters shared by every page."""

import functools
from datetime import datetime

from babel import numbers as babel_numbers
from flask import current_app
from flask_babel import (
    format_date,
    format_datetime,
    get_locale,
    gettext,
    ngettext,
)
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
    """``95`` -> ``1 h 35 min``; ``25`` -> ``25 min`` (each language has its own abbreviations)."""
    hours, rest = divmod(int(minutes or 0), 60)
    if hours and rest:
        return gettext("%(hours)d h %(minutes)d min", hours=hours, minutes=rest)
    if hours:
        return ngettext("%(num)d h", "%(num)d h", hours)
    return ngettext("%(num)d min", "%(num)d min", rest)


def hours_label(hours: float) -> str:
    return minutes_label(round(float(hours) * 60))


#: How ``lms.content.render`` labels the scrolling box around an authored table (stored with the
#: rendered HTML, so in no language): the page names it in the reader's language.
_TABLE_REGION = 'role="region" aria-label="Table"'


def content_html(html: str | None):
    """Rendered (already sanitized) content, ready for the page, as ``|safe`` would give it."""
    from markupsafe import Markup, escape

    html = html or ""
    if _TABLE_REGION in html:
        label = escape(gettext("Data table"))
        html = html.replace(_TABLE_REGION, f'role="region" aria-label="{label}"')
    return Markup(html)  # noqa: S704 - sanitized by lms.content.render when it was published  # nosec B704


def list_text(items) -> str:
    """``["a", "b", "c"]`` -> "a, b and c", "a, b und c", "a, b és c": the locale's own list."""
    from babel.lists import format_list
    from flask_babel import get_locale

    words = [str(item) for item in items or ()]
    if not words:
        return ""
    locale = str(get_locale() or "en")
    return format_list(words, locale="en_GB" if locale == "en" else locale)  # British English


@functools.lru_cache(maxsize=4096)
def _percent(locale: str, value: float) -> str:
    return babel_numbers.format_percent(value / 100, locale=locale)


@functools.lru_cache(maxsize=4096)
def _number(locale: str, value) -> str:
    return babel_numbers.format_decimal(value, locale=locale)


def percent(value) -> str:
    """A share out of 100 (``75`` or ``75.4``) as the locale writes it: ``75%``, ``75 %``.

    Memoized per locale and value (a pure function of both): the cohort page formats hundreds.
    """
    if value is None:
        return ""
    return _percent(str(get_locale() or "en"), float(value))


def number(value) -> str:
    """A score or count with the locale's decimal mark and grouping: ``1.5``, ``1,5``."""
    if value is None:
        return ""
    return _number(str(get_locale() or "en"), value)


def plural_count(value) -> int:
    """The count that picks a plural form for ``value``.

    gettext's plural rules take whole numbers; a fraction (a score of 2.5 points) takes the
    form of 5, the plural ("other"/"many") in every language we ship.
    """
    value = float(value or 0)
    return int(value) if value.is_integer() else 5


def points_label(value) -> str:
    """``1 point``, ``2.5 points``, in the language's own plural forms."""
    return ngettext(
        "%(points)s point", "%(points)s points", plural_count(value), points=number(value)
    )


def when(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def date_only(value: datetime | None) -> str:
    return format_date(value, "long") if value else ""


def date_short(value: datetime | None) -> str:
    return format_date(value, "medium") if value else ""


def meeting_time(meeting) -> str:
    """A session's start and end in the zone it was scheduled in: people meet in that room.

    Babel's own functions, not Flask-Babel's: those would move the times to the viewer's zone.
    """
    from zoneinfo import ZoneInfo

    from babel import dates
    from flask_babel import get_locale

    locale = get_locale()
    zone = ZoneInfo(meeting.timezone)
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    try:
        place = dates.get_timezone_location(zone, locale=locale, return_city=True)
    except LookupError:
        place = meeting.timezone.split("/")[-1].replace("_", " ")
    return gettext(
        "%(day)s, %(start)s–%(end)s (%(zone)s)",
        day=dates.format_date(start.date(), "full", locale=locale),
        start=dates.format_time(start, "short", locale=locale),
        end=dates.format_time(end, "short", locale=locale),
        zone=place,
    )


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
        percent=percent,
        number=number,
        plural_count=plural_count,
        points=points_label,
        content_html=content_html,
        list_text=list_text,
    )

    @app.template_global()
    def content_path(problem) -> str:
        """A problem's file as ``lms content check`` prints it (see problems.display_path)."""
        from lms.content.problems import display_path

        return display_path(current_app.config["LMS_CONTENT_DIR"], problem.path)

    @app.context_processor
    def _content_problems():
        extensions = current_app.extensions
        return {
            "content_problems": extensions.get("lms_content_problems") or [],
            "content_held_back": extensions.get("lms_content_held_back") or [],
            "content_blocking": extensions.get("lms_content_blocking") or [],
        }
