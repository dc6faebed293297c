"""Reading a quiz submission and grading it, on the server only (scoring rules: content/README.md)."""

import math
import random
import re

from flask_babel import gettext as _

from lms.content.quizformat import CREDIT_SLACK, normalise_answer

TEXT_LIMITS = {"short": 500, "numeric": 100, "reflection": 10_000}
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")


class SubmissionError(ValueError):
    """A submission the form could not have produced; the message is for people."""


#: Sent by the quiz's "Submit anyway" button (and by lms.js after its prompt): grade the
#: attempt even though some questions are not answered.
CONFIRM_UNANSWERED = "confirm_unanswered"
#: Fields of the quiz form that are not answers.
_FORM_FIELDS = {"csrf_token", CONFIRM_UNANSWERED}


#: Layout entries carry this version; an open attempt with an older layout is laid out again.
LAYOUT_VERSION = 2


def make_layout(questions: list[dict], shuffle: bool, seed: str | None = None) -> list[dict]:
    """The order questions, choices and matching answers appear in: stable for an attempt.

    ``shuffle`` decides the order of the questions. Choices and matching answers are always
    shuffled, whatever the quiz says: the page sends display positions, which
    :func:`parse_submission` maps back through this layout, so neither the order an author
    wrote nor a value on the page tells a right answer from a wrong one. Without a ``seed``
    the order comes from the system's random source (a stored layout needs no seed).
    """
    if seed is None:
        rng: random.Random = random.SystemRandom()
    else:
        rng = random.Random(seed)  # noqa: S311 - benchmarks and tests only  # nosec B311
    order = list(range(len(questions)))
    if shuffle:
        rng.shuffle(order)
    layout = []
    for index in order:
        question = questions[index]
        entry = {"id": question["id"], "v": LAYOUT_VERSION}
        if "choices" in question:
            choices = list(range(len(question["choices"])))
            rng.shuffle(choices)
            entry["choices"] = choices
        if question["type"] == "matching":
            rights = list(range(len(question["pairs"])))
            rng.shuffle(rights)
            entry["rights"] = rights
        layout.append(entry)
    return layout


def layout_is_current(layout) -> bool:
    """Whether a stored layout maps display positions (older ones showed source indices)."""
    return bool(layout) and all(entry.get("v") == LAYOUT_VERSION for entry in layout)


def field_names(question: dict) -> list[str]:
    if question["type"] == "matching":
        return [f"q-{question['id']}-{i}" for i in range(len(question["pairs"]))]
    return [f"q-{question['id']}"]


def _index(value: str, size: int, question: dict, order: list[int] | None = None) -> int:
    """The source index of the choice shown at display position ``value`` (via ``order``)."""
    try:
        index = int(value) if value.isascii() and value.isdigit() and len(value) < 6 else -1
    except (TypeError, ValueError, AttributeError):
        index = -1
    if order is not None and len(order) == size and 0 <= index < size:
        index = order[index]
    if not 0 <= index < size:
        raise SubmissionError(
            _(
                "The answer to question “%(id)s” names a choice that does not exist.",
                id=question["id"],
            )
        )
    return index


def parse_number(text: str, unit: str | None = None, aliases=()) -> float | None:
    """``"1,5"`` -> 1.5; ``"12 mm"`` -> 12.0 when the unit is ``mm`` (or one of ``aliases``,
    the units of the quiz's translations); else ``None``."""
    match = _NUMBER.match(text.replace("\u202f", "").replace("\u00a0", ""))
    if not match:
        return None
    number, rest = match.groups()
    units = {u.casefold() for u in (unit, *aliases) if u}
    if rest and rest not in ("°", "%") and rest.casefold() not in units:
        return None
    try:
        value = float(number.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_submission(
    questions: list[dict], form, layout: list[dict] | None = None
) -> dict[str, dict | None]:
    """Turn the posted form into one response per question (``None``: not answered).

    With the attempt's ``layout``, choice and matching values are display positions and are
    mapped back to the author's order here, so grading and stored responses use source
    indices. Raises :class:`SubmissionError` for anything the quiz form could not have sent.
    """
    entries = {e["id"]: e for e in layout or [] if e.get("v") == LAYOUT_VERSION}
    allowed = {name for q in questions for name in field_names(q)}
    for key in form.keys():
        if key not in _FORM_FIELDS and key not in allowed:
            raise SubmissionError(
                _(
                    "The form sent an answer to “%(field)s”, which is not a "
                    "question of this attempt.",
                    field=key[:60],
                )
            )
    responses: dict[str, dict | None] = {}
    for question in questions:
        qtype, names = question["type"], field_names(question)
        values = [form.getlist(name) for name in names]
        if qtype != "multiple" and any(len(v) > 1 for v in values):
            raise SubmissionError(
                _(
                    "Question “%(id)s” was answered more than once in one submission.",
                    id=question["id"],
                )
            )
        first = values[0][0] if values[0] else ""
        entry = entries.get(question["id"], {})
        order, rights = entry.get("choices"), entry.get("rights")
        if qtype == "single":
            responses[question["id"]] = (
                {"choice": _index(first, len(question["choices"]), question, order)}
                if first
                else None
            )
        elif qtype == "multiple":
            picked = [_index(v, len(question["choices"]), question, order) for v in values[0]]
            if len(set(picked)) != len(picked):
                raise SubmissionError(
                    _("Question “%(id)s” names the same choice twice.", id=question["id"])
                )
            responses[question["id"]] = {"choices": sorted(picked)} if picked else None
        elif qtype == "truefalse":
            if first not in ("", "true", "false"):
                raise SubmissionError(
                    _("The answer to question “%(id)s” must be true or false.", id=question["id"])
                )
            responses[question["id"]] = {"answer": first == "true"} if first else None
        elif qtype == "matching":
            matches = [
                _index(v[0], len(question["pairs"]), question, rights) if v and v[0] else None
                for v in values
            ]
            responses[question["id"]] = (
                {"matches": matches} if any(m is not None for m in matches) else None
            )
        else:
            if len(first) > TEXT_LIMITS[qtype]:
                raise SubmissionError(
                    _(
                        "The answer to question “%(id)s” is longer than %(limit)d characters.",
                        id=question["id"],
                        limit=TEXT_LIMITS[qtype],
                    )
                )
            text = first.strip()
            if not text:
                responses[question["id"]] = None
            elif qtype == "numeric":
                responses[question["id"]] = {
                    "text": text,
                    "value": parse_number(text, question.get("unit"), question.get("units", ())),
                }
            else:
                responses[question["id"]] = {"text": text}
    return responses


def choice_credits(question: dict) -> list[float]:
    """Each choice's credit in percent, as the scoring rules define it."""
    choices = question["choices"]
    if choices and choices[0].get("credit") is not None:
        return [float(c["credit"]) for c in choices]
    if question["type"] == "single":
        return [100.0 if c["correct"] else 0.0 for c in choices]
    right = sum(1 for c in choices if c["correct"])
    wrong = len(choices) - right
    return [100.0 / right if c["correct"] else (-100.0 / wrong) for c in choices]


def matching_answer(question: dict, response: dict | None, kind: str):
    """The accepted short answer or numeric target that gives the best credit."""
    if not response:
        return None
    best = None
    for answer in question["answers"]:
        if kind == "short":
            hit = normalise_answer(answer["text"]) == normalise_answer(response["text"])
        else:
            value = response.get("value")
            if value is None:
                hit = False
            elif "value" in answer:
                hit = abs(value - answer["value"]) <= answer["tolerance"] + 1e-9 * max(
                    1.0, abs(answer["value"])
                )
            else:
                hit = answer["min"] - 1e-9 <= value <= answer["max"] + 1e-9
        if hit and (best is None or answer["credit"] > best["credit"]):
            best = answer
    return best


def grade(question: dict, response: dict | None) -> tuple[float, float, bool | None]:
    """``(score, max_score, correct)`` for one answer; reflections are not graded."""
    qtype = question["type"]
    points = float(question.get("points") or 0)
    if qtype == "reflection":
        return 0.0, 0.0, None
    if response is None:
        return 0.0, points, False
    if qtype == "single":
        credit = choice_credits(question)[response["choice"]]
        fraction, correct = max(0.0, credit) / 100, credit >= 100 - CREDIT_SLACK
    elif qtype == "multiple":
        credits = choice_credits(question)
        total = sum(credits[i] for i in response["choices"])
        fraction = min(1.0, max(0.0, total / 100))
        expected = {i for i, c in enumerate(credits) if c > 0}
        correct = set(response["choices"]) == expected
    elif qtype == "truefalse":
        correct = response["answer"] == question["answer"]
        fraction = 1.0 if correct else 0.0
    elif qtype in ("short", "numeric"):
        best = matching_answer(question, response, qtype)
        fraction = max(0.0, best["credit"]) / 100 if best else 0.0
        correct = best is not None and best["credit"] >= 100 - CREDIT_SLACK
    elif qtype == "matching":
        matches = response["matches"]
        right = sum(1 for i, m in enumerate(matches) if m == i)
        fraction = right / len(question["pairs"])
        correct = right == len(question["pairs"])
    else:  # pragma: no cover - parse_quiz admits no other type
        raise ValueError(qtype)
    return round(fraction * points, 4), points, correct
