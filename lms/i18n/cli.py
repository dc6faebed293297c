"""``lms translations status``: what each UI language still lacks."""

from pathlib import Path

import click
from flask.cli import AppGroup


@click.group(cls=AppGroup)
def translations():
    """The UI's translation catalogues (``make translations`` extracts and compiles them)."""


@translations.command("status", with_appcontext=False)
@click.option("--verbose", "-v", is_flag=True, help="List every message still to translate.")
@click.option(
    "--directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A translations folder to check instead of the app's (a translator's copy).",
)
def translations_status(verbose, directory):
    """How many messages each language still lacks, is unsure of (fuzzy) or gets wrong."""
    from lms.i18n.catalogues import TRANSLATIONS_DIR, catalogue_reports
    from lms.languages import UI_LANGUAGES

    for report in catalogue_reports(directory or TRANSLATIONS_DIR):
        share = 100 * report.translated // report.total if report.total else 0
        line = (
            f"{report.language}: {report.translated} of {report.total} translated ({share} %), "
            f"{len(report.untranslated)} untranslated, {len(report.fuzzy)} fuzzy, "
            f"{len(report.placeholder_mismatches)} with wrong placeholders "
            f"({report.plural_forms} plural forms)"
            + (", offered" if report.language in UI_LANGUAGES else "")
        )
        click.echo(click.style(line, fg="green") if report.complete else line)
        if verbose:
            for msgid in report.untranslated:
                click.echo(f"  untranslated: {msgid}")
            for msgid in report.fuzzy:
                click.echo(f"  fuzzy: {msgid}")
            for msgid, problem in report.placeholder_mismatches:
                click.echo(f"  placeholders: {msgid}: {problem}")
