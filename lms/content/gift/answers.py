"""The answer part of a GIFT question: choices, true/false, short, numeric, matching."""

import math
import re

from lms.content.gift.text import (
    _NUMBER_RE,
    MAX_NUMBER_LENGTH,
    TRUEFALSE,
    _tidy,
    _unprotect,
)
from lms.content.quizformat import CREDIT_SLACK, normalise_answer


class AnswerParsers:
    """Mixed into :class:`~lms.content.gift.question.GiftQuestion`: one method per answer kind."""

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
