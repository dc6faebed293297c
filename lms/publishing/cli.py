"""``lms content check``, ``lms content sync`` and ``lms content translation-hash``: the
authors' and operators' view of the markdown pipeline (it returns problems, these print them)."""

import json
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from lms.extensions import db


def _default_content_dir() -> str:
    return os.environ.get("LMS_CONTENT_DIR") or "content"


def _display_path(root: Path, relative: str) -> str:
    from lms.content.problems import display_path

    return display_path(root, relative)


def _counted(count: int, word: str, plural: str | None = None) -> str:
    """``1 area``, ``2 areas``, ``no quiz``."""
    if count == 0:
        return f"no {word}"
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _print_problems(tree) -> None:
    for problem in tree.problems:
        line = f"{_display_path(tree.root, problem.path)}:{problem.line}: "
        if problem.severity == "warning":
            click.echo(line + click.style("warning: ", fg="yellow") + problem.message, err=True)
        else:
            click.echo(line + problem.message, err=True)


def _summary_text(summary: dict) -> str:
    types = ", ".join(f"{k} {v}" for k, v in summary["questions_by_type"].items() if v)
    text = ", ".join(
        (
            _counted(summary["areas"], "area"),
            _counted(summary["courses"], "course"),
            _counted(summary["modules"], "module"),
            _counted(summary["quizzes"], "quiz", "quizzes"),
            _counted(summary["questions"], "question"),
        )
    )
    text = f"{text} ({types})" if types else text
    translations = _translations_text(summary.get("translations") or {})
    return f"{text}; translations: {translations}" if translations else text


def _translations_text(counts: dict) -> str:
    """``it 5 files (1 out of date), de 5 files``."""
    parts = []
    for language, count in counts.items():
        notes = [f"{count[k]} {k}" for k in ("out of date", "with errors") if count.get(k)]
        files = f"{count['files']} file" + ("" if count["files"] == 1 else "s")
        parts.append(f"{language} {files}" + (f" ({', '.join(notes)})" if notes else ""))
    return ", ".join(parts)


@click.group(cls=AppGroup)
def content():
    """Check and publish the markdown content."""


@content.command("check", with_appcontext=False)
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (out-of-date translations).")
def content_check(directory, as_json, strict):
    """Check DIRECTORY (the content root, an area or a course folder; default: content/).

    Prints every problem as path:line: message and exits 1 when there is an error (with
    --strict, also when there is a warning, such as an out-of-date translation).
    """
    from lms.content.loader import load_content

    tree = load_content(directory or _default_content_dir())
    summary = tree.summary()
    failed = bool(tree.errors or (strict and tree.warnings))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": not failed,
                    "root": str(tree.root),
                    "summary": summary,
                    "questions_by_type": summary["questions_by_type"],
                    "problems": [
                        {**p.as_dict(), "file": _display_path(tree.root, p.path)}
                        for p in tree.problems
                    ],
                },
                indent=2,
            )
        )
    else:
        _print_problems(tree)
        if tree.errors:
            click.secho(
                f"{_counted(len(tree.errors), 'error')} (listed above): fix, then check "
                f"again. Loaded without errors: {_summary_text(summary)}.",
                fg="red",
                err=True,
            )
        elif failed:
            click.secho(
                f"{_counted(len(tree.warnings), 'warning')}, which --strict counts as failures "
                f"({_summary_text(summary)}).",
                fg="red",
                err=True,
            )
        else:
            click.secho(f"OK: {_summary_text(summary)}.", fg="green")
    sys.exit(1 if failed else 0)


@content.command("translation-hash", with_appcontext=False)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True))
def translation_hash(files):
    """Print the hash of an original FILE to paste as 'translation_of:' in its translations."""
    from lms.content.translations import HASH_LENGTH, file_hash

    for name in files:
        digest = file_hash(Path(name).read_bytes())[:HASH_LENGTH]
        click.echo(digest if len(files) == 1 else f"{digest}  {name}")


@content.command("sync")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@with_appcontext
def content_sync(directory):
    """Check DIRECTORY, then publish it to the database course by course.

    A course with errors is held back: learners keep its last good version (or do not see
    it yet) while every other course publishes; exits 1 when any course was held back. An
    error outside every course folder publishes nothing. Modules removed from git are
    archived and every learner's progress is kept.
    """
    from lms.publishing.sync import sync_content

    directory = directory or current_app.config["LMS_CONTENT_DIR"]
    click.echo(f"Checking and publishing {directory} ...")

    def progress(done, total):
        click.echo(f"  {done}/{total} courses", err=True)

    try:
        report = sync_content(directory, progress=progress)
        if not report.applied:
            db.session.rollback()
            _print_problems(report.tree)
            count = len(report.tree.global_errors)
            click.secho(
                f"{_counted(count, 'problem')} outside every course folder (listed above) "
                f"{'holds' if count == 1 else 'hold'} back every course: nothing was "
                "published; the database is unchanged.",
                fg="red",
                err=True,
            )
            sys.exit(1)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _print_problems(report.tree)
    for path in report.skipped:
        click.secho(
            f"Skipped {path}: it has errors (above); learners see the last good version "
            "of this translation, or the original.",
            fg="yellow",
            err=True,
        )
    if report.changed:
        for change in report.changes:
            click.echo(f"  {change}")
        counts = ", ".join(f"{v} {k}" for k, v in report.counts.items() if v)
        click.secho(f"Published: {counts}.", fg="green")
    elif report.held_back:
        click.echo("Nothing else to change: every other course is already published as it is.")
    else:
        click.secho(
            f"Nothing to change: the database already matches {directory} "
            f"({_summary_text(report.tree.summary())}).",
            fg="green",
        )
    for held in report.held_back:
        outcome = "learners keep its last good version" if held.live else "not on the site yet"
        click.secho(
            f"Held back: {held.course} ({_counted(len(held.problems), 'problem')}, "
            f"listed above): {outcome}.",
            fg="red",
            err=True,
        )
    if report.held_back:
        sys.exit(1)
