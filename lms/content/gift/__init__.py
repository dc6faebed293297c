"""Read Moodle GIFT question banks (see :mod:`lms.content.gift.text` for the format notes)."""

from lms.content.gift.question import GiftQuestion
from lms.content.gift.text import (
    _COMMENT,
    Description,
    GiftCategory,
    _blocks,
    _category_name,
    category_title,
    slugify,
)
from lms.content.problems import Problem

__all__ = ["Description", "GiftCategory", "category_title", "parse_gift", "slugify"]


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
            GiftQuestion(self, first_line, lines, category).parse()
        return [c for c in categories.values() if c.questions or c.descriptions]


def parse_gift(text: str, filename: str):
    """Read GIFT ``text``: ``([GiftCategory(name, questions, descriptions), ...], problems)``.

    Questions are in :func:`parse_quiz`'s normalised form, with ``line`` their GIFT line.
    """
    reader = _Reader(filename)
    categories = reader.read(text)
    return categories, sorted(reader.problems, key=lambda p: p.line)
