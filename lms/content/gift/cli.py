"""``lms quiz ...`` commands."""

import os
import secrets
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NoReturn

import click

from lms.content.gift import category_title, parse_gift, slugify
from lms.content.loader import load_content
from lms.content.quizformat import QUESTION_TYPES, dump_markdown, dump_module, dump_quiz
from lms.content.schema import SLUG_RE
from lms.content.tree import AREAS, MODULE_RE, QUIZ_RE, RESERVED_SLUGS

#: Module numbers are written with at least this many digits (``01-intro.md``).
NUMBER_WIDTH = 2
MAX_MODULE_NUMBER = 999
#: Larger question banks are refused: split them (one file per category works well).
MAX_GIFT_BYTES = 2 * 1024 * 1024
MAX_GIFT_QUESTIONS = 1000


@click.group()
def quiz():
    """Quiz tools for authors."""


class ImportRefused(Exception):
    """The import cannot go ahead; nothing has been written."""


@dataclass
class PlannedModule:
    """One module the import will write: ``NN-slug.md`` and, with questions, its quiz."""

    number: int
    slug: str
    title: str
    questions: list = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    #: ``(first line, last line, GIFT line)`` of each description in the module file.
    origins: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return f"{self.number:0{NUMBER_WIDTH}d}-{self.slug}"


def _title_from_slug(slug: str) -> str:
    words = slug.replace("_", " ").replace("-", " ").split()
    return " ".join(words).capitalize() or "Imported questions"


def _existing_modules(course_dir: Path) -> tuple[int, set[str]]:
    """The highest module number used in ``course_dir`` and every module slug in it."""
    highest, slugs = 0, set()
    if course_dir.is_dir():
        for entry in course_dir.iterdir():
            match = MODULE_RE.match(entry.name) or QUIZ_RE.match(entry.name)
            if match:
                highest = max(highest, int(match.group(1)))
                slugs.add(match.group(2))
    return highest, slugs


def _module_slug(name: str | None, default_title: str, taken: set[str]) -> tuple[str, str]:
    """``(slug, title)`` for a category, unique among the modules of this import."""
    title = category_title(name) if name else default_title
    candidates = [slugify(title), slugify(name or "")]
    candidates = [f"{c}-questions" if c in RESERVED_SLUGS else c for c in candidates if c]
    slug = next((c for c in candidates if c not in taken), None)
    if slug is None:
        base = candidates[0] if candidates else "imported-questions"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
    return slug, title


def _module_body(descriptions: list[str], gift_name: str, stem: str, has_quiz: bool) -> str:
    note = f"<!-- Imported from {gift_name} by 'lms quiz import-gift': edit this text. -->"
    if descriptions:
        return "\n\n".join([note, *descriptions])
    if has_quiz:
        return f"{note}\n\nThe quiz of this module ({stem}.quiz.yml) checks what you have learned."
    return note


def plan_import(categories, course_dir: Path, gift_name: str) -> list[PlannedModule]:
    """Decide the module files for ``categories``; raises :class:`ImportRefused`."""
    highest, existing = _existing_modules(course_dir)
    default_title = _title_from_slug(Path(gift_name).stem)
    planned, taken = [], set()
    for offset, category in enumerate(categories, start=1):
        slug, title = _module_slug(category.name, default_title, taken)
        if slug in existing:
            raise ImportRefused(
                f"module slug '{slug}' (from category {category.name or '(none)'!r}) is already "
                f"used in {course_dir}; rename the category or the existing module"
            )
        taken.add(slug)
        number = highest + offset
        if number > MAX_MODULE_NUMBER:
            raise ImportRefused(f"module numbers would go past {MAX_MODULE_NUMBER}")
        module = PlannedModule(number, slug, title, list(category.questions))
        body = _module_body(category.descriptions, gift_name, module.stem, bool(module.questions))
        minutes = 5 + 2 * len(module.questions)
        objective = f"Check your understanding of {title}."
        text = dump_module(title, minutes, [objective], body)
        module.files[f"{module.stem}.md"] = text
        position = text.index("\n---\n", 3)  # descriptions are in the body, after the front matter
        for description in category.descriptions:
            position = text.index(description, position)
            first = text.count("\n", 0, position) + 1
            module.origins.append((first, first + description.count("\n"), description.line))
        if module.questions:
            module.files[f"{module.stem}.quiz.yml"] = dump_quiz({"questions": module.questions})
        planned.append(module)
    return planned


def course_file(course_dir: Path, gift_name: str, modules: list[PlannedModule]) -> str:
    """A ``course.md`` that passes the checker and asks to be edited."""
    minutes = sum(5 + 2 * len(m.questions) for m in modules)
    meta = {
        "title": _title_from_slug(course_dir.name),
        "summary": f"Imported from {gift_name}; edit this summary before publishing.",
        "level": "beginner",
        "duration_hours": max(0.5, round(minutes / 30) / 2),
        "language": "en",
        "objectives": ["Edit this objective: what a learner can do after the course."],
    }
    body = (
        f"This course was imported from {gift_name} by `lms quiz import-gift`. "
        "Replace this text with an introduction."
    )
    return dump_markdown(meta, body)


def _validate(course_dir: Path, files: dict[str, str]):
    """Check the course as it would be, in a scratch copy: the problems of the new files."""
    area, name = course_dir.parent.name, course_dir.name
    with tempfile.TemporaryDirectory(prefix="lms-import-") as scratch:
        target = Path(scratch) / "content" / area / name
        target.mkdir(parents=True)
        if course_dir.is_dir():
            for entry in course_dir.iterdir():
                if entry.is_file() and (
                    entry.name == "course.md"
                    or MODULE_RE.match(entry.name)
                    or QUIZ_RE.match(entry.name)
                ):
                    shutil.copyfile(entry, target / entry.name)
        for file_name, text in files.items():
            (target / file_name).write_text(text, encoding="utf-8")
        tree = load_content(target)
    new = {f"{area}/{name}/{file_name}": file_name for file_name in files}
    return [(new[p.path], p) for p in tree.problems if p.path in new]


def _write(course_dir: Path, files: dict[str, str]) -> None:
    """Put ``files`` into ``course_dir`` so that nothing is half-written.

    A new course folder is built beside its final place and renamed into it in one step.
    Into an existing course, each file is written to a hidden staging folder and renamed into
    place, modules before their quizzes; if a rename fails, the files already moved are removed.
    """
    token = secrets.token_hex(4)
    if not course_dir.exists():
        course_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = course_dir.parent / f".{course_dir.name}.import-{token}"
        staging.mkdir()
        try:
            for file_name, text in files.items():
                (staging / file_name).write_text(text, encoding="utf-8")
            staging.rename(course_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return
    staging = course_dir / f".import-{token}"
    staging.mkdir()
    moved: list[Path] = []
    try:
        for file_name, text in files.items():
            (staging / file_name).write_text(text, encoding="utf-8")
        order = sorted(files, key=lambda n: (n.endswith(".quiz.yml"), n != "course.md", n))
        for file_name in order:
            target = course_dir / file_name
            if target.exists():
                raise FileExistsError(f"{target} appeared while importing")
            os.rename(staging / file_name, target)
            moved.append(target)
    except BaseException:
        for target in moved:
            target.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _echo_problem(problem, path: str) -> None:
    prefix = f"{path}:{problem.line}: "
    if problem.severity == "warning":
        click.echo(prefix + click.style("warning: ", fg="yellow") + problem.message, err=True)
    else:
        click.echo(prefix + problem.message, err=True)


def _refuse(message: str) -> NoReturn:
    click.secho(f"{message}: nothing was written.", fg="red", err=True)
    sys.exit(1)


@quiz.command("import-gift")
@click.argument("gift_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--course",
    "course_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The course folder to import into, e.g. content/technology/my-course "
    "(created with a course.md when it does not exist).",
)
def import_gift(gift_file: Path, course_dir: Path):
    """Import a Moodle GIFT file into a course: one module and quiz per $CATEGORY.

    Prints every problem as FILE:line: message. On any error nothing is written and the exit
    status is 1; warnings (simplifications, such as dropped matching-pair feedback) are printed
    and the import goes ahead.
    """
    if not SLUG_RE.match(course_dir.name):
        raise click.BadParameter(
            f"'{course_dir.name}' is not a slug: use lower-case letters, digits and hyphens",
            param_hint="--course",
        )
    if course_dir.resolve().parent.name not in AREAS:
        raise click.BadParameter(
            f"the course folder must be inside an area folder ({', '.join(AREAS)}) of the "
            "content tree, e.g. content/technology/my-course",
            param_hint="--course",
        )
    gift_name = str(gift_file)
    if gift_file.stat().st_size > MAX_GIFT_BYTES:
        click.echo(
            f"{gift_name}: the file is larger than {MAX_GIFT_BYTES // (1024 * 1024)} MB; "
            "split the question bank into smaller files",
            err=True,
        )
        _refuse("too large")
    raw = gift_file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        click.echo(f"{gift_name}:{line}: the file is not UTF-8 text; save it as UTF-8", err=True)
        _refuse("1 error")
    categories, problems = parse_gift(text, gift_name)
    for problem in problems:
        _echo_problem(problem, gift_name)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        _refuse(f"{len(errors)} error(s) in {gift_name}")
    if not categories:
        _refuse(f"{gift_name} holds no questions")
    count = sum(len(category.questions) for category in categories)
    if count > MAX_GIFT_QUESTIONS:
        click.echo(
            f"{gift_name}: {count} questions, more than {MAX_GIFT_QUESTIONS} in one import; "
            "split the question bank into smaller files",
            err=True,
        )
        _refuse("too many questions")

    try:
        modules = plan_import(categories, course_dir, gift_file.name)
    except ImportRefused as exc:
        click.echo(f"{gift_name}: {exc}", err=True)
        _refuse("refused")
    files = {name: text for module in modules for name, text in module.files.items()}
    if not (course_dir / "course.md").is_file():
        files = {"course.md": course_file(course_dir, gift_file.name, modules), **files}

    origins = {f"{m.stem}.md": m.origins for m in modules}
    invalid = False
    for file_name, problem in _validate(course_dir, files):
        gift_line = next(
            (
                line
                for first, last, line in origins.get(file_name, [])
                if first <= problem.line <= last
            ),
            None,
        )
        if gift_line is None:
            _echo_problem(problem, str(course_dir / file_name))
        else:
            _echo_problem(replace(problem, line=gift_line), gift_name)
        invalid = invalid or problem.severity == "error"
    if invalid:
        _refuse("the imported content would not pass 'lms content check'")

    try:
        _write(course_dir, files)
    except OSError as exc:
        _refuse(f"cannot write into {course_dir}: {exc}")

    if "course.md" in files:
        click.echo(f"  created {course_dir / 'course.md'}")
    by_type = Counter(q["type"] for m in modules for q in m.questions)
    for module in modules:
        quiz_note = (
            f" + {module.stem}.quiz.yml ({len(module.questions)} questions)"
            if module.questions
            else " (text only)"
        )
        click.echo(f"  wrote {course_dir / (module.stem + '.md')}{quiz_note}")
    types = ", ".join(f"{t} {by_type[t]}" for t in QUESTION_TYPES if by_type[t])
    total = sum(by_type.values())
    click.secho(
        f"Imported {total} questions into {len(modules)} modules"
        + (f" ({types})" if types else "")
        + f". Check them with: lms content check {course_dir}",
        fg="green",
    )
