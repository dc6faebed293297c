"""Read Moodle GIFT files into native quiz questions (see ``content/README.md``).

:func:`parse_gift` follows Moodle's own importer (``question/format/gift/format.php``) and
returns, per ``$CATEGORY``, the questions in the normalised form of
:func:`lms.content.quizfile.parse_quiz` plus the description texts, and every problem with its
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

import html
import math
import re
import textwrap
import unicodedata
from typing import NamedTuple

from lms.content.problems import Problem
from lms.content.quizfile import CREDIT_SLACK, normalise_answer, parse_quiz
from lms.content.quizwriter import dump_quiz
from lms.content.yamlfile import YamlError, load_yaml

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


class _Reader:
    """Parses one GIFT file, collecting problems."""

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.filename, line, message, "error"))

    def warning(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.filename, line, message, "warning"))

    def read(self, text: str) -> list[GiftCategory]:
        categories: dict[str | None, GiftCategory] = {}
        current: str | None = None
        for first_line, lines in _blocks(text):
            category_line = lines[0].strip()
            if category_line.startswith("$CATEGORY:"):
                current = _category_name(category_line[len("$CATEGORY:") :])
                continue
            if all(line.strip() == _COMMENT for line in lines):
                continue
            category = categories.get(current)
            if category is None:
                category = categories[current] = GiftCategory(current, [], [])
            _Question(self, first_line, lines, category).parse()
        return [c for c in categories.values() if c.questions or c.descriptions]


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


class _Question:
    """One blank-line separated block: a question or a description."""

    def __init__(self, reader: _Reader, first_line: int, lines: list[str], category):
        self.reader = reader
        self.first_line = first_line
        self.text = "\n".join(lines)
        self.category = category
        self.format = "moodle"
        #: Where the question starts: its first line that is not a comment.
        self.line = first_line + next(i for i, v in enumerate(lines) if v.strip() != _COMMENT)
        self.errors = 0

    # -- helpers ---------------------------------------------------------------------------

    def line_at(self, pos: int) -> int:
        """The file line of position ``pos`` in this block (skipping leading space)."""
        match = re.compile(r"[^\s" + _COMMENT + "]").search(self.text, pos)
        if match:
            pos = match.start()
        return self.first_line + self.text.count("\n", 0, pos)

    def error(self, pos_or_line: int, message: str, *, is_line: bool = False) -> None:
        self.errors += 1
        self.reader.error(pos_or_line if is_line else self.line_at(pos_or_line), message)

    def warning(self, pos: int, message: str) -> None:
        self.reader.warning(self.line_at(pos), message)

    def markdown(self, raw: str) -> str:
        """A text part (prompt, choice, feedback) as markdown, in this question's format."""
        fmt, text = _split_format(_tidy(raw), self.format)
        text = _tidy(_unprotect(text))
        if fmt == "plain":
            text = _escape_markdown(text)
        if _BLANK in text:
            alone = re.search(rf"(^|\n)[ \t]*{_BLANK}[ \t]*(\n|$)", text)
            text = text.replace(_BLANK, "\\_" * len(BLANK) if alone else BLANK)
        return text

    def plain(self, raw: str, pos: int) -> str:
        """A text compared or shown as it is (short answers, matching pairs)."""
        fmt, text = _split_format(_tidy(raw), self.format)
        text = _tidy(_unprotect(text))
        if fmt == "html" and _TAG_RE.search(text):
            self.warning(pos, "HTML in a matching pair or short answer is reduced to its text")
            text = " ".join(html.unescape(_TAG_RE.sub(" ", text)).split())
        return text

    def split(self, start: int, end: int, markers: str):
        """Split ``text[start:end]`` at each marker: ``[(marker or None, raw, pos), ...]``."""
        pieces, marker, piece_start = [], None, start
        for pos in range(start, end):
            if self.text[pos] in markers:
                pieces.append((marker, self.text[piece_start:pos], piece_start))
                marker, piece_start = self.text[pos], pos + 1
        pieces.append((marker, self.text[piece_start:end], piece_start))
        return pieces

    def weight(self, raw: str, pos: int):
        """``(weight or None, rest)`` from ``%50%rest``; ``(False, raw)`` after an error."""
        match = _WEIGHT_RE.match(raw)
        if not match:
            return None, raw
        value = match.group(1).strip()
        if not re.fullmatch(r"-?\d+(?:\.\d+)?", value) or not -100 <= float(value) <= 100:
            self.error(pos, f"weight '%{value}%' must be a percentage from -100 to 100")
            return False, raw
        number = float(value) if "." in value else int(value)
        return number, raw[match.end() :]

    def feedback(self, raw: str) -> tuple[str, str | None]:
        """Split ``answer #feedback``; the feedback is markdown, ``None`` when empty."""
        answer, _, feedback = raw.partition("#")
        return answer, (self.markdown(feedback) or None) if feedback else None

    # -- the question ----------------------------------------------------------------------

    def parse(self) -> None:
        title = None
        start = head = re.compile(r"[\s" + _COMMENT + "]*").match(self.text).end()
        if self.text.startswith("::", head):
            close = self.text.find("::", head + 2)
            if close < 0:
                self.error(head, "the title opened with '::' is not closed with '::'")
                return
            title = _tidy(_unprotect(self.text[head + 2 : close])) or None
            start = close + 2
        braces = self.answer_block(start)
        if braces is None:
            return
        if "@@PLUGINFILE@@" in self.text:
            self.warning(
                start,
                "refers to a file stored in Moodle (@@PLUGINFILE@@), which a "
                "GIFT file does not carry; add the file beside the module and "
                "fix the link",
            )
        if braces == ():
            self.description(start, title)
            return
        open_pos, close_pos = braces
        after = self.text[close_pos + 1 :]
        prompt_raw = self.text[start:open_pos]
        if _tidy(after):
            prompt_raw += _BLANK + after
        fmt, _ = _split_format(_tidy(prompt_raw), "moodle")
        self.format = fmt
        prompt = self.markdown(prompt_raw)
        inner_start, inner_end = open_pos + 1, close_pos
        explanation = None
        general = self.text.rfind("####", inner_start, inner_end)
        if general >= 0:
            explanation = self.markdown(self.text[general + 4 : inner_end]) or None
            inner_end = general
        question = {
            "id": None,
            "type": None,
            "prompt": prompt,
            "points": 1,
            "explanation": explanation,
            "line": self.line,
        }
        if not prompt:
            self.error(self.line, "the question has no text", is_line=True)
        inner = self.text[inner_start:inner_end]
        body = _tidy(inner)
        if not body:
            question.update(type="reflection", points=0)
        elif body.startswith("#"):
            self.numeric(question, inner_start + inner.index("#") + 1, inner_end)
        elif "~" in body:
            self.choices(question, inner_start, inner_end)
        elif "=" in body and "->" in body:
            self.matching(question, inner_start, inner_end)
        elif body.partition("#")[0].strip().upper() in TRUEFALSE:
            self.truefalse(question, body)
        else:
            self.short(question, inner_start, inner_end)
        if self.errors:
            return
        question["id"] = self.question_id(title)
        self.check_native(question)
        if not self.errors:
            self.category.questions.append(question)

    def answer_block(self, start: int):
        """``(open, close)`` positions, ``()`` for none, ``None`` after an error."""
        opens = [m.start() for m in re.finditer(r"\{", self.text[start:])]
        closes = [m.start() for m in re.finditer(r"\}", self.text[start:])]
        if not opens and not closes:
            return ()
        depth, open_set = 0, set(opens)
        for pos in sorted(opens + closes):
            depth += 1 if pos in open_set else -1
            if depth < 0:
                self.error(
                    start + pos, "'}' without an opening '{' (write \\} for a brace in the text)"
                )
                return None
            if depth > 1:
                self.error(
                    start + pos, "'{' inside an answer block (write \\{ for a brace in the text)"
                )
                return None
        if depth:
            self.error(
                start + opens[-1],
                "'{' is not closed before the end of the question "
                "(a blank line ends a question; write \\{ for a "
                "brace in the text)",
            )
            return None
        if len(opens) > 1:
            self.error(
                start + opens[1],
                "a question has one answer block {...}; this is a "
                "second one (write \\{ for a brace in the text)",
            )
            return None
        return start + opens[0], start + closes[0]

    def description(self, start: int, title: str | None) -> None:
        """Text for the module page; its title, unless the text repeats it, as a heading."""
        text = self.markdown(self.text[start:])
        if title and not text.startswith(title):
            text = f"## {title}\n\n{text}".strip()
        if text:
            self.category.descriptions.append(Description(text, self.line))

    def question_id(self, title: str | None) -> str:
        """The title's slug, or ``qN`` by position; made unique within the module."""
        taken = {q["id"] for q in self.category.questions}
        base = title and slugify(title)
        if not base:
            n = len(self.category.questions) + 1
            while f"q{n}" in taken:
                n += 1
            return f"q{n}"
        qid, n = base, 2
        while qid in taken:
            qid, n = f"{base}-{n}", n + 1
        return qid

    def check_native(self, question: dict) -> None:
        """Anything our quiz format still rejects (lengths, duplicates...) is an error here."""
        try:
            _, messages = parse_quiz(load_yaml(dump_quiz({"questions": [question]})), "")
        except YamlError as exc:  # pragma: no cover - dump_quiz writes valid YAML
            messages = [(exc.line, exc.message)]
        for _, message in messages:
            self.error(self.line, f"cannot be imported: {message}", is_line=True)

    def leading_text(self, raw: str, pos: int, expected: str) -> None:
        if _tidy(raw):
            self.error(
                pos,
                f"unexpected text {_tidy(_unprotect(raw))!r} before the first "
                f"answer: start each answer with {expected}",
            )

    # -- the answer blocks -----------------------------------------------------------------

    def choices(self, question: dict, start: int, end: int) -> None:
        leading, *pieces = self.split(start, end, "=~")
        self.leading_text(leading[1], leading[2], "'=' (right) or '~' (wrong)")
        choices, seen, weighted = [], {}, False
        for marker, raw, pos in pieces:
            weight, raw = self.weight(raw, pos)
            if weight is False:
                continue
            weighted = weighted or weight is not None
            text, feedback = self.feedback(raw)
            text = self.markdown(text)
            if not text:
                self.error(pos, f"an answer '{marker}' has no text")
                continue
            if normalise_answer(text) in seen:
                self.error(
                    pos, f"duplicate answer {text!r} (also on line {seen[normalise_answer(text)]})"
                )
                continue
            seen[normalise_answer(text)] = self.line_at(pos)
            credit = weight if weight is not None else (100 if marker == "=" else 0)
            choices.append({"text": text, "credit": credit, "feedback": feedback, "marker": marker})
        if self.errors:
            return
        if len(choices) < 2:
            self.error(start, "a multiple-choice question needs at least 2 answers")
            return
        positive = [c for c in choices if c["credit"] > 0]
        full = [c for c in choices if c["credit"] >= 100 - CREDIT_SLACK]
        single = any(c["marker"] == "=" for c in choices) or len(positive) < 2
        question["type"] = "single" if single else "multiple"
        if single and len(full) != 1:
            detail = "none is" if not full else f"{len(full)} are"
            self.error(
                start,
                f"a single-answer question needs exactly one 100% answer; "
                f"{detail} (use =right once, or ~%N% weights that add up to 100 "
                "for several right answers)",
            )
            return
        if not single:
            total = sum(c["credit"] for c in positive)
            if abs(total - 100) > CREDIT_SLACK * len(choices):
                self.error(
                    start,
                    f"the positive weights of a multiple-answer question must "
                    f"add up to 100% (they add up to {total:g}%)",
                )
                return
        question["choices"] = [
            {
                "text": c["text"],
                "correct": c["credit"] >= 100 - CREDIT_SLACK if single else c["credit"] > 0,
                "credit": c["credit"] if weighted or not single else None,
                "feedback": c["feedback"],
            }
            for c in choices
        ]

    def truefalse(self, question: dict, body: str) -> None:
        value, _, rest = body.partition("#")
        wrong, _, right = rest.partition("#")
        question.update(
            type="truefalse",
            answer=TRUEFALSE[value.strip().upper()],
            correct_feedback=self.markdown(right) or None,
            incorrect_feedback=self.markdown(wrong) or None,
        )

    def weighted_answers(self, start: int, end: int, what: str):
        """``(weight, raw without weight, pos)`` for ``=``-separated answers (short, numeric)."""
        leading, *pieces = self.split(start, end, "=")
        if _tidy(leading[1]):
            pieces.insert(0, leading)  # Moodle reads a first answer without '='
        for _marker, raw, pos in pieces:
            if not _tidy(raw):
                self.error(pos, f"an answer '=' of this {what} question is empty")
                continue
            weight, raw = self.weight(raw, pos)
            if weight is not False:
                yield (100 if weight is None else weight), raw, pos

    def require_full_credit(self, answers: list, pos: int, what: str) -> None:
        if answers and not any(a["credit"] >= 100 - CREDIT_SLACK for a in answers):
            self.error(
                pos,
                f"a {what} question needs at least one answer worth 100% (=answer or =%100%answer)",
            )

    def short(self, question: dict, start: int, end: int) -> None:
        answers, seen = [], {}
        for credit, raw, pos in self.weighted_answers(start, end, "short-answer"):
            text, feedback = self.feedback(raw)
            text = self.plain(text, pos)
            if text == "*":
                self.warning(
                    pos,
                    "the catch-all answer '*' (and its feedback) is dropped: "
                    "other answers simply score 0",
                )
                continue
            if "*" in text:
                self.warning(pos, f"'*' in {text!r} is matched literally, not as a wildcard")
            if not text:
                self.error(pos, "an accepted answer has no text")
                continue
            key = normalise_answer(text)
            if key in seen:
                self.error(pos, f"duplicate answer {text!r} (also on line {seen[key]})")
                continue
            seen[key] = self.line_at(pos)
            answers.append({"text": text, "credit": credit, "feedback": feedback})
        if not self.errors:
            self.require_full_credit(answers, start, "short-answer")
            if not answers:
                self.error(start, "a short-answer question needs at least one answer")
        question.update(type="short", answers=answers)

    def number(self, raw: str, pos: int):
        text = _unprotect(raw).strip()
        if not _NUMBER_RE.fullmatch(text):
            hint = (
                " (write a decimal point, not a comma)" if re.fullmatch(r"-?\d+,\d+", text) else ""
            )
            self.error(pos, f"{text!r} is not a number{hint}")
            return None
        if len(text) > MAX_NUMBER_LENGTH or not math.isfinite(float(text)):
            self.error(pos, f"{text[:20]!r}... is too large a number")
            return None
        return int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)

    def numeric(self, question: dict, start: int, end: int) -> None:
        other = self.text.find("~", start, end)
        if other >= 0:
            self.warning(
                other,
                "feedback for any other answer (~#...) is dropped: our numeric "
                "questions give feedback only on the answers they list",
            )
            end = other
        answers = []
        for credit, raw, pos in self.weighted_answers(start, end, "numeric"):
            target, feedback = self.feedback(raw)
            target = _tidy(_unprotect(target))
            if target.find("..") > 0:
                low_text, _, high_text = target.partition("..")
                low, high = self.number(low_text, pos), self.number(high_text, pos)
                if low is None or high is None:
                    continue
                if low > high:
                    self.error(pos, f"the range {target} runs backwards: write min..max")
                    continue
                entry = {"min": low, "max": high}
            else:
                value_text, has_tolerance, tolerance_text = target.partition(":")
                value = self.number(value_text, pos)
                tolerance = self.number(tolerance_text, pos) if has_tolerance else 0
                if value is None or tolerance is None:
                    continue
                if tolerance < 0:
                    self.error(pos, f"the tolerance in {target} must be 0 or more")
                    continue
                entry = {"value": value, "tolerance": tolerance}
            answers.append({**entry, "credit": credit, "feedback": feedback})
        if not self.errors:
            self.require_full_credit(answers, start, "numeric")
            if not answers:
                self.error(start, "a numeric question needs at least one answer after '#'")
        question.update(type="numeric", answers=answers, unit=None)

    def matching(self, question: dict, start: int, end: int) -> None:
        leading, *pieces = self.split(start, end, "=")
        self.leading_text(leading[1], leading[2], "'=' (=left -> right)")
        pairs, lefts, rights = [], {}, {}
        for _marker, raw, pos in pieces:
            left_raw, arrow, right_raw = raw.partition("->")
            if not arrow:
                self.error(
                    pos, f"a matching pair needs 'left -> right' (got {_tidy(_unprotect(raw))!r})"
                )
                continue
            if "#" in right_raw:
                right_raw, _, dropped = right_raw.partition("#")
                self.warning(
                    pos,
                    f"feedback on a matching pair is dropped "
                    f"({_tidy(_unprotect(dropped))!r}); put it in the general "
                    "feedback (####) instead",
                )
            left, right = self.plain(left_raw, pos), self.plain(right_raw, pos)
            if not right:
                self.error(pos, "a matching pair has no right-hand side")
                continue
            if not left:
                self.warning(
                    pos,
                    f"the extra right-hand answer {right!r} (a distractor "
                    "without a left side) is dropped",
                )
                continue
            for side, value, seen in (("left", left, lefts), ("right", right, rights)):
                key = normalise_answer(value)
                if key in seen:
                    self.error(pos, f"duplicate {side} side {value!r} (also on line {seen[key]})")
                seen[key] = self.line_at(pos)
            pairs.append([left, right])
        if not self.errors and len(pairs) < 2:
            self.error(start, f"a matching question needs at least 2 pairs; it has {len(pairs)}")
        question.update(type="matching", pairs=pairs)


def parse_gift(text: str, filename: str):
    """Read GIFT ``text``: ``([GiftCategory(name, questions, descriptions), ...], problems)``.

    Questions are in :func:`parse_quiz`'s normalised form, with ``line`` their GIFT line.
    """
    reader = _Reader(filename)
    categories = reader.read(text)
    return categories, sorted(reader.problems, key=lambda p: p.line)
