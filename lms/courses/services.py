"""Loading published courses and modules."""

import sqlalchemy as sa
from flask import abort
from flask_babel import get_locale
from sqlalchemy.orm import defer, selectinload

from lms.content.tree import AREAS
from lms.courses.models import Course, CourseTranslation, Module, ModuleTranslation
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


def content_language() -> str:
    """The language the learner reads content in: the interface's (``it``, ``de``, ``en``)."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def language_in_sentence(code: str) -> str:
    """The language's name as the page's language writes it mid-sentence: "in italiano",
    "auf Italienisch", "in Italian" (not the switcher's own name, "Italiano")."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code).get_display_name(get_locale() or "en") or code
    except (ValueError, UnknownLocaleError):
        return code


class Localized:
    """A course or module as the learner reads it: its translation's text over the original.

    Everything but the text (id, slug, duration ...) is the original's. ``text_language`` is
    the language of the text; ``missing`` means the learner's language has no translation,
    so the original is shown; ``out_of_date`` that the original changed after translation.
    """

    #: Text a translation always replaces, and text it may leave to the original.
    _REPLACED = ("title", "summary", "intro_html", "body_html", "toc")
    _OPTIONAL = ("objectives",)

    def __init__(self, original, translation, wanted: str, original_language: str):
        self._original = original
        self._translation = translation
        self.original_language = original_language
        self.text_language = translation.language if translation else original_language
        self.missing = translation is None and wanted != original_language
        self.out_of_date = translation is not None and translation.out_of_date

    def __getattr__(self, name):
        translation = self.__dict__["_translation"]
        if translation is not None and (
            name in Localized._REPLACED or (name in Localized._OPTIONAL and translation.objectives)
        ):
            return getattr(translation, name)
        return getattr(self.__dict__["_original"], name)

    def lang_of(self, name: str) -> str:
        """The language a field is shown in (a translation may keep the original objectives)."""
        if self._translation is not None and (
            name in self._REPLACED or getattr(self._translation, name, None)
        ):
            return self.text_language
        return self.original_language


def localize_courses(courses, language: str) -> list[Localized]:
    """The courses in ``language`` where translated (one query; none for the original's)."""
    wanted = [c.id for c in courses if c.language != language]
    found = {}
    if wanted:
        found = {
            t.course_id: t
            for t in db.session.scalars(
                sa.select(CourseTranslation)
                .where(
                    CourseTranslation.course_id.in_(wanted),
                    CourseTranslation.language == language,
                )
                .options(defer(CourseTranslation.intro_html))
            )
        }
    return [Localized(c, found.get(c.id), language, c.language) for c in courses]


def localize_modules(course: Course, modules, language: str) -> list[Localized]:
    """The modules of ``course`` in ``language`` where translated (one query at most).

    The rendered text loads only when a page shows it (the module page shows one).
    """
    found = {}
    if modules and course.language != language:
        found = {
            t.module_id: t
            for t in db.session.scalars(
                sa.select(ModuleTranslation).where(
                    ModuleTranslation.module_id.in_([m.id for m in modules]),
                    ModuleTranslation.language == language,
                )
            )
        }
    return [Localized(m, found.get(m.id), language, course.language) for m in modules]


def localize_modules_of(modules, language: str) -> dict[int, Localized]:
    """Modules of any courses in ``language`` where translated, by id (one query at most).

    Each module's course must be loaded already (its language decides what needs translating).
    """
    wanted = [m.id for m in modules if m.course.language != language]
    found = {}
    if wanted:
        found = {
            t.module_id: t
            for t in db.session.scalars(
                sa.select(ModuleTranslation).where(
                    ModuleTranslation.module_id.in_(wanted),
                    ModuleTranslation.language == language,
                )
            )
        }
    return {m.id: Localized(m, found.get(m.id), language, m.course.language) for m in modules}


def course_languages(courses, counts: dict[int, int]) -> dict[int, list[str]]:
    """Per course: its own language, then every language all its current modules are
    translated into (one query), in the order of :data:`lms.languages.LANGUAGES`."""
    from lms.courses.models import ModuleTranslation
    from lms.languages import LANGUAGES

    ids = [c.id for c in courses]
    translated: dict[int, set[str]] = {}
    if ids:
        rows = db.session.execute(
            sa.select(
                Module.course_id,
                ModuleTranslation.language,
                sa.func.count(sa.distinct(ModuleTranslation.module_id)),
            )
            .join(Module, Module.id == ModuleTranslation.module_id)
            .where(Module.course_id.in_(ids), Module.archived_at.is_(None))
            .group_by(Module.course_id, ModuleTranslation.language)
        )
        for course_id, language, modules in rows:
            if counts.get(course_id) and modules >= counts[course_id]:
                translated.setdefault(course_id, set()).add(language)
    return {
        c.id: [c.language or "en"]
        + [code for code in LANGUAGES if code in translated.get(c.id, ()) and code != c.language]
        for c in courses
    }
