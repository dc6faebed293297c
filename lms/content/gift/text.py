"""Read Moodle GIFT files into native quiz questions (see ``content/README.md``).

:func:`parse_gift` follows Moodle's own importer (``question/format/gift/format.php``) and
returns, per ``$CATEGORY``, the questions in the normalised form of
:func:`lms.content.quizformat.parse_quiz` plus the description texts, and every problem with its
line. The whole syntax is read:

- ``// comment`` lines; questions separated by blank lines; ``\\r\\n`` line ends and a BOM;
- ``::title::`` (the question id is its slug, made unique; untitled questions are ``q1``,
  ``q2``... by position in their module); ``$CATEGORY: a/b/c`` starts (or continues) a module;
  questions before any category go to one default module;
- ``{=right ~wrong}`` single choice; ``~%50%`` and ``~%-100%`` weights; several positive
  weights and no ``=`` make a multiple choice; ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}`` with
  ``#feedback for a wrong answer#feedback for a right answer``; ``{=a =%50%b}`` short answer;
  ``{=a -> b =c -> d}`` matching; ``{#5:0.5}``, ``{#1..3}`` and ``{#=%100%5:0 =%50%5:2}``
  numeric; ``{}`` essay (a ``reflection``); a question without braces is a description, written
  into the module's text; text after the braces makes a missing-word prompt with ``_____``;
- ``#feedback`` per answer, ``####general feedback`` (the ``explanation``), the escapes
  ``\\~ \\= \\# \\{ \\} \\: \\n \\\\``;
- ``[markdown]`` and ``[html]`` text is kept as it is (our markdown allows HTML, which is
  sanitized when published); ``[moodle]`` (Moodle's default) too, so its markdown-like
  characters take their markdown meaning; ``[plain]`` text is escaped to stay literal.

Errors skip the question, and the importer then writes nothing: unbalanced braces or a second
answer block, an unclosed ``::title``, text before the first ``=``/``~``, a weight that is not a
percentage from -100 to 100, a number that cannot be read, an empty answer, duplicate answers,
a single-choice question without exactly one 100% choice, multiple-choice weights that do not
add up to 100, short or numeric answers without one at 100%, a matching question with fewer
than 2 pairs or a pair without ``->``, a question without text, and anything else our quiz
format rejects.

Warnings import the question with a simplification: feedback on a matching pair, a matching
distractor (``= -> extra``), numeric feedback for any other answer (``~#...``) and the short
answer ``*`` catch-all are dropped; ``*`` inside a short answer is matched literally, not as a
wildcard; HTML in a matching pair or a short answer is reduced to its text; a link to an
``@@PLUGINFILE@@`` file (stored in Moodle, not in the GIFT file) is kept but needs fixing.

Beyond Moodle: ``T``/``TRUE``/``F``/``FALSE`` are read in any case, a ``$CATEGORY`` line needs
no blank line around it, a category seen twice adds to the same module, and ``=%N%`` in a
multiple-choice question is a weight (Moodle would read it as part of the answer text).
"""

import re
import textwrap
import unicodedata
from typing import NamedTuple

#: Escaped characters become private-use placeholders while the structure is parsed.
_ESCAPES = {
    "~": "\ue000",
    "=": "\ue001",
    "#": "\ue002",
    "{": "\ue003",
    "}": "\ue004",
    ":": "\ue005",
    "n": "\ue006",
    "\\": "\ue007",
}
_UNESCAPE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_ESCAPE_RE = re.compile(r"\\([~=#{}:n\\])")
#: A ``//`` comment line inside a question; removed from every text.
_COMMENT = "\ue008"
#: Where a missing-word blank goes, until the text around it is final.
_BLANK = "\ue009"
BLANK = "_____"

_FORMAT_RE = re.compile(r"\[(markdown|html|plain|moodle)\]")
_WEIGHT_RE = re.compile(r"\s*%([^%]*)%")
_NUMBER_RE = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_TAG_RE = re.compile(r"<[^>]*>")
TRUEFALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
MAX_ID_LENGTH = 60
#: Longer numbers are refused (Python will not even turn 4,300 digits into an int).
MAX_NUMBER_LENGTH = 40


class Description(str):
    """A description's markdown text, remembering the GIFT line it starts on."""

    line: int

    def __new__(cls, text: str, line: int):
        description = super().__new__(cls, text)
        description.line = line
        return description


class GiftCategory(NamedTuple):
    """One ``$CATEGORY`` (``None`` before any): its questions and description texts."""

    name: str | None
    questions: list[dict]
    descriptions: list[Description]


def slugify(text: str, max_length: int = MAX_ID_LENGTH) -> str:
    """Lower-case ASCII letters, digits and hyphens; ``""`` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def category_title(name: str) -> str:
    """The last part of a category path (``a/b/Basics`` -> ``Basics``; ``//`` is a slash)."""
    return name.replace("//", "\0").split("/")[-1].replace("\0", "/").strip()


def _category_name(raw: str) -> str | None:
    """``$course$/top/Default for X`` -> ``Default for X``; ``None`` for the top."""
    parts = raw.strip().replace("//", "\0").split("/")
    if parts and re.fullmatch(r"\$\w+\$", parts[0].strip()):
        parts = parts[1:]
    if parts and parts[0].strip() == "top":
        parts = parts[1:]
    parts = [p.strip() for p in parts if p.strip()]
    return "/".join(parts).replace("\0", "//") or None


def _unprotect(text: str) -> str:
    for placeholder, char in _UNESCAPE.items():
        text = text.replace(placeholder, char)
    return text


def _escape_markdown(text: str) -> str:
    """Plain text as markdown that renders the same characters."""
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text).replace("<", "&lt;")
    text = re.sub(r"([\\`*_{}\[\]|])", r"\\\1", text)
    lines = []
    for line in text.split("\n"):
        line = line.lstrip()
        if re.match(r"[#>+\-!]", line):
            line = "\\" + line
        elif re.fullmatch(r"=+\s*", line):
            line = "&#61;" + line[1:]
        elif line.startswith(":"):
            line = "&#58;" + line[1:]
        line = re.sub(r"^(\d+)([.)])", r"\1\\\2", line)
        lines.append(line)
    return "\n".join(lines)


def _tidy(text: str) -> str:
    """Drop comment lines and trailing spaces, dedent, strip."""
    lines = [line.rstrip() for line in text.split("\n") if line.strip() != _COMMENT]
    return textwrap.dedent("\n".join(lines)).strip()


def _split_format(text: str, default: str) -> tuple[str, str]:
    match = _FORMAT_RE.match(text)
    if match:
        return match.group(1), text[match.end() :]
    return default, text


def _blocks(text: str):
    """Yield ``(first line number, lines)`` per question; ``$CATEGORY`` lines stand alone."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("$CATEGORY:"):
            if block:
                yield start, block
            yield number, [stripped]
            block = []
        elif not stripped:
            if block:
                yield start, block
            block = []
        else:
            if not block:
                start = number
            block.append(
                _COMMENT
                if stripped.startswith("//")
                else _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], line)
            )
    if block:
        yield start, block
