"""The quiz file format (``NN-slug.quiz.yml``): its fields, types and limits.

The format is documented for authors in ``content/README.md``.
"""

from lms.content.schema import (
    Field,
    choice,
    is_number,
    text,
)

QUESTION_TYPES = (
    "single",
    "multiple",
    "truefalse",
    "short",
    "numeric",
    "matching",
    "reflection",
)
REVEAL_OPTIONS = ("after_each_attempt", "after_passing", "never")
MAX_QUESTIONS = 200


def _pass_mark(value):
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        return f"must be a whole percentage from 0 to 100 (got {value!r})"
    return None


def _attempts(value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return f"must be 0 (unlimited) or a positive whole number (got {value!r})"
    return None


def _boolean(value):
    return None if isinstance(value, bool) else f"must be true or false (got {value!r})"


def _points(value):
    if not is_number(value) or value <= 0:
        return f"must be a number greater than 0 (got {value!r})"
    return None


QUIZ_FIELDS = {
    "pass_mark": Field(_pass_mark, required=False),
    "max_attempts": Field(_attempts, required=False),
    "shuffle": Field(_boolean, required=False),
    "reveal": Field(choice(*REVEAL_OPTIONS), required=False),
    "questions": Field(lambda v: None, required=True),
}

COMMON_KEYS = ("id", "type", "prompt", "points", "explanation")
TYPE_KEYS = {
    "single": ("choices",),
    "multiple": ("choices",),
    "truefalse": ("answer", "correct_feedback", "incorrect_feedback"),
    "short": ("answers",),
    "numeric": ("value", "tolerance", "range", "answers", "unit"),
    "matching": ("pairs",),
    "reflection": (),
}


def _credit(value):
    if not is_number(value) or not -100 <= value <= 100:
        return f"must be a percentage from -100 to 100 (got {value!r})"
    return None


CHOICE_FIELDS = {
    "text": Field(text(1000)),
    "correct": Field(_boolean, required=False),
    "credit": Field(_credit, required=False),
    "feedback": Field(text(2000), required=False),
}
SHORT_ANSWER_FIELDS = {
    "text": Field(
        lambda v: (
            None
            if isinstance(v, str | int | float) and not isinstance(v, bool) and str(v).strip()
            else "must be non-empty text"
        )
    ),
    "credit": Field(_credit, required=False),
    "feedback": Field(text(2000), required=False),
}
NUMERIC_ANSWER_FIELDS = {
    "value": Field(
        lambda v: None if is_number(v) else f"must be a number (got {v!r})", required=False
    ),
    "tolerance": Field(
        lambda v: None if is_number(v) and v >= 0 else "must be a number of 0 or more",
        required=False,
    ),
    "range": Field(lambda v: None, required=False),
    "credit": Field(_credit, required=False),
    "feedback": Field(text(2000), required=False),
}
#: Credits within this distance of 100 count as full marks (GIFT writes 33.33333%).
CREDIT_SLACK = 0.5


def normalise_answer(value: str) -> str:
    """How ``short`` answers compare: case-folded, inner white space collapsed."""
    return " ".join(str(value).split()).casefold()
