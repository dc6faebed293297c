"""The matchmaking scheduler: never two places at once, only when both can come, at least greedy."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from lms.collider.scheduler import Request, greedy_baseline, schedule


@st.composite
def events(draw):
    """A random event: slots, tables, people with availability, accepted requests."""
    n_slots = draw(st.integers(1, 6))
    n_tables = draw(st.integers(1, 5))
    n_people = draw(st.integers(2, 12))
    slots = list(range(n_slots))
    people = list(range(n_people))
    availability = {
        p: set(draw(st.lists(st.sampled_from(slots), unique=True, max_size=n_slots)))
        for p in people
        if draw(st.booleans())
    }
    pairs = draw(st.lists(st.tuples(st.sampled_from(people), st.sampled_from(people)), max_size=30))
    requests = []
    for i, (a, b) in enumerate(pairs):
        pin = draw(st.none() | st.sampled_from(slots)) if draw(st.integers(0, 9)) == 0 else None
        requests.append(Request(i, a, b, pinned_slot=pin))
    return slots, [f"T{t}" for t in range(n_tables)], requests, availability


def check(slots, tables, requests, availability, result):
    by_id = {r.id: r for r in requests}
    assert set(result.placed) | set(result.unplaced) == set(by_id)
    assert not set(result.placed) & set(result.unplaced)
    seats = Counter()
    people = Counter()
    for rid, (slot, table) in result.placed.items():
        r = by_id[rid]
        assert slot in slots and table in tables
        assert r.a != r.b
        for person in (r.a, r.b):
            assert slot in availability.get(person, set(slots))
            people[(person, slot)] += 1
        seats[(slot, table)] += 1
        if r.pinned_slot is not None:
            assert slot == r.pinned_slot
    assert max(seats.values(), default=1) == 1, "a table is in two meetings at once"
    assert max(people.values(), default=1) == 1, "a person is in two meetings at once"


@settings(max_examples=300, deadline=None)
@given(events())
def test_schedule_never_double_books_and_beats_greedy(event):
    slots, tables, requests, availability = event
    result = schedule(slots, tables, requests, availability)
    check(slots, tables, requests, availability, result)
    loose = [r for r in requests if r.pinned_slot is None]
    if len(loose) == len(requests):
        assert len(result) >= greedy_baseline(slots, tables, requests, availability)


def test_repair_places_a_meeting_greedy_misses():
    # Greedy puts A-B in slot 0; A-C can only meet in slot 0. Moving A-B to slot 1 fits both.
    requests = [Request(1, "A", "B"), Request(2, "A", "C")]
    availability = {"C": {0}}
    assert greedy_baseline([0, 1], ["T1"], requests, availability) == 1
    result = schedule([0, 1], ["T1"], requests, availability)
    assert result.placed == {1: (1, "T1"), 2: (0, "T1")}


def test_unplaceable_meetings_say_why():
    requests = [
        Request(1, "A", "B"),
        Request(2, "C", "D"),  # no common slot
        Request(3, "A", "E", pinned_slot=0),
        Request(4, "E", "F", pinned_slot=0),  # E is pinned elsewhere
        Request(5, "G", "G"),
    ]
    result = schedule([0, 1], ["T1", "T2"], requests, {"C": {0}, "D": {1}})
    assert result.unplaced == {2: "no-common-slot", 4: "pinned-conflict", 5: "no-common-slot"}
    assert result.placed[3][0] == 0


def test_pinned_table_is_kept_and_never_shared():
    requests = [
        Request(1, "A", "B", pinned_slot=0, pinned_table="T2"),
        Request(2, "C", "D", pinned_slot=0, pinned_table="T2"),
        Request(3, "E", "F"),
    ]
    result = schedule([0], ["T1", "T2"], requests)
    assert result.placed[1] == (0, "T2")
    assert result.unplaced[2] == "pinned-conflict"
    assert result.placed[3] == (0, "T1")


def test_tables_per_slot_limit_capacity():
    requests = [Request(i, f"a{i}", f"b{i}") for i in range(5)]
    result = schedule([0, 1], {0: ["T1", "T2"], 1: ["R1"]}, requests)
    assert len(result) == 3
    assert sorted(t for _, t in result.placed.values()) == ["R1", "T1", "T2"]
    assert set(result.unplaced.values()) == {"no-room"}
