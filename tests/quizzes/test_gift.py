"""Moodle GIFT import: one test per construct, then ``lms quiz import-gift`` end to end."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.cli import main
from lms.content.gift import parse_gift
from lms.content.loader import load_content
from lms.content.quizformat import dump_quiz, parse_quiz
from lms.content.yamlfile import load_yaml

GIFT = Path(__file__).parent.parent / "fixtures" / "gift"


def parse(text: str):
    """Categories and problems as ``path:line: message`` strings."""
    categories, problems = parse_gift(text, "quiz.gift")
    return categories, [str(p) for p in problems]


def only_question(text: str) -> dict:
    """The one question ``text`` holds, without its ``line``; no problem allowed."""
    categories, problems = parse(text)
    assert problems == []
    [(name, [question], descriptions)] = categories
    assert (name, descriptions) == (None, [])
    return {k: v for k, v in question.items() if k != "line"}


def common(prompt: str, qid: str = "q1", **fields) -> dict:
    return {"id": qid, "prompt": prompt, "points": 1, "explanation": None, **fields}


def choice(text, correct=False, credit=None, feedback=None) -> dict:
    return {"text": text, "correct": correct, "credit": credit, "feedback": feedback}


def answer(text, credit=100, feedback=None) -> dict:
    return {"text": text, "credit": credit, "feedback": feedback}


# -- one construct per test ------------------------------------------------------------------


def test_comment_lines_are_ignored_even_inside_a_question():
    question = only_question(
        "// a comment before\n::Q:: Which is additive? {\n"
        "// between answers\n=Printing\n~Milling\n}"
    )
    assert question["prompt"] == "Which is additive?"
    assert [c["text"] for c in question["choices"]] == ["Printing", "Milling"]


def test_title_becomes_the_question_id_made_unique():
    categories, problems = parse(
        "::Layer height!:: Is it 0.2 mm? {T}\n\n::Layer height:: Again? {F}\n\n::日本:: No slug? {T}"
    )
    assert problems == []
    ids = [q["id"] for q in categories[0].questions]
    assert ids == ["layer-height", "layer-height-2", "q3"]


def test_untitled_questions_are_numbered_q1_q2():
    categories, _ = parse("First? {T}\n\nSecond? {F}")
    assert [q["id"] for q in categories[0].questions] == ["q1", "q2"]


def test_category_starts_a_module_and_earlier_questions_go_to_the_default_one():
    categories, problems = parse(
        "Before? {T}\n\n$CATEGORY: $course$/top/Default for AM/Basics\n\nIn basics? {T}\n\n"
        "$CATEGORY: Advanced\nIn advanced? {F}\n\n$CATEGORY: $course$/top/Default for AM/Basics\n"
        "\nBack in basics? {T}"
    )
    assert problems == []
    assert [(c.name, [q["prompt"] for q in c.questions]) for c in categories] == [
        (None, ["Before?"]),
        ("Default for AM/Basics", ["In basics?", "Back in basics?"]),
        ("Advanced", ["In advanced?"]),
    ]


def test_multiple_choice_with_one_right_answer_is_a_single_question():
    assert only_question("Grant is buried in? {~Grant's tomb =no one ~Jefferson}") == common(
        "Grant is buried in?",
        type="single",
        choices=[choice("Grant's tomb"), choice("no one", correct=True), choice("Jefferson")],
    )


def test_weighted_wrong_answers_give_part_credit_or_cost_points():
    question = only_question("Best hinge material? {=PP ~%50%TPU ~%-100%PLA ~ABS}")
    assert question["type"] == "single"
    assert question["choices"] == [
        choice("PP", True, 100),
        choice("TPU", False, 50),
        choice("PLA", False, -100),
        choice("ABS", False, 0),
    ]


def test_several_positive_weights_make_a_multiple_answer_question():
    question = only_question(
        "Usually printed? {~%33.33333%Prototypes ~%33.33333%Jigs ~%33.33333%Fixtures ~%-100%Screws}"
    )
    assert question == common(
        "Usually printed?",
        type="multiple",
        choices=[
            choice("Prototypes", True, 33.33333),
            choice("Jigs", True, 33.33333),
            choice("Fixtures", True, 33.33333),
            choice("Screws", False, -100),
        ],
    )


@pytest.mark.parametrize(
    "block, expected", [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)]
)
def test_true_false_in_every_spelling(block, expected):
    assert only_question(f"Printing adds material. {{{block}}}") == common(
        "Printing adds material.",
        type="truefalse",
        answer=expected,
        correct_feedback=None,
        incorrect_feedback=None,
    )


def test_true_false_feedback_is_wrong_answer_first_then_right_answer():
    question = only_question("Every overhang needs support. {FALSE#Gentle ones do not.#Right.}")
    assert question["answer"] is False
    assert question["incorrect_feedback"] == "Gentle ones do not."
    assert question["correct_feedback"] == "Right."


def test_short_answer_accepts_every_listed_answer():
    assert only_question("Filament printing is called? {=FDM =FFF}") == common(
        "Filament printing is called?", type="short", answers=[answer("FDM"), answer("FFF")]
    )


def test_short_answer_weights_give_part_credit():
    question = only_question("Resin process? {=SLA =%50%DLP#Close: a related process.}")
    assert question["answers"] == [
        answer("SLA"),
        answer("DLP", 50, "Close: a related process."),
    ]


def test_matching_pairs_become_left_right_pairs():
    assert only_question("Match them. {=SLA -> Resin =SLS -> Powder =FFF -> Filament}") == common(
        "Match them.",
        type="matching",
        pairs=[["SLA", "Resin"], ["SLS", "Powder"], ["FFF", "Filament"]],
    )


def test_matching_with_fewer_than_two_pairs_is_reported():
    categories, problems = parse("\n::M:: Match it. {=SLA -> Resin}")
    assert categories == []
    assert problems == ["quiz.gift:2: a matching question needs at least 2 pairs; it has 1"]


def test_missing_word_puts_a_blank_where_the_answers_were():
    question = only_question("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question["prompt"] == "Grant is _____ in Grant's tomb."
    assert question["type"] == "single"


def test_numeric_answer_with_tolerance_is_a_value_and_tolerance():
    assert only_question("When was Grant born? {#1822:5}") == common(
        "When was Grant born?",
        type="numeric",
        answers=[{"value": 1822, "tolerance": 5, "credit": 100, "feedback": None}],
        unit=None,
    )


def test_numeric_range_is_min_and_max():
    question = only_question("A number from 1 to 3? {#1..3}")
    assert question["answers"] == [{"min": 1, "max": 3, "credit": 100, "feedback": None}]


def test_several_weighted_numeric_answers_keep_credit_and_feedback():
    question = only_question("Nozzle? {# =%100%0.4:0 #Usual. =%50%0.4:0.2 #Close. =-1.5e1}")
    assert question["answers"] == [
        {"value": 0.4, "tolerance": 0, "credit": 100, "feedback": "Usual."},
        {"value": 0.4, "tolerance": 0.2, "credit": 50, "feedback": "Close."},
        {"value": -15.0, "tolerance": 0, "credit": 100, "feedback": None},
    ]


def test_essay_becomes_a_reflection():
    question = only_question("::Project:: Which part of your practice could use printing? {}")
    assert question == {
        "id": "project",
        "type": "reflection",
        "prompt": "Which part of your practice could use printing?",
        "points": 0,
        "explanation": None,
    }


def test_description_goes_into_the_module_text_not_the_quiz():
    categories, problems = parse(
        "::Layers:: Printers build parts from layers.\n\nDone? {T}\n\nNo title here."
    )
    assert problems == []
    [(_, questions, descriptions)] = categories
    assert [q["prompt"] for q in questions] == ["Done?"]
    assert descriptions == ["## Layers\n\nPrinters build parts from layers.", "No title here."]


def test_feedback_on_each_choice():
    question = only_question("Additive? {=Printing#Yes, layer by layer. ~Milling#No, subtractive.}")
    assert question["choices"] == [
        choice("Printing", True, feedback="Yes, layer by layer."),
        choice("Milling", feedback="No, subtractive."),
    ]


def test_general_feedback_becomes_the_explanation():
    question = only_question("Additive? {=Printing ~Milling ####Additive means adding.}")
    assert question["explanation"] == "Additive means adding."
    assert [c["feedback"] for c in question["choices"]] == [None, None]


def test_escaped_characters_are_literal():
    question = only_question(
        r"Is 1 \= 1 in \{braces\}\: a \~ b \# c\nnext line? {=yes\: \= \#1 #it is\# ~no}"
    )
    assert question["prompt"] == "Is 1 = 1 in {braces}: a ~ b # c\nnext line?"
    assert question["choices"][0] == choice("yes: = #1", True, feedback="it is#")


def test_markdown_text_is_kept():
    question = only_question("[markdown]Which is **additive**? {=*Printing* ~Milling}")
    assert question["prompt"] == "Which is **additive**?"
    assert question["choices"][0]["text"] == "*Printing*"


def test_html_text_is_kept_for_the_sanitizer():
    question = only_question("[html]<p>Which is <em>additive</em>?</p>{=<b>Printing</b> ~Milling}")
    assert question["prompt"] == "<p>Which is <em>additive</em>?</p>"
    assert question["choices"][0]["text"] == "<b>Printing</b>"


def test_plain_text_is_escaped_so_markdown_characters_stay_literal():
    question = only_question("[plain]# Is 2*3 <= 7 [yes] & _x_? {T}")
    assert question["prompt"] == r"\# Is 2\*3 &lt;= 7 \[yes\] & \_x\_?"


def test_moodle_auto_format_text_is_kept():
    question = only_question("[moodle]Is <b>this</b> kept? {T}")
    assert question["prompt"] == "Is <b>this</b> kept?"


def test_multi_line_question_and_answers():
    categories, problems = parse(
        "::Long::\nWhich process\nuses resin?\n{\n\t=SLA\n\t~SLS\n}\n\nNext? {T}"
    )
    assert problems == []
    first = categories[0].questions[0]
    assert first["prompt"] == "Which process\nuses resin?"
    assert [c["text"] for c in first["choices"]] == ["SLA", "SLS"]
    assert first["line"] == 1 and categories[0].questions[1]["line"] == 9


def test_blank_lines_separate_questions():
    categories, problems = parse("One? {T}\n\n\n   \nTwo? {F}\n\nThree? {T}")
    assert problems == []
    assert [q["prompt"] for q in categories[0].questions] == ["One?", "Two?", "Three?"]


def test_windows_line_endings_are_read():
    categories, problems = parse("::A:: One?\r\n{T}\r\n\r\n::B:: Two? {F}\r\n")
    assert problems == []
    assert [(q["id"], q["prompt"], q["line"]) for q in categories[0].questions] == [
        ("a", "One?", 1),
        ("b", "Two?", 4),
    ]


def test_byte_order_mark_is_ignored():
    question = only_question("\ufeff::Q:: Printed? {T}")
    assert (question["id"], question["prompt"]) == ("q", "Printed?")


def test_questions_get_the_default_points():
    assert only_question("Printed? {T}")["points"] == 1


# -- what GIFT has and our format cannot carry -----------------------------------------------


def test_matching_pair_feedback_and_distractors_are_dropped_with_a_warning():
    categories, problems = parse("Match. {\n=SLA -> Resin #Light.\n=SLS -> Powder\n= -> Wood\n}")
    assert categories[0].questions[0]["pairs"] == [["SLA", "Resin"], ["SLS", "Powder"]]
    assert problems == [
        "quiz.gift:2: warning: feedback on a matching pair is dropped ('Light.'); put it in "
        "the general feedback (####) instead",
        "quiz.gift:4: warning: the extra right-hand answer 'Wood' (a distractor without a left "
        "side) is dropped",
    ]


def test_numeric_answer_that_is_not_a_number_is_an_error_on_its_line():
    categories, problems = parse("How many?\n{#\n=100\n=%50%1,5\n}")
    assert categories == []
    assert problems == ["quiz.gift:4: '1,5' is not a number (write a decimal point, not a comma)"]


def test_single_answer_weights_without_a_full_answer_are_an_error():
    categories, problems = parse("Best? {~%50%PP ~TPU}")
    assert categories == []
    assert problems == [
        "quiz.gift:1: a single-answer question needs exactly one 100% answer; none is (use "
        "=right once, or ~%N% weights that add up to 100 for several right answers)"
    ]


def test_multiple_answer_weights_that_do_not_add_up_are_an_error():
    _, problems = parse("Which? {~%50%A ~%30%B ~C}")
    assert problems == [
        "quiz.gift:1: the positive weights of a multiple-answer question must add up to 100% "
        "(they add up to 80%)"
    ]


def test_unbalanced_braces_are_an_error_and_the_next_question_still_reads():
    categories, problems = parse("Open? {=a ~b\n\nClose? =a ~b}\n\nFine? {T}")
    assert [q["prompt"] for q in categories[0].questions] == ["Fine?"]
    assert problems == [
        "quiz.gift:1: '{' is not closed before the end of the question (a blank line ends a "
        "question; write \\{ for a brace in the text)",
        "quiz.gift:3: '}' without an opening '{' (write \\} for a brace in the text)",
    ]


def test_unknown_syntax_is_reported_never_dropped():
    _, problems = parse("::Unclosed title {T}\n\nTwo blocks {T} and {F}\n\nOdd {x =a ~b}")
    assert problems == [
        "quiz.gift:1: the title opened with '::' is not closed with '::'",
        "quiz.gift:3: a question has one answer block {...}; this is a second one (write \\{ "
        "for a brace in the text)",
        "quiz.gift:5: unexpected text 'x' before the first answer: start each answer with '=' "
        "(right) or '~' (wrong)",
    ]


def test_other_simplifications_are_warnings():
    categories, problems = parse("Value? {#5 ~#Not quite.}\n\nName? {=a* =* #Anything else}")
    assert len(categories[0].questions) == 2
    assert problems == [
        "quiz.gift:1: warning: feedback for any other answer (~#...) is dropped: our numeric "
        "questions give feedback only on the answers they list",
        "quiz.gift:3: warning: '*' in 'a*' is matched literally, not as a wildcard",
        "quiz.gift:3: warning: the catch-all answer '*' (and its feedback) is dropped: other "
        "answers simply score 0",
    ]


def test_what_our_format_rejects_is_an_error_at_the_question():
    _, problems = parse("\n" + "Long? {=" + "x" * 1001 + " ~y}")
    assert problems == [
        "quiz.gift:2: cannot be imported: 'text' is 1001 characters long; at most 1000"
    ]


GIFT_PIECES = [
    "{", "}", "=", "~", "#", "####", "->", "::", ":", "..", "%50%", "%-100%", "%100%", "\\",
    "\\=", "\\n", "\n", "\n\n", "//", "$CATEGORY: a/b", "T", "FALSE", "5", "1.5", "a", "b",
    " ", "[plain]", "[html]", "<b>", "*", "_", "&amp;", "\r\n", "\ufeff", "é", "no", "1..3",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(GIFT_PIECES) | st.text(max_size=5), max_size=40).map("".join))
def test_any_text_gives_valid_questions_or_problems_never_a_traceback(text):
    categories, problems = parse_gift(text, "quiz.gift")
    last_line = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    assert all(1 <= p.line <= last_line for p in problems)
    for category in categories:
        if category.questions:
            _, errors = parse_quiz(load_yaml(dump_quiz({"questions": category.questions})), "q")
            assert errors == []


# -- lms quiz import-gift ----------------------------------------------------------------------


def import_gift(gift: Path, course: Path):
    return CliRunner().invoke(main, ["quiz", "import-gift", str(gift), "--course", str(course)])


def files_under(path: Path) -> dict[str, bytes]:
    return {
        p.relative_to(path).as_posix(): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def test_import_creates_a_course_that_passes_the_checker(tmp_path):
    course = tmp_path / "content" / "technology" / "new-course"
    result = import_gift(GIFT / "moodle-export.gift", course)
    assert result.exit_code == 0, result.output
    assert sorted(files_under(course)) == [
        "01-basics.md",
        "01-basics.quiz.yml",
        "02-numbers.md",
        "02-numbers.quiz.yml",
        "course.md",
    ]
    tree = load_content(course)
    assert tree.problems == []
    [course_source] = tree.courses
    assert course_source.meta["title"] == "New course"
    assert "moodle-export.gift" in course_source.meta["summary"]
    basics, numbers = course_source.modules
    assert basics.meta["title"] == "Basics"
    assert "## Layers intro\n\nPrinters build parts from thin layers" in basics.body
    assert [q["type"] for q in basics.quiz.questions] == [
        "single",
        "multiple",
        "truefalse",
        "short",
    ]
    assert [q["id"] for q in numbers.quiz.questions] == [
        "layer-count",
        "nozzle",
        "match-processes",
        "your-project",
        "layer-height",
    ]
    assert f"wrote {course / '01-basics.md'} + 01-basics.quiz.yml (4 questions)" in result.output
    assert (
        "Imported 9 questions into 2 modules (single 1, multiple 1, truefalse 1, short 2, "
        "numeric 2, matching 1, reflection 1)" in result.output
    )


def test_import_into_an_existing_course_numbers_after_its_modules(content_dir):
    course = content_dir / "technology" / "sample-course"
    before = files_under(course)
    result = import_gift(GIFT / "moodle-export.gift", course)
    assert result.exit_code == 0, result.output
    after = files_under(course)
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(set(after) - set(before)) == [
        "03-basics.md",
        "03-basics.quiz.yml",
        "04-numbers.md",
        "04-numbers.quiz.yml",
    ]
    tree = load_content(content_dir)
    assert tree.problems == []
    assert [m.slug for m in tree.courses[0].modules] == [
        "first-steps",
        "second-steps",
        "basics",
        "numbers",
    ]


def test_import_refuses_a_module_slug_the_course_already_has(content_dir, tmp_path):
    gift = tmp_path / "second.gift"
    gift.write_text("$CATEGORY: Second steps\n\nAgain? {T}\n", encoding="utf-8")
    course = content_dir / "technology" / "sample-course"
    before = files_under(course)
    result = import_gift(gift, course)
    assert result.exit_code == 1
    assert "module slug 'second-steps'" in result.output
    assert "nothing was written" in result.output
    assert files_under(course) == before


def test_import_with_errors_prints_them_by_line_and_writes_nothing(tmp_path):
    course = tmp_path / "content" / "technology" / "new-course"
    gift = GIFT / "errors.gift"
    result = import_gift(gift, course)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{gift}:2: '{{' is not closed before the end of the question (a blank line ends a "
        "question; write \\{ for a brace in the text)",
        f"{gift}:4: 'one hundred' is not a number",
        f"{gift}:7: warning: feedback on a matching pair is dropped ('Light-cured.'); put it "
        "in the general feedback (####) instead",
        f"{gift}:11: a single-answer question needs exactly one 100% answer; none is (use "
        "=right once, or ~%N% weights that add up to 100 for several right answers)",
        f"3 error(s) in {gift}: nothing was written.",
    ]
    assert not (tmp_path / "content").exists()


def test_import_refuses_content_the_checker_would_reject(tmp_path):
    gift = tmp_path / "links.gift"
    gift.write_text("See [the next module](09-missing.md).\n\nRead it? {T}\n", encoding="utf-8")
    course = tmp_path / "content" / "technology" / "new-course"
    result = import_gift(gift, course)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{gift}:1: link to a module that does not exist: '09-missing.md'",
        "the imported content would not pass 'lms content check': nothing was written.",
    ]
    assert "nothing was written" in result.output
    assert not (tmp_path / "content").exists()


def test_import_needs_a_course_folder_inside_an_area(tmp_path):
    result = import_gift(GIFT / "moodle-export.gift", tmp_path / "content" / "new-course")
    assert result.exit_code == 2
    assert "must be inside an area folder" in result.output
    assert not (tmp_path / "content").exists()


def test_import_reports_a_file_that_is_not_utf8(tmp_path):
    gift = tmp_path / "latin1.gift"
    gift.write_bytes("Ok? {T}\n\nCaf\xe9? {T}\n".encode("latin-1"))
    result = import_gift(gift, tmp_path / "content" / "technology" / "new-course")
    assert result.exit_code == 1
    assert f"{gift}:3: the file is not UTF-8 text; save it as UTF-8" in result.output


def test_imported_quiz_reads_and_writes_back_to_the_same_text(tmp_path):
    course = tmp_path / "content" / "technology" / "new-course"
    assert import_gift(GIFT / "moodle-export.gift", course).exit_code == 0
    written = (course / "01-basics.quiz.yml").read_text(encoding="utf-8")
    quiz, errors = parse_quiz(load_yaml(written), "01-basics.quiz.yml")
    assert errors == []
    assert dump_quiz(quiz) == written


def test_import_refuses_a_file_over_the_size_limit(tmp_path, monkeypatch):
    from lms.content.gift import cli

    monkeypatch.setattr(cli, "MAX_GIFT_BYTES", 1024)
    gift = tmp_path / "big.gift"
    gift.write_text("Ok? {T}\n\n" * 200, encoding="utf-8")
    course = tmp_path / "content" / "technology" / "new-course"
    result = import_gift(gift, course)
    assert result.exit_code == 1
    assert "larger than" in result.output and "nothing was written" in result.output
    assert not course.exists()


def test_import_refuses_more_than_1000_questions(tmp_path):
    gift = tmp_path / "many.gift"
    gift.write_text("".join(f"Question {n}? {{T}}\n\n" for n in range(1001)), encoding="utf-8")
    assert gift.stat().st_size < 2 * 1024 * 1024
    course = tmp_path / "content" / "technology" / "new-course"
    result = import_gift(gift, course)
    assert result.exit_code == 1
    assert "1001 questions, more than 1000" in result.output
    assert not course.exists()
