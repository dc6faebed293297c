"""Loading published courses and modules."""

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from lms.courses.models import AREAS, Course, Module
from lms.extensions import db


def published_courses(area: str | None = None) -> list[Course]:
    """Courses on offer, in catalogue order (area, then title)."""
    query = sa.select(Course).where(Course.archived_at.is_(None))
    if area:
        query = query.where(Course.area == area)
    courses = db.session.scalars(query.order_by(Course.title)).all()
    return sorted(
        courses, key=lambda c: (AREAS.index(c.area) if c.area in AREAS else 99, c.title.casefold())
    )


def current_modules(course: Course) -> list[Module]:
    """The course's modules that are still in git, in order."""
    return [m for m in course.modules if m.archived_at is None]


def module_counts(course_ids) -> dict[int, int]:
    """Number of current modules per course, in one query."""
    if not course_ids:
        return {}
    rows = db.session.execute(
        sa.select(Module.course_id, sa.func.count(Module.id))
        .where(Module.course_id.in_(course_ids), Module.archived_at.is_(None))
        .group_by(Module.course_id)
    )
    return dict(rows.all())


def load_course_or_404(slug: str) -> Course:
    """A course on offer, with its modules loaded; 404 for unknown or archived slugs."""
    course = db.session.scalar(
        sa.select(Course).where(Course.slug == slug).options(selectinload(Course.modules))
    )
    if course is None or course.archived_at is not None:
        abort(404)
    return course


def load_module_or_404(course: Course, slug: str) -> Module:
    """A current module of ``course``; 404 otherwise."""
    for module in course.modules:
        if module.slug == slug and module.archived_at is None:
            return module
    abort(404)


def course_by_slugs(slugs) -> dict[str, Course]:
    if not slugs:
        return {}
    return {
        c.slug: c
        for c in db.session.scalars(
            sa.select(Course).where(Course.slug.in_(list(slugs)), Course.archived_at.is_(None))
        )
    }
