"""Read a content tree from disk and check it, without touching the database.

:func:`load_content` returns a :class:`ContentTree`: the courses it could read and every
:class:`Problem`. Nothing is rendered here; :mod:`lms.publishing.sync` does that.
"""

import re
from pathlib import Path

from lms.content.files import (
    _digest,
    _has_errors,
    _Reader,
)
from lms.content.links import (
    _check_markdown,
    _ModuleIndex,
)
from lms.content.problems import Problem
from lms.content.quizformat import parse_quiz
from lms.content.schema import (
    SLUG_RE,
)
from lms.content.translation_files import (
    _load_translations,
)
from lms.content.translations import (
    COURSE_TRANSLATION_RE,
    MODULE_TRANSLATION_RE,
    QUIZ_TRANSLATION_RE,
)
from lms.content.tree import (
    AREAS,
    ASSET_EXTENSIONS,
    COURSE_FIELDS,
    MODULE_FIELDS,
    MODULE_RE,
    QUIZ_RE,
    RESERVED_SLUGS,
    ContentTree,
    CourseSource,
    ModuleSource,
    QuizSource,
)
from lms.content.yamlfile import YamlError, load_yaml


def find_root(path: Path) -> tuple[Path, str]:
    """The content root for ``path`` (a root, an area or a course folder) and the scope."""
    path = path.resolve()
    if (path / "course.md").is_file():
        return path.parent.parent, "course"
    if path.name in AREAS and not any((path / a).is_dir() for a in AREAS):
        return path.parent, "area"
    return path, "root"


def load_content(
    path: str | Path, known_quizzes: dict | None = None, known_translations: dict | None = None
) -> ContentTree:
    """Read and check the content at ``path``: the content root, an area or a course folder.

    ``known_quizzes`` maps the hash of a quiz file already published (and so checked) to its
    questions; such a file is not parsed again (a re-sync of unchanged content stays fast).
    ``known_translations`` does the same for quiz translations (hash -> ``translation_of``).
    """
    path = Path(path)
    if not path.is_dir():
        tree = ContentTree(root=path)
        tree.problems.append(Problem(str(path), 1, "no such content folder"))
        return tree
    root, scope = find_root(path)
    reader = _Reader(root, known_quizzes, known_translations)
    tree = ContentTree(root=root, scope=scope, scope_path=reader.rel(path.resolve()))

    course_dirs = _course_dirs(reader, root)
    index = _ModuleIndex(root, course_dirs)
    wanted = [
        d
        for d in course_dirs
        if scope == "root" or d == path.resolve() or d.parent == path.resolve()
    ]
    seen_slugs: dict[str, Path] = {}
    for course_dir in course_dirs:
        slug = course_dir.name
        first = seen_slugs.setdefault(slug, course_dir)
        if first != course_dir and (course_dir in wanted or first in wanted):
            reader.problem(
                course_dir / "course.md",
                1,
                f"course slug '{slug}' is already used by {reader.rel(first)}; course "
                "folder names must be unique across all areas",
            )
            # Both are held back: neither may take over the other's published course.
            reader.problem(
                first / "course.md",
                1,
                f"course slug '{slug}' is also used by {reader.rel(course_dir)}; course "
                "folder names must be unique across all areas",
            )
    for course_dir in wanted:
        course = _load_course(reader, course_dir, index)
        if course is not None:
            tree.courses.append(course)
    tree.courses.sort(key=lambda c: (AREAS.index(c.area), c.slug))
    tree.link_index = index
    tree.translation_paths = reader.translation_paths
    tree.translation_counts = reader.translation_counts
    tree.references = reader.references
    problems = set(reader.problems)
    if scope != "root":
        problems = {
            p
            for p in problems
            if p.path == tree.scope_path or p.path.startswith(tree.scope_path + "/")
        }
    tree.problems = sorted(problems, key=lambda p: (p.path, p.line, p.message))
    return tree


def _course_dirs(reader: _Reader, root: Path) -> list[Path]:
    """Every course folder under the root; stray folders and files are reported."""
    found = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.is_file():
            continue
        if entry.name not in AREAS:
            reader.problem(
                entry, 1, f"'{entry.name}' is not a training area; use one of: {', '.join(AREAS)}"
            )
            continue
        for course_dir in sorted(entry.iterdir()):
            if course_dir.name.startswith("."):
                continue
            if course_dir.is_file():
                if course_dir.name != "README.md":
                    reader.problem(
                        course_dir,
                        1,
                        "files in an area folder are ignored; put them inside a course folder",
                        "warning",
                    )
                continue
            if not SLUG_RE.match(course_dir.name):
                reader.problem(
                    course_dir,
                    1,
                    f"course folder '{course_dir.name}' must be a "
                    "slug: lower-case letters, digits and hyphens",
                )
                continue
            if not (course_dir / "course.md").is_file():
                reader.problem(course_dir / "course.md", 1, "course folder has no course.md")
                continue
            found.append(course_dir.resolve())
    return found


def _load_course(reader: _Reader, course_dir: Path, index: _ModuleIndex):
    course_md = course_dir / "course.md"
    area = course_dir.parent.name
    before = len(reader.problems)
    parsed = reader.front_matter(course_md, COURSE_FIELDS)
    if parsed is None:
        meta, body, body_line, source = None, "", 1, ""
    else:
        meta, body, body_line, source = parsed
        _check_markdown(reader, course_md, body, body_line, index, module=False)
        for n, item in enumerate(meta.get("prerequisites") or []):
            if isinstance(item, str) and re.fullmatch(r"[a-z]+/[a-z0-9-]+", item.strip()):
                target = (reader.root / item.strip()).resolve()
                line = meta["prerequisites"].line_of(n)
                if target not in index.course_dirs:
                    reader.problem(
                        course_md,
                        line,
                        f"prerequisite course '{item}' does not "
                        "exist (write <area>/<course-folder>)",
                    )
                elif target != course_dir.resolve():
                    reader.reference(course_md, line, target, kind="prerequisite")
    modules, translation_files = _load_modules(reader, course_dir, index)
    if parsed is None or _has_errors(reader, before):
        for path in translation_files:
            reader.translation_paths.add(reader.rel(path))
        return None
    course = CourseSource(
        area=area,
        slug=course_dir.name,
        path=reader.rel(course_dir),
        meta=dict(meta),
        body=body,
        hash=_digest(reader.rel(course_md), source),
        modules=modules,
        file_sha=reader.shas.get(course_md, ""),
    )
    _load_translations(reader, course, course_dir, translation_files, index)
    return course


def _load_modules(reader: _Reader, course_dir: Path, index: _ModuleIndex) -> list:
    modules: list[ModuleSource] = []
    quizzes: dict[tuple[int, str], Path] = {}
    positions: dict[int, Path] = {}
    slugs: dict[str, Path] = {}
    translation_files: list[Path] = []
    for entry in sorted(course_dir.iterdir()):
        if entry.name.startswith(".") or entry.is_dir():
            continue
        if (
            MODULE_TRANSLATION_RE.match(entry.name)
            or QUIZ_TRANSLATION_RE.match(entry.name)
            or COURSE_TRANSLATION_RE.match(entry.name)
        ):
            translation_files.append(entry)
            continue
        quiz_match = QUIZ_RE.match(entry.name)
        if quiz_match:
            quizzes[(int(quiz_match.group(1)), quiz_match.group(2))] = entry
            continue
        if entry.name == "course.md" or entry.suffix.lower() in ASSET_EXTENSIONS:
            continue
        match = MODULE_RE.match(entry.name)
        if not match:
            if entry.suffix in (".md", ".yml", ".yaml"):
                reader.problem(
                    entry,
                    1,
                    "not a module or quiz file name: use "
                    "NN-slug.md or NN-slug.quiz.yml (e.g. 01-introduction.md)",
                )
            continue
        position, slug = int(match.group(1)), match.group(2)
        if slug in RESERVED_SLUGS:
            reader.problem(entry, 1, f"'{slug}' is reserved; choose another module slug")
            continue
        if slug in slugs:
            reader.problem(
                entry,
                1,
                f"module slug '{slug}' is already used by {slugs[slug].name} in this course",
            )
            continue
        if position in positions:
            reader.problem(
                entry,
                1,
                f"module number {match.group(1)} is already used by {positions[position].name}",
            )
            continue
        slugs[slug], positions[position] = entry, entry
        parsed = reader.front_matter(entry, MODULE_FIELDS)
        if parsed is None:
            continue
        meta, body, body_line, source = parsed
        if not body.strip():
            reader.problem(entry, body_line, "module has no text after its front matter", "warning")
        _check_markdown(reader, entry, body, body_line, index, module=True)
        modules.append(
            ModuleSource(
                slug=slug,
                position=position,
                path=reader.rel(entry),
                meta=dict(meta),
                body=body,
                hash=_digest(reader.rel(entry), source),
                file_sha=reader.shas.get(entry, ""),
            )
        )
    by_key = {(m.position, m.slug): m for m in modules}
    for key, quiz_path in sorted(quizzes.items()):
        module = by_key.get(key)
        if module is None:
            if (course_dir / f"{key[0]:02d}-{key[1]}.md").exists() or key[1] in slugs:
                continue  # the module itself has problems, already reported
            reader.problem(
                quiz_path,
                1,
                f"quiz has no module: expected {quiz_path.name.split('.quiz')[0]}.md beside it",
            )
            continue
        module.quiz = _load_quiz(reader, quiz_path)
    modules.sort(key=lambda m: m.position)
    return modules, translation_files


def _load_quiz(reader: _Reader, path: Path) -> QuizSource | None:
    source = reader.read_text(path)
    if source is None:
        return None
    digest = _digest(reader.rel(path), source)
    if digest in reader.known_quizzes:
        return QuizSource(
            path=reader.rel(path),
            settings={},
            questions=reader.known_quizzes[digest],
            hash=digest,
            file_sha=reader.shas.get(path, ""),
        )
    try:
        data = load_yaml(source)
    except YamlError as exc:
        reader.problem(path, exc.line, exc.message)
        return None
    quiz, errors = parse_quiz(data, reader.rel(path))
    for line, message in errors:
        reader.problem(path, line, message)
    if quiz is None:
        return None
    return QuizSource(
        path=reader.rel(path),
        settings={k: v for k, v in quiz.items() if k != "questions"},
        questions=quiz["questions"],
        hash=digest,
        file_sha=reader.shas.get(path, ""),
    )
