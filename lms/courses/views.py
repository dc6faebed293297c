"""Catalogue, course and module pages, and content assets."""

from pathlib import Path

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.content.tree import AREAS, ASSET_EXTENSIONS
from lms.courses import bp
from lms.courses.services import (
    content_language,
    course_by_slugs,
    course_languages,
    current_modules,
    language_in_sentence,
    load_course_or_404,
    load_module_or_404,
    localize_courses,
    localize_modules,
    module_counts,
    published_courses,
)
from lms.extensions import db, will_write
from lms.languages import LANGUAGES
from lms.progress import services as progress
from lms.quizzes.services import best_attempt, current_quiz, quizzes_by_module


@bp.app_template_global()
def lang_attr(code: str | None) -> Markup:
    """`` lang="en"`` on content whose language is not the page's, else nothing."""
    if not code or code == content_language():
        return Markup("")
    return Markup(' lang="%s"') % code


@bp.app_context_processor
def _content_language():
    return {"content_language_name": lambda: language_in_sentence(content_language())}


@bp.route("/")
def catalogue():
    """All courses, grouped by training area, with the learner's progress on each card."""
    area = request.args.get("area")
    if area not in AREAS:
        area = None
    courses = published_courses(area)
    ids = [c.id for c in courses]
    counts = module_counts(ids)
    standing = (
        progress.progress_by_course(current_user.id, ids) if current_user.is_authenticated else {}
    )
    languages = course_languages(courses, counts)
    courses = localize_courses(courses, content_language())
    groups = [(a, [c for c in courses if c.area == a]) for a in AREAS if area in (None, a)]
    return render_template(
        "courses/catalogue.html",
        groups=groups,
        counts=counts,
        standing=standing,
        area=area,
        languages=languages,
        language_names=LANGUAGES,
    )


@bp.route("/courses/")
def course_list():
    return redirect(url_for("courses.catalogue"))


@bp.route("/courses/<slug>/")
def course(slug: str):
    """A course overview: introduction, objectives and modules with their status."""
    course = load_course_or_404(slug)
    modules = current_modules(course)
    statuses, resume, standing = {}, None, None
    if current_user.is_authenticated:
        statuses, resume, standing = progress.course_standing(current_user.id, modules)
    quizzes = quizzes_by_module([m.id for m in modules])
    prerequisite_courses = course_by_slugs(
        [p["course"] for p in course.prerequisites if "course" in p]
    )
    language = content_language()
    prerequisite_courses = {
        c.slug: c for c in localize_courses(list(prerequisite_courses.values()), language)
    }
    shown = localize_modules(course, modules, language)
    by_id = {m.id: m for m in shown}
    return render_template(
        "courses/course.html",
        course=localize_courses([course], language)[0],
        modules=shown,
        statuses=statuses,
        resume=by_id.get(resume.id) if resume else None,
        standing=standing,
        prerequisite_courses=prerequisite_courses,
        quizzes=quizzes,
    )


@bp.route("/courses/<slug>/<module_slug>")
@login_required
def module(slug: str, module_slug: str):
    """A module page; opening it marks the module as in progress and is where to resume."""
    course = load_course_or_404(slug)
    module = load_module_or_404(course, module_slug)
    modules = current_modules(course)
    index = modules.index(module)
    previous = modules[index - 1] if index > 0 else None
    following = modules[index + 1] if index + 1 < len(modules) else None
    visit = progress.visit_of(current_user.id, module)
    if not progress.visit_is_recent(visit):
        db.session.commit()  # end the read-only transaction ...
        will_write()  # ... and record the visit in a write-ready one
        progress.record_visit(current_user.id, module)
        db.session.commit()
    statuses = progress.module_statuses(current_user.id, modules)
    quiz = current_quiz(module)
    language = content_language()
    shown = localize_modules(course, modules, language)
    return render_template(
        "courses/module.html",
        course=localize_courses([course], language)[0],
        module=shown[index],
        modules=shown,
        index=index,
        previous=shown[index - 1] if previous else None,
        following=shown[index + 1] if following else None,
        completed=statuses[module.id] == progress.COMPLETED,
        quiz=quiz,
        best=best_attempt(current_user.id, quiz) if quiz else None,
        read=visit is not None and visit.read_at is not None,
        statuses=statuses,
    )


@bp.route("/courses/<slug>/assets/<path:filename>")
def asset(slug: str, filename: str):
    """An image or file that lives beside the course's markdown."""
    course = load_course_or_404(slug)
    if Path(filename).suffix.lower() not in ASSET_EXTENSIONS:
        abort(404)
    folder = Path(current_app.config["LMS_CONTENT_DIR"]) / course.source_path
    response = send_from_directory(folder, filename, max_age=3600)
    if filename.lower().endswith(".svg"):
        # An SVG opened on its own must not run anything.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
