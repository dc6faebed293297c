"""The health of the translation catalogues (``lms/translations``), without an app.

Used by ``lms translations status`` (and so ``make translations``) and by the test that keeps
the shipped languages complete.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

#: Where the catalogues live: ``<lang>/LC_MESSAGES/messages.po`` and the template ``messages.pot``.
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%%")


def placeholders(text: str) -> list[str]:
    """The ``%(name)s`` placeholders of a message, sorted (``%%`` counts as one too)."""
    return sorted(m.group(1) or "%" for m in _PLACEHOLDER.finditer(text or ""))


@dataclass
class CatalogueReport:
    """What a translator still has to do in one language's catalogue."""

    language: str
    total: int = 0
    #: msgids with an empty translation (or an empty or missing plural form).
    untranslated: list[str] = field(default_factory=list)
    #: msgids marked fuzzy: a guess from a similar old string, waiting for review.
    fuzzy: list[str] = field(default_factory=list)
    #: (msgid, what is wrong) where the translation's placeholders differ from the original's.
    placeholder_mismatches: list[tuple[str, str]] = field(default_factory=list)
    #: The number of plural forms the header declares.
    plural_forms: int = 0

    @property
    def translated(self) -> int:
        return self.total - len(self.untranslated)

    @property
    def complete(self) -> bool:
        return not (self.untranslated or self.fuzzy or self.placeholder_mismatches)


def check_catalogue(path: Path, language: str) -> CatalogueReport:
    """Count untranslated and fuzzy messages and check every translation's placeholders."""
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    report = CatalogueReport(language, plural_forms=catalog.num_plurals)
    if catalog.fuzzy:
        # pybabel compile skips a catalogue whose header is fuzzy (as `pybabel init` leaves it).
        report.fuzzy.append("(the catalogue header: remove its '#, fuzzy' line)")
    for message in catalog:
        if not message.id:
            continue  # the header
        report.total += 1
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        label = ids[0]
        if not all(strings) or (len(ids) > 1 and len(strings) < catalog.num_plurals):
            # a plural needs every form the language's rule can pick, not only the first two
            report.untranslated.append(label)
            continue
        if message.fuzzy:
            report.fuzzy.append(label)
        # Every form keeps the original's placeholders: in Slovenian the "one" form also
        # serves 101, 201..., so even a singular must show the number.
        expected = placeholders(ids[-1])
        for index, string in enumerate(strings):
            found = placeholders(string)
            if found != expected:
                report.placeholder_mismatches.append(
                    (label, f"form {index}: {found} instead of {expected}")
                )
    return report


def catalogue_reports(directory: Path = TRANSLATIONS_DIR) -> list[CatalogueReport]:
    """One report per language catalogue, in alphabetical order of language code."""
    return [
        check_catalogue(po, po.parent.parent.name)
        for po in sorted(directory.glob("*/LC_MESSAGES/messages.po"))
    ]
