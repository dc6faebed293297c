"""Suggestions with reasons: which challenges and people fit a profile best, and why.

Plain data in, plain data out, so the ranking can be tested on a held-back set of pairs. The
score adds up parts a person can check: shared tags, a challenge's needed skills the person has,
shared training areas, a verified course in the challenge's area, and the TF-IDF cosine of the
free text (pitch, description). Each part that counts becomes a reason, most weighty first.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

#: How much each part weighs; the reasons are listed in the same order of weight.
WEIGHTS = {"needs": 3.0, "tags": 2.0, "courses": 1.2, "text": 1.5, "areas": 0.6, "sector": 0.4}

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOP = frozenset(
    """and the for with that this from are our you your their they have has was were will can
    into about more most also such what when where which who how all any each other than then
    them these those not but its it's per via who we us out new use used using work works
    working help helps make makes made need needs looking want wants based would could should
    """.split()
)


def terms(text: str) -> list[str]:
    """Lower-case words of three letters or more, stop words out, a trailing plural 's' off."""
    out = []
    for word in _WORD.findall(text.lower()):
        if word in _STOP:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


@dataclass
class Doc:
    """A profile or a challenge, as far as matching cares."""

    id: Hashable
    #: ``person`` or ``challenge``
    kind: str
    #: ``cci`` or ``avm`` (or another organisation kind) — the collider prefers the other side.
    sector: str = ""
    areas: frozenset = frozenset()
    #: What the profile offers (skills and sectors), curated keys and free tags alike.
    tags: frozenset = frozenset()
    #: What a challenge asks for (skills it needs).
    needs: frozenset = frozenset()
    text: str = ""
    #: Training areas of courses the person completed (verified by certificates), by course title.
    courses: dict = field(default_factory=dict)


@dataclass
class Reason:
    """One reason, as a code and its parameters; the page puts it into words."""

    code: str
    params: dict


@dataclass
class Suggestion:
    id: Hashable
    kind: str
    score: float
    reasons: list


class Index:
    """TF-IDF vectors of a set of documents, built once and queried many times."""

    def __init__(self, docs: Iterable[Doc]):
        self.docs = list(docs)
        df: Counter = Counter()
        counts = {}
        for d in self.docs:
            c = Counter(terms(d.text))
            counts[d.id] = c
            df.update(c.keys())
        n = max(len(self.docs), 1)
        self.idf = {t: math.log((1 + n) / (1 + k)) + 1.0 for t, k in df.items()}
        self.vectors = {doc_id: self._vector(c) for doc_id, c in counts.items()}

    def _vector(self, counts: Counter) -> dict:
        vec = {t: (1 + math.log(k)) * self.idf.get(t, 1.0) for t, k in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def vector(self, doc: Doc) -> dict:
        return self.vectors.get(doc.id) or self._vector(Counter(terms(doc.text)))

    def suggest(self, target: Doc, *, kind: str | None = None, limit: int = 5) -> list[Suggestion]:
        """The best ``limit`` documents for ``target`` (of ``kind`` when given), with reasons."""
        mine = self.vector(target)
        scored = []
        for doc in self.docs:
            if doc.id == target.id or (kind and doc.kind != kind):
                continue
            score = score_pair(target, doc, mine, self.vectors.get(doc.id, {}), explain=False)[0]
            if score > 0:
                scored.append((round(score, 4), str(doc.id), doc))
        # Reasons are worded for the few shown only: ranking all needs the score alone.
        best = heapq.nsmallest(limit, scored, key=lambda item: (-item[0], item[1]))
        return [
            Suggestion(doc.id, doc.kind, score, score_pair(target, doc, mine, self.vector(doc))[1])
            for score, _key, doc in best
        ]


def score_pair(
    me: Doc, other: Doc, my_vec: dict, other_vec: dict, explain: bool = True
) -> tuple[float, list]:
    """The score of ``other`` for ``me`` and (when ``explain``) the reasons, weightiest first."""
    parts = []
    # What a challenge needs that the person offers, in either direction.
    needs = (other.needs & me.tags) | (me.needs & other.tags)
    if needs:
        asked = len(other.needs | me.needs)
        value = WEIGHTS["needs"] * len(needs) / asked
        parts.append((value, "needs", {"tags": sorted(needs)}))
    shared = (me.tags & other.tags) - needs
    if shared:
        union = len(me.tags | other.tags) or 1
        value = WEIGHTS["tags"] * (len(shared) / union) ** 0.5
        parts.append((value, "tags", {"tags": sorted(shared)}))
    # A verified course in an area the other side works in.
    for person, counterpart in ((other, me), (me, other)):
        hits = sorted(t for t, area in person.courses.items() if area in counterpart.areas)
        if hits:
            who = "they" if person is other else "you"
            parts.append((WEIGHTS["courses"], "courses", {"who": who, "courses": hits}))
            break
    get = other_vec.get
    overlap = sum(v * get(t, 0.0) for t, v in my_vec.items())
    if overlap > 0.05:
        common = (
            sorted(
                (t for t in my_vec if t in other_vec),
                key=lambda t: -(my_vec[t] * other_vec[t]),
            )[:3]
            if explain
            else []
        )
        parts.append((WEIGHTS["text"] * overlap, "text", {"terms": common}))
    areas = me.areas & other.areas
    if areas:
        parts.append((WEIGHTS["areas"] * len(areas) / 3, "areas", {"areas": sorted(areas)}))
    if not parts:
        return 0.0, []
    if me.sector and other.sector and me.sector != other.sector:
        parts.append((WEIGHTS["sector"], "sector", {"sector": other.sector}))
    parts.sort(key=lambda p: -p[0])
    return sum(p[0] for p in parts), [Reason(code, params) for _, code, params in parts]
