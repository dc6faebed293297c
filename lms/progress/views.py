"""Completing modules and the learner's own overview."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.cohorts.learner_home import learner_home
from lms.courses.services import (
    content_language,
    current_modules,
    load_course_or_404,
    load_module_or_404,
    localize_courses,
    localize_modules,
)
from lms.extensions import db
from lms.progress import bp
from lms.progress import services as progress


@bp.route("/courses/<slug>/<module_slug>/complete", methods=["POST"])
@login_required
def complete(slug: str, module_slug: str):
    """Mark a module as read; it completes once its quiz (if any) is passed. Idempotent."""
    course = load_course_or_404(slug)
    module = load_module_or_404(course, module_slug)
    outcome = progress.mark_read(current_user.id, module)
    db.session.commit()
    if outcome.status == progress.NEEDS_QUIZ:
        flash(
            _("Marked as read. Pass the quiz to complete “%(module)s”.", module=module.title),
            "info",
        )
        return redirect(url_for("quizzes.take", slug=course.slug, module_slug=module.slug))
    if outcome.status == progress.COMPLETED_NOW:
        if outcome.earned:  # the course certificate (see lms.certificates.receivers)
            flash(
                _(
                    "You have completed every module of %(course)s. Well done! Your "
                    "certificate is ready.",
                    course=course.title,
                ),
                "success",
            )
        else:
            flash(_("“%(module)s” is complete.", module=module.title), "success")
    modules = current_modules(course)
    following = progress.next_module(current_user.id, course, modules)
    if following is not None and following.id != module.id:
        return redirect(url_for("courses.module", slug=course.slug, module_slug=following.slug))
    return redirect(url_for("courses.course", slug=course.slug))


@bp.route("/me/learning")
@login_required
def my_learning():
    """The page after sign-in. In a cohort: the cohort's courses, what is due, the next session
    (see :mod:`lms.cohorts.learner_home`). Otherwise: courses the learner has started, with
    where to continue, most recent first."""
    language = content_language()
    home = learner_home(current_user.id, language)
    if home is not None:
        return render_template("cohorts/learner_home.html", home=home)
    recent = progress.recent_courses(current_user.id)
    standing = progress.progress_by_course(current_user.id, [c.id for c, _ in recent])
    shown = {c.id: c for c in localize_courses([c for c, _ in recent], language)}
    items = []
    for course, last_visit in recent:
        modules = current_modules(course)
        following = progress.next_module(current_user.id, course, modules)
        items.append(
            {
                "course": shown[course.id],
                "last_visit": last_visit,
                "progress": standing.get(course.id),
                "next": localize_modules(course, [following], language)[0] if following else None,
            }
        )
    resume = next((i for i in items if i["next"] is not None), None)
    return render_template(
        "progress/my_learning.html",
        items=items,
        resume=resume,
    )
