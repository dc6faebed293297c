"""The fuzzer's own judge: it must notice a change the role may not make."""

import sqlite3

import pytest


def _change(world, sql: str, *params):
    connection = sqlite3.connect(world.live)
    connection.execute(sql, params)
    connection.commit()
    connection.close()


@pytest.fixture
def judged(world):
    yield world
    world.reset()


def _meeting_of(world, cohort: str) -> int:
    connection = sqlite3.connect(world.live)
    (meeting_id,) = connection.execute(
        "SELECT id FROM meetings WHERE cohort_id = ? ORDER BY id", (world.cohorts[cohort],)
    ).fetchone()
    connection.close()
    return meeting_id


def test_a_learners_rsvp_to_another_cohorts_session_counts_as_foreign(judged):
    learner = judged.people["learner"]["id"]
    _change(
        judged,
        "INSERT INTO rsvps (meeting_id, user_id, answer, answered_at) VALUES (?, ?, 'yes', '2026-01-01')",
        _meeting_of(judged, "b"),
        learner,
    )
    assert judged.foreign_changes("learner", judged.snapshot())


def test_a_learners_rsvp_in_their_own_cohort_is_theirs_to_make(judged):
    learner = judged.people["learner"]["id"]
    _change(
        judged,
        "UPDATE rsvps SET answer = 'no' WHERE user_id = ?",
        learner,
    )
    assert judged.foreign_changes("learner", judged.snapshot()) == []
    assert judged.foreign_changes("other_learner", judged.snapshot())


def test_a_facilitator_changing_another_cohort_counts_as_foreign(judged):
    _change(judged, "UPDATE cohorts SET name = 'Taken' WHERE id = ?", judged.cohorts["b"])
    after = judged.snapshot()
    assert judged.foreign_changes("facilitator", after)
    assert judged.foreign_changes("other_facilitator", after) == []
    assert judged.foreign_changes("admin", after) == []


def test_content_and_roles_change_for_nobody_but_admins(judged):
    learner = judged.people["learner"]["id"]
    _change(judged, "UPDATE users SET role = 'admin' WHERE id = ?", learner)
    assert judged.foreign_changes("learner", judged.snapshot())
    judged.reset()
    _change(judged, "UPDATE courses SET title = 'Defaced'")
    assert judged.foreign_changes("facilitator", judged.snapshot())
