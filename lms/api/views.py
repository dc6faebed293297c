"""``/api/v1/...`` and ``/health``. Errors are JSON: ``{"error": {"code", "message"}}``."""

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.api import bp
from lms.content.tree import AREAS
from lms.courses.services import (
    content_language,
    current_modules,
    localize_courses,
    module_counts,
    published_courses,
)
from lms.errors import render_error
from lms.extensions import limiter
from lms.languages import TRANSLATION_LANGUAGES
from lms.progress import services as progress


def _course_json(course, modules_count: int) -> dict:
    return {
        "slug": course.slug,
        "area": course.area,
        "title": course.title,
        "summary": course.summary,
        "level": course.level,
        "duration_hours": course.duration_hours,
        "language": course.language,
        "objectives": course.objectives,
        #: The language title, summary and objectives are in (a translation, or the original).
        "content_language": course.lang_of("title"),
        "modules": modules_count,
        "url": url_for("courses.course", slug=course.slug, _external=True),
    }


@bp.route("/api/v1/courses")
def courses():
    """The catalogue; ``?area=technology|trends|mindset`` narrows it, ``?lang=it`` translates
    it (default: the language the pages would use)."""
    area = request.args.get("area")
    if area is not None and area not in AREAS:
        return render_error(
            400,
            _("Unknown area %(area)s; use one of: %(areas)s.", area=area, areas=", ".join(AREAS)),
        )
    language = request.args.get("lang") or content_language()
    if language not in ("en", *TRANSLATION_LANGUAGES):
        return render_error(
            400,
            _(
                "Unknown language %(lang)s; use one of: %(languages)s.",
                lang=language,
                languages=", ".join(("en", *TRANSLATION_LANGUAGES)),
            ),
        )
    items = localize_courses(published_courses(area), language)
    counts = module_counts([c.id for c in items])
    return jsonify(
        {"courses": [_course_json(c, counts.get(c.id, 0)) for c in items], "count": len(items)}
    )


@bp.route("/api/v1/me/progress")
def my_progress():
    """The signed-in learner's progress per course and module."""
    if not current_user.is_authenticated:
        return render_error(401, _("Sign in to see your progress."))
    recent = progress.recent_courses(current_user.id)
    standing = progress.progress_by_course(current_user.id, [c.id for c, _ in recent])
    result = []
    for course, last_visit in recent:
        modules = current_modules(course)
        statuses = progress.module_statuses(current_user.id, modules)
        info = standing.get(course.id)
        result.append(
            {
                "course": course.slug,
                "title": course.title,
                "area": course.area,
                "completed_modules": info.completed if info else 0,
                "total_modules": info.total if info else len(modules),
                "percent": info.percent if info else 0,
                "last_visited_at": last_visit.isoformat() if last_visit else None,
                "modules": [
                    {"slug": m.slug, "title": m.title, "status": statuses[m.id]} for m in modules
                ],
            }
        )
    return jsonify(
        {"user": {"name": current_user.name, "email": current_user.email}, "courses": result}
    )


@bp.route("/health")
@limiter.exempt
def health():
    """For load balancers and monitoring: each dependency's state; 503 when users cannot work."""
    from flask import current_app

    from lms.health.checks import report

    body, status = report(current_app)
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
