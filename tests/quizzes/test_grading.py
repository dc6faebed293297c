"""Scoring rules, as documented in content/README.md."""

import pytest

from lms.content.quizformat import parse_quiz
from lms.content.yamlfile import load_yaml
from lms.quizzes.grading import grade, parse_number


def question(yaml_text: str) -> dict:
    quiz, errors = parse_quiz(load_yaml("questions:\n" + yaml_text), "t.yml")
    assert not errors, errors
    return quiz["questions"][0]


MULTIPLE = question("""
  - id: m
    type: multiple
    points: 4
    prompt: Pick
    choices:
      - {text: a, correct: true}
      - {text: b, correct: true}
      - {text: c}
      - {text: d}
""")


@pytest.mark.parametrize(
    "picked, score",
    [
        ([0, 1], 4.0),  # all correct
        ([0], 2.0),  # half the correct ones
        ([0, 2], 0.0),  # one right (+2) and one wrong (-2)
        ([0, 1, 2], 2.0),  # a wrong pick costs half the points (2 wrong choices)
        ([0, 1, 2, 3], 0.0),  # picking everything scores zero
        ([2, 3], 0.0),  # never below zero
    ],
)
def test_multiple_choice_partial_credit(picked, score):
    assert grade(MULTIPLE, {"choices": picked})[0] == score


def test_multiple_with_credits_adds_picked_credits():
    q = question("""
  - id: m
    type: multiple
    prompt: Pick
    choices:
      - {text: a, credit: 50}
      - {text: b, credit: 50}
      - {text: c, credit: -100}
""")
    assert grade(q, {"choices": [0]}) == (0.5, 1.0, False)
    assert grade(q, {"choices": [0, 1]}) == (1.0, 1.0, True)
    assert grade(q, {"choices": [0, 2]})[0] == 0.0


def test_single_with_partial_credit():
    q = question("""
  - id: s
    type: single
    points: 2
    prompt: Pick
    choices:
      - {text: best, credit: 100}
      - {text: ok, credit: 50}
      - {text: bad, credit: -50}
""")
    assert grade(q, {"choice": 0}) == (2.0, 2.0, True)
    assert grade(q, {"choice": 1}) == (1.0, 2.0, False)
    assert grade(q, {"choice": 2}) == (0.0, 2.0, False)


def test_short_answers_ignore_case_and_spaces():
    q = question("""
  - id: s
    type: short
    prompt: Name
    answers: [Fused Filament Fabrication, {text: FDM, credit: 50}]
""")
    assert grade(q, {"text": "  fused   filament FABRICATION "})[2] is True
    assert grade(q, {"text": "fdm"}) == (0.5, 1.0, False)
    assert grade(q, {"text": "SLA"}) == (0.0, 1.0, False)


@pytest.mark.parametrize(
    "text, value",
    [
        ("1,5", 1.5),
        ("1.5", 1.5),
        (" -2 ", -2.0),
        ("12 mm", 12.0),
        ("1e3", 1000.0),
        ("twelve", None),
        ("45°", 45.0),
        ("30 %", 30.0),
        ("12 kg", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_numbers_accept_a_decimal_comma_and_the_unit(text, value):
    assert parse_number(text, "mm") == value


def test_numeric_tolerance_ranges_and_weighted_targets():
    q = question("""
  - id: n
    type: numeric
    prompt: How many?
    answers:
      - {value: 100, tolerance: 2}
      - {range: [90, 110], credit: 50}
""")
    assert grade(q, {"text": "98", "value": 98.0})[2] is True
    assert grade(q, {"text": "105", "value": 105.0}) == (0.5, 1.0, False)
    assert grade(q, {"text": "x", "value": None}) == (0.0, 1.0, False)


def test_matching_scores_each_pair():
    q = question("""
  - id: p
    type: matching
    points: 3
    prompt: Match
    pairs: [[a, 1], [b, 2], [c, 3]]
""")
    assert grade(q, {"matches": [0, 1, 2]}) == (3.0, 3.0, True)
    assert grade(q, {"matches": [0, 2, 1]}) == (1.0, 3.0, False)


def test_truefalse_unanswered_and_reflection():
    tf = question("  - {id: t, type: truefalse, prompt: Is it so, answer: false}\n")
    assert grade(tf, {"answer": False}) == (1.0, 1.0, True)
    assert grade(tf, None) == (0.0, 1.0, False)
    reflection = question("  - {id: r, type: reflection, prompt: Think}\n")
    assert grade(reflection, {"text": "thoughts"}) == (0.0, 0.0, None)
