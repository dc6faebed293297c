"""Which courses a sync holds back, and why.

A problem belongs to the course whose folder holds its file (``<area>/<course>/...``). A
course with an error is held back: learners keep its last good version, or do not see it yet
when it was never published. Problems outside every course folder hold back everything (the
sync publishes nothing). A link or prerequisite into a held-back course is published against
that course's live version; when the live version lacks the target (never published, archived,
or a module it does not have yet), the reference is an error of the course that refers, which
is held back too; in a translation, that translation is skipped instead, as for its own errors.
Two course folders with one name both have an error (see the loader): neither takes over the
published course of that slug.

These are decided before anything is written. A course whose publishing then fails unexpectedly
(:func:`lms.publishing.sync.sync_content` rolls it back alone) may already be linked from courses
published in the same sync; a link to it leads nowhere until it publishes, if it is new.
"""

from dataclasses import dataclass, field

from lms.content.problems import Problem
from lms.content.tree import ContentTree, Reference


@dataclass
class LiveCourse:
    """A course as learners see it now: its area and the slugs of its modules."""

    area: str
    modules: set[str] = field(default_factory=set)


@dataclass
class HeldBack:
    """A course left as it is on the site because of its problems."""

    course: str  #: ``<area>/<course folder>``
    #: Its errors, ``path:line`` each (those of its translations too).
    problems: list[Problem] = field(default_factory=list)
    #: Whether a last good version is on the site (else learners do not see the course yet).
    live: bool = False

    @property
    def slug(self) -> str:
        return self.course.split("/", 1)[1]


def hold_back(tree: ContentTree, live: dict[str, LiveCourse]) -> list[HeldBack]:
    """The courses of ``tree`` not to publish, with their problems.

    ``live`` has every course on the site (not archived), by slug. Reference problems found
    here are added to ``tree.problems``.
    """
    held: dict[str, HeldBack] = {}
    for problem in tree.blocking_errors:
        course = tree.course_of(problem.path)
        if course is not None:
            held.setdefault(course, HeldBack(course)).problems.append(problem)
    folders: dict[str, list[str]] = {}
    for folder in tree.link_index.course_dirs:
        folders.setdefault(folder.name, []).append(f"{folder.parent.name}/{folder.name}")

    def is_live(course: str) -> bool:
        """Whether the site has a version of this folder's course (a folder moved to another
        area is the same course; of two folders sharing a slug, the one in its area is)."""
        area, slug = course.split("/", 1)
        if slug not in live:
            return False
        return live[slug].area == area or len(folders.get(slug, [])) <= 1

    found: list[Problem] = []
    checked: set[Reference] = set()
    changed = True
    while changed:  # a course held back for a reference can strand references to it in turn
        changed = False
        for reference in tree.references:
            source = tree.course_of(reference.path)
            if reference in checked or source in held or reference.course not in held:
                continue
            checked.add(reference)
            message = _missing(reference, is_live(reference.course), live)
            if message is None:
                continue
            problem = Problem(reference.path, reference.line, message)
            found.append(problem)
            if reference.path in tree.translation_paths:
                _skip_translation(tree, reference.path)
            elif source is not None:
                held[source] = HeldBack(source, [problem])
                changed = True
    tree.problems = sorted({*tree.problems, *found}, key=lambda p: (p.path, p.line, p.message))
    for course, entry in held.items():
        entry.live = is_live(course)
        inside = [p for p in tree.errors if tree.course_of(p.path) == course]
        entry.problems = sorted(set(inside) | set(entry.problems))
    return sorted(held.values(), key=lambda h: h.course)


def _missing(reference: Reference, target_live: bool, live: dict[str, LiveCourse]) -> str | None:
    """Why ``reference`` into a held-back course would lead nowhere on the site, if it would."""
    course = reference.course
    if not target_live:
        if reference.kind == "prerequisite":
            return (
                f"prerequisite course '{course}' is held back by its own problems and is not "
                "on the site yet; fix that course first"
            )
        return (
            f"link into {course}, which is held back by its own problems and is not on the "
            "site yet; fix that course first"
        )
    slug = course.split("/", 1)[1]
    if reference.module is not None and reference.module not in live[slug].modules:
        return (
            f"link to module '{reference.module}' of {course}, which is held back by its own "
            "problems and whose version on the site has no such module yet; fix that course first"
        )
    return None


def _skip_translation(tree: ContentTree, path: str) -> None:
    """Mark the translation at ``path`` broken: the sync keeps its last good version."""
    for course in tree.courses:
        sources = [*course.translations.values()]
        for module in course.modules:
            sources += [*module.translations.values(), *module.quiz_translations.values()]
        for source in sources:
            if source.path == path:
                source.broken = True
