"""Load and check the translation files of a course against their originals."""

from collections import Counter
from pathlib import Path

from lms.content.files import (
    _digest,
    _has_errors,
    _Reader,
)
from lms.content.links import (
    _check_markdown,
)
from lms.content.quizformat import parse_quiz
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
    out_of_date_message,
    read_translation_of,
)
from lms.content.tree import (
    CourseSource,
    ModuleSource,
    QuizSource,
)
from lms.content.yamlfile import LineDict, YamlError, load_yaml


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
