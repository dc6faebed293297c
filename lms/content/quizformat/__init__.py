"""The native quiz file format (``NN-slug.quiz.yml``): read (:func:`parse_quiz`) and write
(:func:`dump_quiz`). Documented for authors in ``content/README.md``.

Only the file format lives here; grading answers against it is :mod:`lms.quizzes.grading`.
"""

from lms.content.quizformat.fields import (
    CREDIT_SLACK,
    MAX_QUESTIONS,
    QUESTION_TYPES,
    REVEAL_OPTIONS,
    normalise_answer,
)
from lms.content.quizformat.reader import parse_quiz
from lms.content.quizformat.writer import dump_markdown, dump_module, dump_quiz
from lms.content.schema import SLUG_RE

__all__ = [
    "CREDIT_SLACK",
    "MAX_QUESTIONS",
    "QUESTION_TYPES",
    "REVEAL_OPTIONS",
    "SLUG_RE",
    "dump_markdown",
    "dump_module",
    "dump_quiz",
    "normalise_answer",
    "parse_quiz",
]
