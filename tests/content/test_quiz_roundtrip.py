"""``dump_quiz`` writes what ``parse_quiz`` reads back unchanged, in the short forms authors use."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from lms.content.quizformat import (
    REVEAL_OPTIONS,
    SLUG_RE,
    dump_module,
    dump_quiz,
    normalise_answer,
    parse_quiz,
)
from lms.content.schema import check_fields
from lms.content.tree import MODULE_FIELDS
from lms.content.yamlfile import load_yaml, split_front_matter

TRICKY = [
    "no",
    "No",
    "NO",
    "yes",
    "on",
    "off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "",
    "1.5",
    "1.0",
    "007",
    "1e3",
    "1_000",
    "0x1F",
    "0o17",
    ".5",
    "-1",
    "+1",
    ".inf",
    "-.inf",
    ".nan",
    "12:30",
    "2024-01-01",
    "- item",
    "-",
    "--",
    "---",
    "...",
    "#hash",
    "a #comment",
    "a: b",
    "key:",
    ":",
    "? q",
    "'quoted'",
    "it's",
    '"double"',
    "\\back\\slash",
    "[x, y]",
    "{y: z}",
    "a, b",
    "*alias",
    "&anchor",
    "!tag",
    "!!str",
    "|",
    ">",
    "%",
    "@",
    "`code`",
    "<<",
    "=",
    "é ünïcödé",
    "日本語",
    "🎉",
    "\t",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r\n",
    "\u2028",
    "\x85",
    "\ufeff",
    "\x00",
    "\x07",
    "zero\u200bwidth",
    "_____",
    "**bold**",
]

words = st.sampled_from(TRICKY)
tricky = st.one_of(
    words,
    st.lists(words, min_size=1, max_size=4).map(" ".join),
    st.lists(words, min_size=1, max_size=4).map("\n".join),
    st.lists(st.one_of(words, st.text(max_size=8)), min_size=1, max_size=4).map("".join),
    st.text(max_size=30),
    st.text(alphabet=string.printable, max_size=30),
)


def texts(max_size: int):
    """Text as the format keeps it: anything that is not blank."""
    return tricky.filter(lambda s: s.strip() and len(s) <= max_size)


#: ``short`` answers and matching sides are stored stripped.
stripped = tricky.map(str.strip).filter(bool)
optional_feedback = st.none() | texts(2000)
numbers = (
    st.sampled_from([0, 0.0, -0.0, 1.5, 1e-20, 1e20])
    | st.integers(-(10**9), 10**9)
    | st.floats(allow_nan=False, allow_infinity=False)
)
non_negative = st.sampled_from([0, 0.0, 0.5]) | st.integers(0, 10**6) | st.floats(0, 1e6)
credits = st.integers(-100, 100) | st.floats(-100, 100)
part_credits = st.integers(-100, 99) | st.floats(-100, 99.4)
full_credits = st.just(100) | st.floats(99.5, 100)
ids = st.from_regex(SLUG_RE, fullmatch=True).filter(lambda s: len(s) <= 40)


@st.composite
def common(draw, qtype):
    points = (
        0 if qtype == "reflection" else draw(st.just(1) | st.integers(1, 50) | st.floats(0.1, 50))
    )
    return {
        "id": None,  # set by quizzes(), unique in the quiz
        "type": qtype,
        "prompt": draw(texts(5000)),
        "points": points,
        "explanation": draw(st.none() | texts(5000)),
    }


def choice_texts(n_min, n_max):
    return st.lists(texts(1000), min_size=n_min, max_size=n_max, unique_by=normalise_answer)


@st.composite
def choice_question(draw, qtype):
    question = draw(common(qtype))
    choice_list = draw(choice_texts(2, 6))
    n = len(choice_list)
    if draw(st.booleans()):  # correct: true style
        if qtype == "single":
            right = {draw(st.integers(0, n - 1))}
        else:
            right = set(draw(st.lists(st.integers(0, n - 1), min_size=1, unique=True)))
        question["choices"] = [
            {"text": t, "correct": i in right, "credit": None, "feedback": draw(optional_feedback)}
            for i, t in enumerate(choice_list)
        ]
        return question
    if qtype == "single":
        best = draw(st.integers(0, n - 1))
        credit_list = [draw(full_credits) if i == best else draw(part_credits) for i in range(n)]
    else:
        positive = draw(st.integers(1, n))
        if draw(st.booleans()):
            shares = [100 / positive] * positive
        else:
            cuts = sorted(
                draw(
                    st.lists(
                        st.integers(1, 99),
                        min_size=positive - 1,
                        max_size=positive - 1,
                        unique=True,
                    )
                )
            )
            shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        rest = [draw(st.integers(-100, 0) | st.floats(-100, 0)) for _ in range(n - positive)]
        credit_list = draw(st.permutations(shares + rest))
    question["choices"] = [
        {
            "text": t,
            "correct": (c >= 99.5) if qtype == "single" else c > 0,
            "credit": c,
            "feedback": draw(optional_feedback),
        }
        for t, c in zip(choice_list, credit_list, strict=True)
    ]
    return question


@st.composite
def truefalse_question(draw):
    question = draw(common("truefalse"))
    question["answer"] = draw(st.booleans())
    question["correct_feedback"] = draw(optional_feedback)
    question["incorrect_feedback"] = draw(optional_feedback)
    return question


def with_one_full_credit(draw, entries):
    """Make sure one entry has full credit, as ``short`` and ``numeric`` require."""
    if not any(e["credit"] >= 99.5 for e in entries):
        entries[draw(st.integers(0, len(entries) - 1))]["credit"] = draw(full_credits)
    return entries


@st.composite
def short_question(draw):
    question = draw(common("short"))
    answer_texts = draw(st.lists(stripped, min_size=1, max_size=5, unique_by=normalise_answer))
    simple = draw(st.booleans())
    answers = [
        {"text": t, "credit": 100, "feedback": None}
        if simple
        else {
            "text": t,
            "credit": draw(st.just(100) | credits),
            "feedback": draw(optional_feedback),
        }
        for t in answer_texts
    ]
    question["answers"] = with_one_full_credit(draw, answers)
    return question


@st.composite
def numeric_target(draw):
    if draw(st.booleans()):
        return {"value": draw(numbers), "tolerance": draw(st.just(0) | non_negative)}
    low, high = sorted([draw(numbers), draw(numbers)])
    return {"min": low, "max": high}


@st.composite
def numeric_question(draw):
    question = draw(common("numeric"))
    if draw(st.booleans()):
        question["answers"] = [{**draw(numeric_target()), "credit": 100, "feedback": None}]
    else:
        answers = [
            {**draw(numeric_target()), "credit": draw(credits), "feedback": draw(optional_feedback)}
            for _ in range(draw(st.integers(1, 4)))
        ]
        question["answers"] = with_one_full_credit(draw, answers)
    question["unit"] = draw(st.none() | texts(40))
    return question


@st.composite
def matching_question(draw):
    question = draw(common("matching"))
    n = draw(st.integers(2, 5))
    lefts = draw(st.lists(stripped, min_size=n, max_size=n, unique_by=normalise_answer))
    rights = draw(st.lists(stripped, min_size=n, max_size=n, unique_by=normalise_answer))
    question["pairs"] = [[left, right] for left, right in zip(lefts, rights, strict=True)]
    return question


questions = st.one_of(
    choice_question("single"),
    choice_question("multiple"),
    truefalse_question(),
    short_question(),
    numeric_question(),
    matching_question(),
    common("reflection"),
)


@st.composite
def quizzes(draw):
    question_list = draw(st.lists(questions, min_size=1, max_size=7))
    id_list = draw(
        st.lists(ids, min_size=len(question_list), max_size=len(question_list), unique=True)
    )
    for question, qid in zip(question_list, id_list, strict=True):
        question["id"] = qid
    return {
        "pass_mark": draw(st.integers(0, 100)),
        "max_attempts": draw(st.integers(0, 20)),
        "shuffle": draw(st.booleans()),
        "reveal": draw(st.sampled_from(REVEAL_OPTIONS)),
        "questions": question_list,
    }


def typed(value):
    """``value`` without ``line`` keys, each scalar tagged with its type (so 1 != 1.0 != True)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items() if k != "line"}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


def read_back(text: str):
    quiz, errors = parse_quiz(load_yaml(text), "quiz.yml")
    assert errors == [], text
    return quiz


@settings(max_examples=200, deadline=None)
@given(quizzes())
def test_every_quiz_survives_a_write_and_a_read(quiz):
    written = dump_quiz(quiz)
    assert typed(read_back(written)) == typed(quiz), written


@settings(max_examples=50, deadline=None)
@given(texts(200), st.lists(texts(200), min_size=1, max_size=3))
def test_module_front_matter_survives_any_title(title, objectives):
    text = dump_module(title, 15, objectives, "## Body\n\nText.")
    yaml_text, first_line, body, _ = split_front_matter(text)
    meta = load_yaml(yaml_text, first_line)
    assert list(check_fields(meta, MODULE_FIELDS, "front matter")) == []
    assert dict(meta) == {"title": title, "duration_minutes": 15, "objectives": objectives}
    assert body == "\n## Body\n\nText.\n"


def question(qtype, **fields):
    base = {"id": "q", "type": qtype, "prompt": "Prompt?", "points": 1, "explanation": None}
    return {**base, **fields}


def test_written_quiz_uses_the_short_forms_authors_write():
    quiz = {
        "questions": [
            question(
                "single",
                choices=[
                    {"text": "Printing", "correct": True, "credit": None, "feedback": None},
                    {"text": "Milling", "correct": False, "credit": None, "feedback": None},
                ],
            )
            | {"id": "one"},
            question(
                "short",
                answers=[
                    {"text": "FDM", "credit": 100, "feedback": None},
                    {"text": "FFF", "credit": 100, "feedback": None},
                ],
            )
            | {"id": "two"},
            question(
                "numeric",
                answers=[{"value": 100, "tolerance": 0.5, "credit": 100, "feedback": None}],
                unit=None,
            )
            | {"id": "three"},
            question(
                "numeric",
                answers=[{"min": 1, "max": 3, "credit": 100, "feedback": None}],
                unit="mm",
            )
            | {"id": "four"},
            question("matching", pairs=[["SLA", "Resin"], ["SLS", "Powder"]]) | {"id": "five"},
        ]
    }
    assert dump_quiz(quiz) == (
        "pass_mark: 70\n"
        "max_attempts: 0\n"
        "shuffle: false\n"
        "reveal: after_each_attempt\n"
        "questions:\n"
        "  - id: one\n    type: single\n    prompt: Prompt?\n    choices:\n"
        "      - text: Printing\n        correct: true\n      - Milling\n"
        "\n"
        "  - id: two\n    type: short\n    prompt: Prompt?\n    answers: [FDM, FFF]\n"
        "\n"
        "  - id: three\n    type: numeric\n    prompt: Prompt?\n    value: 100\n"
        "    tolerance: 0.5\n"
        "\n"
        "  - id: four\n    type: numeric\n    prompt: Prompt?\n    range: [1, 3]\n    unit: mm\n"
        "\n"
        "  - id: five\n    type: matching\n    prompt: Prompt?\n    pairs:\n"
        "      - [SLA, Resin]\n      - [SLS, Powder]\n"
    )


def test_words_yaml_would_misread_are_quoted_and_multiline_text_is_a_block():
    quiz = {
        "questions": [
            question(
                "short",
                prompt="Line one\nline two\n",
                answers=[
                    {"text": "no", "credit": 100, "feedback": None},
                    {"text": "1.0", "credit": 50, "feedback": "Close: #1"},
                ],
            )
        ]
    }
    written = dump_quiz(quiz)
    assert "    prompt: |\n      Line one\n      line two\n" in written
    assert "      - 'no'\n      - text: '1.0'\n        credit: 50\n" in written
    assert "        feedback: 'Close: #1'\n" in written
    assert typed(read_back(written)["questions"]) == typed(quiz["questions"])
