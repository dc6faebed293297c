"""Read a content tree from disk and check it, without touching the database.

:func:`load_content` returns a :class:`ContentTree`: the courses it could read and every
:class:`Problem`. Nothing is rendered here; :mod:`lms.content.sync` does that.
"""

import hashlib
import os
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lms.content.problems import Problem
from lms.content.quizformat import QUESTION_TYPES, parse_quiz
from lms.content.render import RENDERER_VERSION
from lms.content.schema import (
    SLUG_RE,
    Field,
    check_fields,
    choice,
    language,
    non_negative_int,
    positive_int,
    positive_number,
    text,
    text_list,
)
from lms.content.translations import (
    COURSE_ONLY_KEYS,
    COURSE_TRANSLATION_FIELDS,
    COURSE_TRANSLATION_RE,
    MODULE_ONLY_KEYS,
    MODULE_TRANSLATION_FIELDS,
    MODULE_TRANSLATION_RE,
    QUIZ_TRANSLATION_RE,
    TranslationSource,
    check_language,
    compare_quizzes,
    file_hash,
    out_of_date_message,
    read_translation_of,
)
from lms.content.yamlfile import LineDict, YamlError, load_yaml, split_front_matter

AREAS = ("technology", "trends", "mindset")
LEVELS = ("beginner", "intermediate", "advanced")
ADMONITIONS = ("note", "tip", "warning")
#: Files that may be linked from content and served to learners.
ASSET_EXTENSIONS = {
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".svg",
    ".webp",
    ".avif",
    ".pdf",
    ".mp3",
    ".mp4",
    ".webm",
    ".ogg",
    ".vtt",
    ".csv",
    ".txt",
}
MODULE_RE = re.compile(r"^(\d{1,3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
QUIZ_RE = re.compile(r"^(\d{1,3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.quiz\.ya?ml$")
#: Module slugs that would collide with course URLs.
RESERVED_SLUGS = {"assets", "quiz", "complete", "certificate"}
MAX_FILE_BYTES = 1024 * 1024

COURSE_FIELDS = {
    "title": Field(text(200)),
    "summary": Field(text(600)),
    "level": Field(choice(*LEVELS)),
    "duration_hours": Field(positive_number),
    "language": Field(language),
    "objectives": Field(text_list(1)),
    "prerequisites": Field(text_list(0), required=False),
    "required_sessions": Field(non_negative_int, required=False),
}
MODULE_FIELDS = {
    "title": Field(text(200)),
    "duration_minutes": Field(positive_int),
    "objectives": Field(text_list(1)),
}

_INLINE_LINK = re.compile(r"(!?)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ADMONITION = re.compile(r"^\s*!!!\s*([\w-]*)")
_H1 = re.compile(r"^#\s")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass
class QuizSource:
    path: str
    settings: dict
    questions: list
    hash: str
    #: SHA-256 of the file's bytes (what a translation's ``translation_of`` refers to).
    file_sha: str = ""


@dataclass
class ModuleSource:
    slug: str
    position: int
    path: str  #: relative to the content root, with forward slashes
    meta: dict
    body: str
    hash: str
    quiz: QuizSource | None = None
    file_sha: str = ""
    #: Language code -> translation of the module text, and of its quiz.
    translations: dict[str, TranslationSource] = field(default_factory=dict)
    quiz_translations: dict[str, TranslationSource] = field(default_factory=dict)


@dataclass
class CourseSource:
    area: str
    slug: str
    path: str
    meta: dict
    body: str
    hash: str
    modules: list[ModuleSource] = field(default_factory=list)
    file_sha: str = ""
    translations: dict[str, TranslationSource] = field(default_factory=dict)


@dataclass
class ContentTree:
    """What was read from disk, and what is wrong with it."""

    root: Path
    courses: list[CourseSource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: ``"root"``, ``"area"`` or ``"course"``: how much of the tree was asked for.
    scope: str = "root"
    scope_path: str = ""
    #: Resolves links for rendering (set by :func:`load_content`).
    link_index: "_ModuleIndex | None" = None
    #: Every translation file found (checked or not), relative to the root.
    translation_paths: set[str] = field(default_factory=set)
    #: Translations found per language: ``{"it": {"files": 5, "out_of_date": 1, ...}}``.
    translation_counts: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def blocking_errors(self) -> list[Problem]:
        """Errors that stop a sync: a broken translation is skipped instead."""
        return [p for p in self.errors if p.path not in self.translation_paths]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def summary(self) -> dict:
        """Counts for the checker's summary line and ``--json``."""
        by_type = Counter({t: 0 for t in QUESTION_TYPES})
        quizzes = 0
        for course in self.courses:
            for module in course.modules:
                if module.quiz:
                    quizzes += 1
                    by_type.update(q["type"] for q in module.quiz.questions)
        return {
            "areas": len({c.area for c in self.courses}),
            "courses": len(self.courses),
            "modules": sum(len(c.modules) for c in self.courses),
            "quizzes": quizzes,
            "questions": sum(by_type.values()),
            "questions_by_type": dict(by_type),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "translations": {
                lang: dict(counts) for lang, counts in sorted(self.translation_counts.items())
            },
        }


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256(RENDERER_VERSION.encode())
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


class _Reader:
    """Walks the tree, collecting problems with paths relative to the content root."""

    def __init__(
        self, root: Path, known_quizzes: dict | None = None, known_translations: dict | None = None
    ):
        self.root = root
        self.problems: list[Problem] = []
        #: Quiz file hash -> questions already published and checked from that exact file.
        self.known_quizzes = known_quizzes or {}
        #: Quiz translation hash -> its ``translation_of``, published and checked already.
        self.known_translations = known_translations or {}
        #: SHA-256 of every file read, by path.
        self.shas: dict[Path, str] = {}
        self.translation_paths: set[str] = set()
        self.translation_counts: dict[str, Counter] = {}

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def problem(self, path: Path, line: int, message: str, severity: str = "error"):
        self.problems.append(Problem(self.rel(path), line, message, severity))

    def read_text(self, path: Path) -> str | None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                self.problem(path, 1, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
                return None
            raw = path.read_bytes()
        except OSError as exc:
            self.problem(path, 1, f"cannot read file: {exc.strerror}")
            return None
        self.shas[path] = file_hash(raw)
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.problem(path, line, "file is not valid UTF-8 text")
            return None

    def front_matter(self, path: Path, spec: dict):
        """Return ``(meta, body, body_first_line)`` or ``None`` after reporting why."""
        source = self.read_text(path)
        if source is None:
            return None
        split = split_front_matter(source)
        if split is None:
            self.problem(
                path,
                1,
                "missing front matter: the file must start with a line "
                "'---', then YAML keys, then another '---'",
            )
            return None
        yaml_text, yaml_line, body, body_line = split
        try:
            meta = load_yaml(yaml_text, yaml_line)
        except YamlError as exc:
            self.problem(path, exc.line, exc.message)
            return None
        if meta is None:
            meta = LineDict()
            meta.line = yaml_line
        if not isinstance(meta, LineDict):
            self.problem(path, yaml_line, "front matter must be YAML keys and values")
            return None
        for line, message in check_fields(meta, spec, "front matter"):
            self.problem(path, line, message)
        return meta, body, body_line, source


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
        if slug in seen_slugs and (course_dir in wanted or seen_slugs[slug] in wanted):
            reader.problem(
                course_dir / "course.md",
                1,
                f"course slug '{slug}' is already used by "
                f"{reader.rel(seen_slugs[slug])}; course folder names must be "
                "unique across all areas",
            )
        seen_slugs.setdefault(slug, course_dir)
    for course_dir in wanted:
        course = _load_course(reader, course_dir, index)
        if course is not None:
            tree.courses.append(course)
    tree.courses.sort(key=lambda c: (AREAS.index(c.area), c.slug))
    tree.link_index = index
    tree.translation_paths = reader.translation_paths
    tree.translation_counts = reader.translation_counts
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


class _ModuleIndex:
    """Which module files exist, to check links and rewrite them to URLs."""

    def __init__(self, root: Path, course_dirs: list[Path]):
        self.root = root
        self.course_dirs = {d: d.name for d in course_dirs}
        self.modules: dict[Path, str] = {}
        for course_dir in course_dirs:
            for entry in course_dir.iterdir():
                # A translation may link to another module's translation: same page.
                match = MODULE_RE.match(entry.name) or MODULE_TRANSLATION_RE.match(entry.name)
                if match and entry.is_file():
                    self.modules[entry.resolve()] = match.group(2)

    def resolve(self, source_dir: Path, target: str):
        """Classify a link from a file in ``source_dir``.

        Returns ``(url, error)``: the relative URL to use (``None`` to leave the link
        alone) and an error message (``None`` when the link is fine).
        """
        target = target.strip()
        if not target or target.startswith("#"):
            return None, None
        if _SCHEME.match(target):
            scheme = target.split(":", 1)[0].lower()
            if scheme in ("http", "https", "mailto"):
                return None, None
            return None, f"link uses the unsafe scheme '{scheme}:'"
        if target.startswith("/"):
            return None, (
                f"absolute link '{target}': link to a module file "
                "(02-slug.md) or a file beside the markdown instead"
            )
        parts = urlsplit(target)
        rel_path = unquote(parts.path)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        # source_dir is already resolved: normalising is enough (no filesystem lookup).
        resolved = Path(os.path.normpath(source_dir / rel_path))
        course_dir = next((d for d in (resolved, *resolved.parents) if d in self.course_dirs), None)
        if course_dir is None:
            return None, f"link '{target}' points outside the courses of this content tree"
        here = self.course_dirs.get(source_dir.resolve())
        course_slug = self.course_dirs[course_dir]
        prefix = "" if course_slug == here else f"../{course_slug}/"
        if resolved.name == "course.md" and resolved.parent == course_dir:
            return (prefix or "./") + fragment, None
        if resolved.suffix == ".md":
            slug = self.modules.get(resolved)
            if slug is None:
                return None, f"link to a module that does not exist: '{rel_path}'"
            return prefix + slug + fragment, None
        if resolved.suffix.lower() not in ASSET_EXTENSIONS:
            return None, (
                f"link to '{rel_path}': files of type '{resolved.suffix or 'none'}' "
                f"are not served (allowed: {', '.join(sorted(ASSET_EXTENSIONS))})"
            )
        if not resolved.is_file():
            return None, f"link to a file that does not exist: '{rel_path}'"
        asset = posixpath.join(*resolved.relative_to(course_dir).parts)
        return f"{prefix}assets/{asset}{fragment}", None


def _check_markdown(
    reader: _Reader, path: Path, body: str, first_line: int, index: _ModuleIndex, module: bool
):
    """Report broken links, unknown admonitions and misplaced headings in ``body``."""
    in_fence = None
    for offset, line in enumerate(body.splitlines()):
        number = first_line + offset
        fence = _FENCE.match(line)
        if fence:
            if in_fence is None:
                in_fence = fence.group(1)
            elif fence.group(1) == in_fence:
                in_fence = None
            continue
        if in_fence:
            continue
        admonition = _ADMONITION.match(line) if "!!!" in line else None
        if admonition and admonition.group(1).lower() not in ADMONITIONS:
            kind = admonition.group(1) or "(none)"
            reader.problem(
                path, number, f"unknown admonition '{kind}'; use one of: {', '.join(ADMONITIONS)}"
            )
        if module and line.startswith("#") and _H1.match(line):
            reader.problem(
                path,
                number,
                "a '#' heading repeats the page title; start sections at '##'",
                "warning",
            )
        if "](" not in line and "]:" not in line:
            continue  # no link on this line
        scan = _CODE_SPAN.sub("", line)
        targets = [(m.group(1) == "!", m.group(2)) for m in _INLINE_LINK.finditer(scan)]
        ref = _REF_DEF.match(scan)
        if ref:
            targets.append((False, ref.group(1)))
        for is_image, target in targets:
            if is_image and _SCHEME.match(target):
                reader.problem(
                    path,
                    number,
                    f"image '{target}' is not beside the markdown; "
                    "images are served from the course folder",
                )
                continue
            _, error = index.resolve(path.parent, target)
            if error:
                reader.problem(path, number, error)


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
                if target not in index.course_dirs:
                    line = meta["prerequisites"].line_of(n)
                    reader.problem(
                        course_md,
                        line,
                        f"prerequisite course '{item}' does not "
                        "exist (write <area>/<course-folder>)",
                    )
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


def _has_errors(reader: _Reader, since: int) -> bool:
    return any(p.severity == "error" for p in reader.problems[since:])


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


def _load_translations(
    reader: _Reader, course: CourseSource, course_dir: Path, files: list[Path], index
) -> None:
    """Check the translation files of a course against their originals and attach them.

    A translation's errors never stop its original: the sync skips the translation.
    """
    original_language = course.meta.get("language", "en")
    modules = {Path(m.path).name[: -len(".md")]: m for m in course.modules}
    for path in files:
        rel = reader.rel(path)
        reader.translation_paths.add(rel)
        before = len(reader.problems)
        course_match = COURSE_TRANSLATION_RE.match(path.name)
        if course_match:
            kind, language, target, table = "course", course_match.group(1), course, None
            original = course_dir / "course.md"
        else:
            match = MODULE_TRANSLATION_RE.match(path.name) or QUIZ_TRANSLATION_RE.match(path.name)
            kind = "module" if path.name.endswith(".md") else "quiz"
            stem, language = f"{match.group(1)}-{match.group(2)}", match.group(3)
            target = modules.get(stem)
            if target is None:
                reader.problem(
                    path, 1, f"translation of a module that does not exist: expected {stem}.md"
                )
            elif kind == "quiz" and target.quiz is None:
                reader.problem(
                    path,
                    1,
                    f"translation of a quiz that does not exist: expected {stem}.quiz.yml",
                )
                target = None
            if kind == "module":
                original = course_dir / f"{stem}.md"
            else:
                original = reader.root / target.quiz.path if target else path
        counts = reader.translation_counts.setdefault(language, Counter())
        counts["files"] += 1
        message = check_language(language, original_language)
        if message:
            reader.problem(path, 1, message)
        if target is None or message:
            counts["with errors"] += 1
            continue
        if kind == "quiz":
            table = target.quiz_translations
            source = _load_quiz_translation(reader, path, target, original, language)
        else:
            table = target.translations
            source = _load_text_translation(reader, path, kind, original, language, index, target)
        if source is None:
            counts["with errors"] += 1
            continue
        if source.out_of_date:
            counts["out of date"] += 1
        if language in table:
            reader.problem(
                path, 1, f"a second '{language}' translation of {original.name}: keep one file"
            )
        source.broken = _has_errors(reader, before)
        if source.broken:
            counts["with errors"] += 1
        table.setdefault(language, source)


def _translation_of(reader: _Reader, path: Path, source: TranslationSource, meta) -> None:
    """Read ``translation_of`` into ``source`` and warn when the original changed since."""
    original_name = source.original_path.rsplit("/", 1)[-1]
    value, problem = read_translation_of(meta, original_name, source.original_sha)
    if problem:
        reader.problem(path, *problem)
        return
    source.translation_of = value
    if source.out_of_date:
        reader.problem(path, meta.line_of("translation_of"), out_of_date_message(source), "warning")


def _key_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("translation_of"):
            return number
    return 1


def _load_text_translation(reader, path, kind, original, language, index, target):
    """A course or module translation: front matter, objectives count, links, admonitions."""
    spec = COURSE_TRANSLATION_FIELDS if kind == "course" else MODULE_TRANSLATION_FIELDS
    parsed = reader.front_matter(path, spec)
    if parsed is None:
        return None
    meta, body, body_line, text = parsed
    source = TranslationSource(
        kind=kind,
        language=language,
        path=reader.rel(path),
        original_path=reader.rel(original),
        original_sha=target.file_sha,
        hash=_digest(reader.rel(path), text, target.file_sha),
        meta=dict(meta),
        body=body,
    )
    for key in COURSE_ONLY_KEYS if kind == "course" else MODULE_ONLY_KEYS:
        if key in meta:
            reader.problem(
                path,
                meta.line_of(key),
                f"'{key}' comes from the original {original.name}; remove it here "
                "(a translation's value is ignored)",
                "warning",
            )
    objectives = meta.get("objectives")
    expected = target.meta.get("objectives") or []
    if isinstance(objectives, list) and len(objectives) != len(expected):
        reader.problem(
            path,
            meta.line_of("objectives"),
            f"'objectives' has {len(objectives)} item(s) here, {len(expected)} in the original "
            f"{original.name}: translate each objective once",
        )
    _translation_of(reader, path, source, meta)
    if kind == "module" and not body.strip():
        reader.problem(path, body_line, "translation has no text after its front matter", "warning")
    _check_markdown(reader, path, body, body_line, index, module=kind == "module")
    return source


def _load_quiz_translation(reader, path, module: ModuleSource, original, language):
    """A quiz translation: valid as a quiz, and the same structure as the original."""
    text = reader.read_text(path)
    if text is None:
        return None
    original_quiz = module.quiz
    source = TranslationSource(
        kind="quiz",
        language=language,
        path=reader.rel(path),
        original_path=original_quiz.path,
        original_sha=original_quiz.file_sha,
        hash=_digest(reader.rel(path), text, original_quiz.file_sha),
    )
    if source.hash in reader.known_translations:  # published and checked from these files
        source.translation_of = reader.known_translations[source.hash]
        if source.out_of_date:
            reader.problem(path, _key_line(text), out_of_date_message(source), "warning")
        return source
    try:
        data = load_yaml(text)
    except YamlError as exc:
        reader.problem(path, exc.line, exc.message)
        return None
    if not isinstance(data, LineDict):
        reader.problem(
            path,
            getattr(data, "line", 1),
            "a quiz translation must be a YAML mapping like its original",
        )
        return None
    quiz_data = LineDict({k: v for k, v in data.items() if k != "translation_of"})
    quiz_data.line, quiz_data.duplicates = data.line, data.duplicates
    quiz_data.lines = {k: v for k, v in data.lines.items() if k != "translation_of"}
    _translation_of(reader, path, source, data)
    quiz, errors = parse_quiz(quiz_data, reader.rel(path))
    for line, message in errors:
        reader.problem(path, line, message)
    if quiz is None:
        return source
    reference = _original_quiz(reader, original_quiz, original)
    if reference is not None:
        lines = {"": data.line, **data.lines}
        for line, message in compare_quizzes(reference, quiz, lines):
            reader.problem(path, line, message)
    source.questions = quiz["questions"]
    return source


def _original_quiz(reader: _Reader, quiz: QuizSource, path: Path) -> dict | None:
    """The original quiz's settings and questions (parsed again when it was published as is)."""
    if quiz.settings:
        return {**quiz.settings, "questions": quiz.questions}
    try:
        parsed, _errors = parse_quiz(load_yaml(path.read_text(encoding="utf-8-sig")), quiz.path)
    except (OSError, YamlError, UnicodeDecodeError):
        return None
    return parsed
