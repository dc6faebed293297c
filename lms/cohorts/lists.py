"""What the matrix shows: search, filter, sort, and one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lms.cohorts.reports import LearnerRow

#: Learners per page of the matrix.
PAGE_SIZE = 100

SORT_KEYS = {
    "name": lambda r: r.user.name.casefold(),
    "progress": lambda r: r.percent,
    "score": lambda r: -1 if r.average_score is None else r.average_score,
    "activity": lambda r: r.last_active.timestamp() if r.last_active else 0,
    "risk": lambda r: len(r.risks),
}
FILTERS = ("all", "at_risk", "not_started", "completed")


def matrix_args(source) -> dict:
    """The matrix's search, filter and sort from request values, unknown ones as the default."""
    show, sort = source.get("show", "all"), source.get("sort", "name")
    return {
        "query": source.get("q", "")[:100],
        "show": show if show in FILTERS else "all",
        "sort": sort if sort in SORT_KEYS else "name",
        "descending": source.get("dir") == "desc",
    }


def filter_rows(
    rows: list[LearnerRow],
    query: str = "",
    show: str = "all",
    sort: str = "name",
    descending: bool = False,
) -> list[LearnerRow]:
    """What the matrix shows (and the CSV exports hold): search, filter, then sort."""
    needle = query.strip().casefold()
    result = [
        r
        for r in rows
        if not needle or needle in r.user.name.casefold() or needle in r.user.email.casefold()
    ]
    if show == "at_risk":
        result = [r for r in result if r.at_risk]
    elif show == "not_started":
        result = [r for r in result if not r.started]
    elif show == "completed":
        result = [r for r in result if r.total and r.completed == r.total]
    key = SORT_KEYS.get(sort, SORT_KEYS["name"])
    return sorted(result, key=lambda r: (key(r), r.user.name.casefold()), reverse=descending)


@dataclass
class Page:
    """One page of the matrix's rows."""

    rows: list[LearnerRow]
    number: int
    pages: int
    total: int  #: rows over all pages
    first: int  #: position of the first row shown, from 1 (0 when there is none)
    last: int

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and those around this one; ``None`` for a
        gap."""
        wanted = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        shown: list[int | None] = []
        for n in sorted(n for n in wanted if 1 <= n <= self.pages):
            if shown and n - shown[-1] > 1:
                shown.append(None if n - shown[-1] > 2 else n - 1)
            shown.append(n)
        return shown


def page_of(rows: list[LearnerRow], number: int, size: int = PAGE_SIZE) -> Page:
    """Page ``number`` of ``rows``, clamped to the pages there are."""
    pages = max(1, -(-len(rows) // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    shown = rows[start : start + size]
    return Page(
        rows=shown,
        number=number,
        pages=pages,
        total=len(rows),
        first=start + 1 if shown else 0,
        last=start + len(shown),
    )
