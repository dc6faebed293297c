"""The content checker and the GIFT importer fed broken and hostile files.

Real files (from ``content/`` and ``tests/fixtures``) are truncated, have bytes flipped or
inserted, or are replaced by YAML bombs, deep nesting and huge numbers. Whatever comes in:
no exception escapes, nothing hangs, and every problem names a path and a line >= 1.
"""

import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.content.gift import parse_gift
from lms.content.loader import load_content

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
COURSE = "technology/sample-course"
#: Files of the fixture course, each replaced in turn by a hostile version.
TARGETS = ["course.md", "01-first-steps.md", "01-first-steps.quiz.yml", "02-second-steps.md"]
#: Real files whose bytes seed the mutations.
SEEDS = sorted(
    [p for p in (ROOT / "content").rglob("*") if p.suffix in (".md", ".yml")]
    + [p for p in (FIXTURES / "content").rglob("*") if p.suffix in (".md", ".yml")]
)
GIFT_SEEDS = sorted((FIXTURES / "gift").glob("*.gift"))
#: Generous: a file that takes longer than this to check counts as a hang.
SECONDS = 20

settings.register_profile(
    "hostile-quick",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "hostile-long", max_examples=500, deadline=None, suppress_health_check=list(HealthCheck)
)
PROFILE = settings.get_profile(
    "hostile-long" if os.environ.get("LMS_FUZZ_PROFILE") == "fuzz-long" else "hostile-quick"
)

BILLION_LAUGHS = (
    "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
    )
    + "title: *j\n"
)
BOMBS = [
    BILLION_LAUGHS,
    "title: &x [*x]\n",
    "objectives: " + "[" * 5000 + "]" * 5000 + "\n",
    "objectives:\n" + "".join(" " * i + "- \n" for i in range(300)),
    "duration_hours: 1" + "0" * 5000 + "\n",
    "duration_hours: 1e999999\n",
    "duration_hours: -.inf\n",
    "duration_hours: .nan\n",
    "pass_mark: " + "9" * 5000 + "\n",
    "pass_mark: .nan\n",
    "max_attempts: 1e400\n",
    "title: !!python/object/apply:os.system ['true']\n",
    "? [a, b]\n: c\n",
    "title: '" + "x" * 100_000 + "'\n",
    "<<: *undefined\n",
    "\t\x00\x01:\n",
]
QUIZ_BOMBS = [
    "pass_mark: 70\nquestions:\n  - id: q\n    type: numeric\n    prompt: n\n    answers:\n"
    "      - value: .nan\n        tolerance: .inf\n",
    "pass_mark: 70\nquestions:\n  - id: q\n    type: numeric\n    prompt: n\n    answers:\n"
    "      - min: 1e400\n        max: -1e400\n",
    "pass_mark: 70\nquestions:\n  - id: q\n    type: single\n    prompt: p\n    points: 1e999\n"
    "    choices:\n      - text: a\n        correct: true\n        credit: .nan\n      - text: b\n",
    "pass_mark: 70\nquestions: " + "[" * 3000 + "]" * 3000 + "\n",
    "pass_mark: 70\nquestions:\n" + "  - {id: q, type: reflection, prompt: p}\n" * 400,
    "pass_mark: 70\nshuffle: &s [*s]\nquestions: []\n",
]


def _mutate(data, raw: bytes) -> bytes:
    kind = data.draw(st.sampled_from(["truncate", "flip", "insert", "invalid-utf8", "splice"]))
    if not raw:
        return raw
    at = data.draw(st.integers(0, len(raw)), label="at")
    if kind == "truncate":
        return raw[:at]
    if kind == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw = raw[:i] + bytes([raw[i] ^ data.draw(st.integers(1, 255))]) + raw[i + 1 :]
        return raw
    if kind == "insert":
        piece = data.draw(
            st.one_of(
                st.binary(min_size=1, max_size=40),
                st.sampled_from(
                    [b"---\n", b"\n---\n", b": ", b"- ", b"&a ", b"*a", b"{", b"[", b"\t", b"\0"]
                ),
            )
        )
        return raw[:at] + piece + raw[at:]
    if kind == "invalid-utf8":
        return (
            raw[:at]
            + data.draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"]))
            + raw[at:]
        )
    bomb = data.draw(st.sampled_from(BOMBS)).encode()
    return raw[:at] + b"\n" + bomb + raw[at:]


def _check_problems(problems, root: Path) -> None:
    for problem in problems:
        assert problem.path, problem
        assert isinstance(problem.line, int) and problem.line >= 1, problem
        assert problem.message, problem


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "content"
    shutil.copytree(FIXTURES / "content", root)
    return root


def _restore(root: Path, name: str) -> None:
    shutil.copyfile(FIXTURES / "content" / COURSE / name, root / COURSE / name)


@settings(PROFILE)
@given(data=st.data())
def test_checker_reports_every_broken_file_with_a_line_and_never_crashes(tree, data):
    target = data.draw(st.sampled_from(TARGETS), label="target")
    seed = data.draw(st.sampled_from([FIXTURES / "content" / COURSE / target, *SEEDS]))
    raw = _mutate(data, seed.read_bytes())
    (tree / COURSE / target).write_bytes(raw)
    try:
        started = time.monotonic()
        result = load_content(tree)
        assert time.monotonic() - started < SECONDS
        _check_problems(result.problems, tree)
    finally:
        _restore(tree, target)


@pytest.mark.parametrize(
    "target, text",
    [("course.md", "---\n" + b + "---\n\nBody\n") for b in BOMBS]
    + [("01-first-steps.md", "---\n" + b + "---\n\nBody\n") for b in BOMBS]
    + [("01-first-steps.quiz.yml", b) for b in BOMBS + QUIZ_BOMBS],
)
def test_yaml_bombs_deep_nesting_and_huge_numbers_are_reported_not_run(tree, target, text):
    (tree / COURSE / target).write_text(text)
    try:
        started = time.monotonic()
        result = load_content(tree)
        assert time.monotonic() - started < SECONDS
        _check_problems(result.problems, tree)
    finally:
        _restore(tree, target)


@settings(PROFILE)
@given(data=st.data())
def test_gift_parser_reports_every_broken_file_with_a_line_and_never_crashes(data):
    seed = data.draw(st.sampled_from(GIFT_SEEDS))
    raw = _mutate(data, seed.read_bytes())
    text = raw.decode("utf-8", errors="replace")
    started = time.monotonic()
    _categories, problems = parse_gift(text, "bank.gift")
    assert time.monotonic() - started < SECONDS
    _check_problems(problems, Path("."))


@pytest.mark.parametrize(
    "text",
    [
        "{" * 20000,
        "}" * 20000,
        "::" * 20000,
        "$CATEGORY: " + "x" * 100_000,
        "Q {#" + "9" * 5000 + ":" + "9" * 5000 + "}",
        "Q {#1e999..-1e999}",
        "Q {#nan:inf}",
        "Q {=a ->" * 5000,
        "\\" * 50_001,
        "// x\n" * 50_000,
        "Q {~%" + "9" * 5000 + "%a =b}",
        "\x00{\x00=\x00}\x00",
    ],
)
def test_gift_parser_survives_pathological_input(text):
    started = time.monotonic()
    _categories, problems = parse_gift(text, "bank.gift")
    assert time.monotonic() - started < SECONDS
    _check_problems(problems, Path("."))


@settings(PROFILE, max_examples=min(PROFILE.max_examples, 15))
@given(data=st.data())
def test_gift_import_command_never_crashes_on_broken_files(tmp_path_factory, data):
    from lms.content.gift.cli import import_gift

    folder = tmp_path_factory.mktemp("gift")
    course = folder / "content" / "technology" / "imported"
    seed = data.draw(st.sampled_from(GIFT_SEEDS))
    bank = folder / "bank.gift"
    bank.write_bytes(_mutate(data, seed.read_bytes()))
    from click.testing import CliRunner

    result = CliRunner().invoke(import_gift, [str(bank), "--course", str(course)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output


def test_billion_laughs_is_refused_quickly_with_a_line():
    from lms.content.yamlfile import YamlError, load_yaml

    started = time.monotonic()
    with pytest.raises(YamlError, match="too many aliases") as caught:
        load_yaml(BILLION_LAUGHS, first_line=2)
    assert time.monotonic() - started < 2
    assert caught.value.line >= 2


def test_an_alias_inside_itself_is_refused():
    from lms.content.yamlfile import YamlError, load_yaml

    with pytest.raises(YamlError, match="refers to the value"):
        load_yaml("title: &x [1, *x]\n")


def test_a_number_with_thousands_of_digits_is_a_problem_on_its_line():
    from lms.content.yamlfile import YamlError, load_yaml

    with pytest.raises(YamlError, match="too many digits") as caught:
        load_yaml("title: x\nduration_hours: " + "9" * 5000 + "\n")
    assert caught.value.line == 2


def test_gift_numbers_too_large_are_reported():
    _categories, problems = parse_gift("Q {#" + "9" * 5000 + "}\n\nR {#1e999}\n", "bank.gift")
    assert [p.line for p in problems if "too large" in p.message] == [1, 3]
