"""One GIFT block: a question or a description, with its helpers."""

import html
import re

from lms.content.gift.answers import AnswerParsers
from lms.content.gift.text import (
    _BLANK,
    _COMMENT,
    _TAG_RE,
    _WEIGHT_RE,
    BLANK,
    TRUEFALSE,
    Description,
    _escape_markdown,
    _split_format,
    _tidy,
    _unprotect,
    slugify,
)
from lms.content.quizformat import dump_quiz, parse_quiz
from lms.content.yamlfile import YamlError, load_yaml


class GiftQuestion(AnswerParsers):
    """One blank-line separated block: a question or a description."""

    def __init__(self, reader, first_line: int, lines: list[str], category):
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
