"""Place accepted one-to-one meetings into an event's time slots and tables.

A pure function of plain data, so it can be property-tested and benchmarked without a database:
no person and no table is ever in two places in one slot, and a meeting is only placed in a slot
both people are available for. It starts from two greedy passes (the baseline in input order and
a most-constrained-first order), repairs each one by moving meetings that block an unplaced one
to another slot, and keeps the better. So it never places fewer meetings than the baseline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

Person = Hashable
Slot = Hashable
Table = Hashable


@dataclass(frozen=True)
class Request:
    """One accepted meeting request between two people; ``pinned_*`` fix it by hand."""

    id: Hashable
    a: Person
    b: Person
    pinned_slot: Slot | None = None
    pinned_table: Table | None = None


@dataclass
class Schedule:
    """Where each placed meeting is, and why the others are not."""

    #: request id -> (slot, table)
    placed: dict = field(default_factory=dict)
    #: request id -> a reason code: ``no-common-slot``, ``pinned-conflict``, ``no-room``
    unplaced: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.placed)


class _Plan:
    """Slot assignment under construction: who is busy when and how full each slot is.

    Every change is journalled so that a failed repair attempt rolls back in the time it took.
    """

    def __init__(self, slots, capacity, requests, available):
        self.slots = list(slots)
        self.capacity = capacity
        self.requests = {r.id: r for r in requests}
        self.available = available
        self.slot_of: dict = {}
        self.busy: dict = defaultdict(dict)  # person -> {slot: request id}
        self.at: dict = defaultdict(set)  # slot -> request ids
        self.fixed: set = set()
        self.journal: list = []
        self._feasible: dict = {}

    def feasible(self, r: Request) -> list:
        """The slots both people can attend, in the event's order."""
        if r.id not in self._feasible:
            self._feasible[r.id] = [
                s for s in self.slots if self.available(r.a, s) and self.available(r.b, s)
            ]
        return self._feasible[r.id]

    def free(self, r: Request, s) -> bool:
        return (
            s not in self.busy[r.a]
            and s not in self.busy[r.b]
            and len(self.at[s]) < self.capacity[s]
        )

    def put(self, r: Request, s, log: bool = True) -> None:
        self.slot_of[r.id] = s
        self.busy[r.a][s] = r.id
        self.busy[r.b][s] = r.id
        self.at[s].add(r.id)
        if log:
            self.journal.append((True, r, s))

    def take(self, r: Request, log: bool = True) -> None:
        s = self.slot_of.pop(r.id)
        del self.busy[r.a][s]
        del self.busy[r.b][s]
        self.at[s].discard(r.id)
        if log:
            self.journal.append((False, r, s))

    def rollback(self, mark: int) -> None:
        while len(self.journal) > mark:
            was_put, r, s = self.journal.pop()
            if was_put:
                self.take(r, log=False)
            else:
                self.put(r, s, log=False)

    def copy(self) -> _Plan:
        other = _Plan(self.slots, self.capacity, self.requests.values(), self.available)
        other.slot_of = dict(self.slot_of)
        other.busy = defaultdict(dict, {p: dict(v) for p, v in self.busy.items()})
        other.at = defaultdict(set, {s: set(v) for s, v in self.at.items()})
        other.fixed = set(self.fixed)
        other._feasible = self._feasible
        return other

    def relocate(self, rid, avoid) -> bool:
        """Move a placed meeting to another slot where it fits (not ``avoid``)."""
        if rid in self.fixed:
            return False
        r = self.requests[rid]
        here = self.slot_of[rid]
        mark = len(self.journal)
        self.take(r)
        for s in self.feasible(r):
            if s != here and s != avoid and self.free(r, s):
                self.put(r, s)
                return True
        self.rollback(mark)
        return False

    def try_place(self, r: Request) -> bool:
        """Place ``r``, moving at most the meetings that block it (one step deep)."""
        options = self.feasible(r)
        for s in options:
            if self.free(r, s):
                self.put(r, s)
                return True
        for s in options:
            blockers = {self.busy[p][s] for p in (r.a, r.b) if s in self.busy[p]}
            if blockers & self.fixed:
                continue
            mark = len(self.journal)
            moved = all(self.relocate(rid, s) for rid in blockers)
            if moved and len(self.at[s]) >= self.capacity[s]:
                # The slot is full: move one other meeting out to make room.
                moved = any(
                    self.relocate(rid, s) for rid in sorted(self.at[s] - self.fixed, key=str)
                )
            if moved and self.free(r, s):
                self.put(r, s)
                return True
            self.rollback(mark)
        return False


def schedule(
    slots: Sequence[Slot],
    tables: Sequence[Table] | dict,
    requests: Iterable[Request],
    availability: dict | None = None,
) -> Schedule:
    """Place ``requests`` into ``slots`` x ``tables``.

    ``tables`` is the list of tables (or online rooms) open in every slot, or a dict from slot to
    the tables open in that slot. ``availability`` maps a person to the set of slots they can
    attend; a person missing from it can attend every slot.
    """
    requests = list(requests)
    per_slot = (
        {s: list(tables.get(s, ())) for s in slots}
        if isinstance(tables, dict)
        else {s: list(tables) for s in slots}
    )
    availability = availability or {}

    def available(person, s) -> bool:
        slots_of = availability.get(person)
        return slots_of is None or s in slots_of

    capacity = {s: len(per_slot[s]) for s in slots}
    result = Schedule()
    base = _Plan(slots, capacity, requests, available)
    loose = []
    pinned_at: set = set()
    for r in requests:
        if r.a == r.b:
            result.unplaced[r.id] = "no-common-slot"
        elif r.pinned_slot is not None:
            if (
                r.pinned_slot in base.feasible(r)
                and base.free(r, r.pinned_slot)
                and (
                    r.pinned_table is None
                    or (
                        r.pinned_table in per_slot[r.pinned_slot]
                        and (r.pinned_slot, r.pinned_table) not in pinned_at
                    )
                )
            ):
                base.put(r, r.pinned_slot)
                base.fixed.add(r.id)
                if r.pinned_table is not None:
                    pinned_at.add((r.pinned_slot, r.pinned_table))
            else:
                result.unplaced[r.id] = "pinned-conflict"
        elif not base.feasible(r):
            result.unplaced[r.id] = "no-common-slot"
        else:
            loose.append(r)

    degree: dict = defaultdict(int)
    for r in loose:
        degree[r.a] += 1
        degree[r.b] += 1
    orders = [
        loose,  # the baseline: first come, first placed
        sorted(loose, key=lambda r: (len(base.feasible(r)), -degree[r.a] - degree[r.b])),
    ]
    best = None
    for order in orders:
        plan = base.copy()
        waiting = [r for r in order if not _greedy(plan, r)]
        for r in waiting:
            plan.try_place(r)
        if best is None or len(plan.slot_of) > len(best.slot_of):
            best = plan

    pinned_tables = {
        r.id: r.pinned_table for r in requests if r.id in best.fixed and r.pinned_table is not None
    }
    for s in slots:
        here = [rid for rid, slot in best.slot_of.items() if slot == s]
        taken = {pinned_tables[rid] for rid in here if rid in pinned_tables}
        spare = iter(t for t in per_slot[s] if t not in taken)
        for rid in here:
            table = pinned_tables.get(rid)
            result.placed[rid] = (s, table if table is not None else next(spare))
    for r in loose:
        if r.id not in result.placed:
            result.unplaced[r.id] = "no-room"
    return result


def _greedy(plan: _Plan, r: Request) -> bool:
    for s in plan.feasible(r):
        if plan.free(r, s):
            plan.put(r, s)
            return True
    return False


def greedy_baseline(slots, tables, requests, availability=None) -> int:
    """How many meetings the plain greedy pass places: the floor the scheduler must reach."""
    requests = list(requests)
    availability = availability or {}
    per_slot = {
        s: len(tables.get(s, ())) if isinstance(tables, dict) else len(tables) for s in slots
    }
    busy: dict = defaultdict(set)
    load: dict = defaultdict(int)
    placed = 0
    for r in requests:
        if r.a == r.b or r.pinned_slot is not None:
            continue
        for s in slots:
            if all(s in availability.get(p, {s}) for p in (r.a, r.b)) and (
                s not in busy[r.a] and s not in busy[r.b] and load[s] < per_slot[s]
            ):
                busy[r.a].add(s)
                busy[r.b].add(s)
                load[s] += 1
                placed += 1
                break
    return placed
