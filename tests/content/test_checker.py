"""``lms content check``: every kind of problem is reported as path:line: message."""

import json

import pytest

from lms.cli import main
from lms.content.loader import load_content

COURSE = "technology/sample-course"


def problems(content_dir, where=None):
    tree = load_content(where or content_dir)
    return [str(p) for p in tree.errors]


def edit(content_dir, relative, old, new):
    path = content_dir / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))


def test_fixture_content_is_clean(content_dir):
    tree = load_content(content_dir)
    assert tree.problems == []
    summary = tree.summary()
    assert (summary["areas"], summary["courses"], summary["modules"]) == (2, 2, 3)
    assert summary["quizzes"] == 1 and summary["questions"] == 2
    assert summary["questions_by_type"]["single"] == 1
    assert summary["questions_by_type"]["reflection"] == 1


@pytest.mark.parametrize(
    "relative, old, new, expected",
    [
        (
            f"{COURSE}/course.md",
            "summary: A small",
            "sumary: A small",
            f"{COURSE}/course.md:3: unknown key 'sumary' in front matter (did you mean 'summary'?)",
        ),
        (
            f"{COURSE}/course.md",
            "summary: A small course used by the tests.\n",
            "",
            f"{COURSE}/course.md:2: missing required key 'summary' in front matter",
        ),
        (
            f"{COURSE}/course.md",
            "level: beginner",
            "level: expert",
            f"{COURSE}/course.md:4: 'level' must be one of: beginner, intermediate, advanced (got 'expert')",
        ),
        (
            f"{COURSE}/course.md",
            "duration_hours: 1.5",
            "duration_hours: soon",
            f"{COURSE}/course.md:5: 'duration_hours' must be a number greater than 0 (got 'soon')",
        ),
        (
            f"{COURSE}/01-first-steps.md",
            "duration_minutes: 20",
            "duration_minutes: twenty",
            f"{COURSE}/01-first-steps.md:3: 'duration_minutes' must be a whole number greater than 0 (got 'twenty')",
        ),
        (
            f"{COURSE}/01-first-steps.md",
            "objectives:\n  - Take",
            "objectives: [Take",
            f"{COURSE}/01-first-steps.md:5: invalid YAML:",
        ),
        (
            f"{COURSE}/01-first-steps.md",
            "---\ntitle",
            "title",
            f"{COURSE}/01-first-steps.md:1: missing front matter",
        ),
        (
            f"{COURSE}/course.md",
            "  - trends/future-course",
            "  - trends/no-such-course",
            f"{COURSE}/course.md:10: prerequisite course 'trends/no-such-course' does not exist",
        ),
        (
            f"{COURSE}/01-first-steps.md",
            "(02-second-steps.md#details)",
            "(03-missing.md)",
            f"{COURSE}/01-first-steps.md:10: link to a module that does not exist: '03-missing.md'",
        ),
        (
            f"{COURSE}/01-first-steps.md",
            "(images/diagram.svg)",
            "(images/missing.png)",
            f"{COURSE}/01-first-steps.md:12: link to a file that does not exist: 'images/missing.png'",
        ),
        (
            f"{COURSE}/01-first-steps.md",
            "(02-second-steps.md#details)",
            "(javascript:alert(1))",
            f"{COURSE}/01-first-steps.md:10: link uses the unsafe scheme 'javascript:'",
        ),
        (
            f"{COURSE}/01-first-steps.md",
            '!!! tip "A useful tip"',
            '!!! danger "Boom"',
            f"{COURSE}/01-first-steps.md:14: unknown admonition 'danger'; use one of: note, tip, warning",
        ),
        (
            f"{COURSE}/02-second-steps.md",
            "future-course/01-looking-ahead.md",
            "future-course/09-x.md",
            f"{COURSE}/02-second-steps.md:11: link to a module that does not exist",
        ),
    ],
)
def test_each_front_matter_and_markdown_error_names_file_and_line(
    content_dir, relative, old, new, expected
):
    edit(content_dir, relative, old, new)
    found = problems(content_dir)
    assert any(p.startswith(expected) for p in found), found


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            "        correct: true\n",
            "",
            "6: a single question needs exactly one correct choice ('correct: true'); none is marked",
        ),
        (
            "      - text: Milling",
            "      - text: printing",
            "9: duplicate choice 'printing' (also on line 7)",
        ),
        ("    type: reflection", "    type: essay", "13: unknown question type 'essay'"),
        (
            "pass_mark: 70",
            "pass_mark: 170",
            "1: 'pass_mark' must be a whole percentage from 0 to 100 (got 170)",
        ),
        (
            "  - id: reflect\n    type: reflection\n    prompt: What did you learn?\n",
            "  - id: reflect\n    type: numeric\n    prompt: How many?\n",
            "12: a numeric question needs a 'value'",
        ),
        (
            "  - id: reflect\n    type: reflection\n    prompt: What did you learn?\n",
            "  - id: reflect\n    type: matching\n    prompt: Match\n    pairs:\n      - [a, b]\n",
            "15: a matching question needs at least 2 pairs",
        ),
        (
            "  - id: reflect\n",
            "  - id: first-question\n",
            "12: question id 'first-question' is already used on line 3",
        ),
        (
            "    explanation: Printing adds material.",
            "    explanaton: Printing adds material.",
            "11: unknown key 'explanaton' in a single question (did you mean 'explanation'?)",
        ),
    ],
)
def test_each_quiz_error_names_file_and_line(content_dir, old, new, expected):
    quiz = f"{COURSE}/01-first-steps.quiz.yml"
    edit(content_dir, quiz, old, new)
    found = problems(content_dir)
    assert any(p.startswith(f"{quiz}:{expected}") for p in found), found


def test_structure_errors(content_dir):
    course = content_dir / COURSE
    (content_dir / "design").mkdir()
    (course / "notes.md").write_text("stray")
    (course / "03-first-steps.md").write_text((course / "01-first-steps.md").read_text())
    (course / "01-other.md").write_text((course / "02-second-steps.md").read_text())
    (course / "07-orphan.quiz.yml").write_text("questions: []\n")
    (content_dir / "mindset" / "sample-course").mkdir()
    (content_dir / "mindset" / "sample-course" / "course.md").write_text(
        (course / "course.md").read_text()
    )
    (content_dir / "mindset" / "Bad_Slug").mkdir()
    found = problems(content_dir)
    expected = [
        "design:1: 'design' is not a training area",
        f"{COURSE}/notes.md:1: not a module or quiz file name",
        f"{COURSE}/03-first-steps.md:1: module slug 'first-steps' is already used by 01-first-steps.md",
        f"{COURSE}/01-other.md:1: module number 01 is already used by 01-first-steps.md",
        f"{COURSE}/07-orphan.quiz.yml:1: quiz has no module",
        "mindset/Bad_Slug:1: course folder 'Bad_Slug' must be a slug",
    ]
    for item in expected:
        assert any(p.startswith(item) for p in found), (item, found)
    assert any("course slug 'sample-course' is already used" in p for p in found), found


def test_check_command_prints_problems_and_exits_1(content_dir, runner):
    edit(content_dir, f"{COURSE}/course.md", "level: beginner", "level: expert")
    result = runner.invoke(main, ["content", "check", str(content_dir)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(
        line.endswith(
            f"{COURSE}/course.md:4: 'level' must be one of: beginner, "
            "intermediate, advanced (got 'expert')"
        )
        for line in lines
    ), lines
    assert "1 error (listed above): fix, then check again. Loaded without errors:" in result.output
    assert "1 areas" not in result.output and "error(s)" not in result.output
    # Paths read the same in the CLI and on the site's banner: outside the current folder the
    # path is absolute, so an editor opens it.
    assert f"{content_dir.resolve()}/{COURSE}/course.md:4: " in result.output


def test_check_command_summary_and_json(content_dir, runner):
    result = runner.invoke(main, ["content", "check", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "OK: 2 areas, 2 courses, 3 modules, 1 quiz, 2 questions" in result.output
    result = runner.invoke(main, ["content", "check", "--json", str(content_dir)])
    data = json.loads(result.output)
    assert data["ok"] is True
    assert data["summary"]["modules"] == 3
    assert data["questions_by_type"] == {
        "single": 1,
        "multiple": 0,
        "truefalse": 0,
        "short": 0,
        "numeric": 0,
        "matching": 0,
        "reflection": 1,
    }


def test_check_accepts_a_single_course_folder_and_reports_only_its_problems(content_dir, runner):
    edit(content_dir, "trends/future-course/course.md", "level: intermediate", "level: x")
    result = runner.invoke(main, ["content", "check", str(content_dir / COURSE)])
    assert result.exit_code == 0, result.output
    assert "1 area, 1 course, 2 modules" in result.output
    result = runner.invoke(main, ["content", "check", str(content_dir / "trends/future-course")])
    assert result.exit_code == 1


def test_the_shipped_starter_content_is_valid():
    from pathlib import Path

    tree = load_content(Path(__file__).parents[2] / "content")
    assert tree.errors == []
    summary = tree.summary()
    assert summary["courses"] >= 2
