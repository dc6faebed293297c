"""Translations beside the originals: what ``lms content check`` says and what sync publishes."""

import hashlib

import pytest
import sqlalchemy as sa

from lms.cli import main
from lms.content.loader import load_content
from lms.courses.models import CourseTranslation, ModuleTranslation
from lms.extensions import db
from lms.publishing.sync import sync_content
from lms.quizzes.models import QuizTranslation
from tests.content.test_checker import COURSE, edit

MODULE_IT = f"{COURSE}/01-first-steps.it.md"
QUIZ_IT = f"{COURSE}/01-first-steps.it.quiz.yml"


def current_hash(content_dir, relative: str) -> str:
    return hashlib.sha256((content_dir / relative).read_bytes()).hexdigest()[:12]


def messages(content_dir, severity=None) -> list[str]:
    tree = load_content(content_dir)
    return [str(p) for p in tree.problems if severity in (None, p.severity)]


def write(content_dir, relative: str, text: str) -> None:
    (content_dir / relative).write_text(text)


def quiz_translation(content_dir, old: str, new: str, count: int = 1) -> None:
    """Change the fixture's Italian quiz (kept otherwise a faithful copy of the original)."""
    path = content_dir / QUIZ_IT
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


def test_fixture_translations_are_clean_and_counted(content_dir, runner):
    tree = load_content(content_dir)
    assert tree.problems == []
    assert tree.summary()["translations"] == {"it": {"files": 3}}
    result = runner.invoke(main, ["content", "check", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "translations: it 3 files" in result.output


def test_changed_original_makes_its_translation_out_of_date_as_a_warning(content_dir, runner):
    edit(content_dir, f"{COURSE}/01-first-steps.md", "Tips are highlighted.", "Tips stand out.")
    now = current_hash(content_dir, f"{COURSE}/01-first-steps.md")
    assert messages(content_dir) == [
        f"{MODULE_IT}:3: warning: out of date: written for 01-first-steps.md at "
        f"{load_content(content_dir).courses[0].modules[0].translations['it'].translation_of}, "
        f"but 01-first-steps.md has changed since (now {now}); bring the translation up to "
        f"date, then set 'translation_of: {now}'"
    ]
    result = runner.invoke(main, ["content", "check", str(content_dir)])
    assert result.exit_code == 0, result.output  # a warning does not block publishing
    assert "translations: it 3 files (1 out of date)" in result.output
    strict = runner.invoke(main, ["content", "check", "--strict", str(content_dir)])
    assert strict.exit_code == 1
    assert "which --strict counts as failures" in strict.output


def test_updating_translation_of_clears_the_warning(content_dir, runner):
    edit(content_dir, f"{COURSE}/01-first-steps.md", "Tips are highlighted.", "Tips stand out.")
    old = load_content(content_dir).courses[0].modules[0].translations["it"].translation_of
    now = current_hash(content_dir, f"{COURSE}/01-first-steps.md")
    result = runner.invoke(
        main, ["content", "translation-hash", str(content_dir / COURSE / "01-first-steps.md")]
    )
    assert result.output.strip() == now
    edit(content_dir, MODULE_IT, f"translation_of: {old}", f"translation_of: {now}")
    assert messages(content_dir) == []


@pytest.mark.parametrize(
    "relative, text, expected",
    [
        (
            f"{COURSE}/03-missing.it.md",
            "---\ntitle: Mancante\ntranslation_of: 0123456789ab\n---\n\nTesto.\n",
            f"{COURSE}/03-missing.it.md:1: translation of a module that does not exist: "
            "expected 03-missing.md",
        ),
        (
            f"{COURSE}/02-second-steps.it.quiz.yml",
            "translation_of: 0123456789ab\nquestions: []\n",
            f"{COURSE}/02-second-steps.it.quiz.yml:1: translation of a quiz that does not "
            "exist: expected 02-second-steps.quiz.yml",
        ),
        (
            "trends/future-course/course.xx.md",
            "---\ntitle: X\nsummary: Y\ntranslation_of: 0123456789ab\n---\n",
            "trends/future-course/course.xx.md:1: unknown language code 'xx' in the file "
            "name; use one of: it, de, sl, hr, cs, sk, pl, hu",
        ),
        (
            f"{COURSE}/02-second-steps.en.md",
            "---\ntitle: Second\ntranslation_of: 0123456789ab\n---\n\nText.\n",
            f"{COURSE}/02-second-steps.en.md:1: 'en' is the language of the original "
            "(course.md says language: en); a translation needs another language",
        ),
    ],
)
def test_translation_file_names_are_checked(content_dir, relative, text, expected):
    write(content_dir, relative, text)
    assert expected in messages(content_dir, "error")


def test_missing_and_malformed_translation_of(content_dir):
    edit(content_dir, MODULE_IT, "translation_of:", "translation_from:")
    now = current_hash(content_dir, f"{COURSE}/01-first-steps.md")
    found = messages(content_dir, "error")
    assert (
        f"{MODULE_IT}:2: missing 'translation_of': add 'translation_of: {now}' (the hash of "
        "01-first-steps.md as it is now) once the translation matches it" in found
    )
    assert any("unknown key 'translation_from'" in m for m in found)
    edit(content_dir, MODULE_IT, "translation_from: ", "translation_of: latest # ")
    assert (
        f"{MODULE_IT}:3: 'translation_of' must be the first 12 hex characters of the SHA-256 "
        "of 01-first-steps.md (got 'latest'); print it with: lms content translation-hash "
        "01-first-steps.md"
    ) in messages(content_dir, "error")


def test_all_digit_hash_is_read_as_written(content_dir):
    """YAML reads ``012345670123`` as an (octal) number: the checker takes it as written."""
    edit(content_dir, MODULE_IT, "translation_of: ", "translation_of: 012345670123 # ")
    found = messages(content_dir)
    assert any("written for 01-first-steps.md at 012345670123" in m for m in found), found


def test_module_translation_front_matter_and_body_rules(content_dir):
    edit(content_dir, MODULE_IT, "objectives:\n", "duration_minutes: 30\nobjectives:\n  - Due.\n")
    edit(content_dir, MODULE_IT, "(02-second-steps.md#details)", "(javascript:alert(1))")
    edit(content_dir, MODULE_IT, "![Un diagramma", "[altro](04-nowhere.md)\n\n![Un diagramma")
    found = messages(content_dir)
    assert (
        f"{MODULE_IT}:4: warning: 'duration_minutes' comes from the original 01-first-steps.md; "
        "remove it here (a translation's value is ignored)"
    ) in found
    assert (
        f"{MODULE_IT}:5: 'objectives' has 2 item(s) here, 1 in the original 01-first-steps.md: "
        "translate each objective once"
    ) in found
    assert f"{MODULE_IT}:12: link uses the unsafe scheme 'javascript:'" in found
    assert f"{MODULE_IT}:14: link to a module that does not exist: '04-nowhere.md'" in found


def test_course_translation_needs_title_and_summary(content_dir):
    edit(content_dir, f"{COURSE}/course.it.md", "summary: Un piccolo corso usato dai test.\n", "")
    assert f"{COURSE}/course.it.md:2: missing required key 'summary' in front matter" in messages(
        content_dir, "error"
    )


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            "        feedback: La fresatura toglie materiale.\n",
            "        feedback: La fresatura toglie materiale.\n      - text: La fusione\n",
            ":4: question 'first-question': 3 choices here, 2 in the original",
        ),
        (
            "    type: single",
            "    type: multiple",
            ":4: question 'first-question': type is multiple here, single in the original",
        ),
        (
            "      - text: La fresatura\n",
            "      - text: La fresatura\n        correct: true\n",
            ":7: a single question needs exactly one correct choice ('correct: true'); "
            "2 are marked",
        ),
        (
            "pass_mark: 70",
            "pass_mark: 60",
            ":2: settings differ: pass_mark is 60 here, 70 in the original",
        ),
        (
            "pass_mark: 70",
            "pass_mark: 70\nshuffle: true",
            ":3: settings differ: shuffle is true here, false in the original",
        ),
        (
            "  - id: reflect",
            "  - id: reflection",
            ":13: question 'reflection' is not in the original",
        ),
    ],
)
def test_quiz_translation_structure_must_match(content_dir, old, new, expected):
    quiz_translation(content_dir, old, new)
    assert any(m == QUIZ_IT + expected for m in messages(content_dir, "error")), messages(
        content_dir
    )


def test_quiz_translation_correct_flags_and_order(content_dir):
    quiz_translation(content_dir, "        correct: true\n", "")
    quiz_translation(
        content_dir,
        "        feedback: La fresatura toglie materiale.\n",
        "        feedback: La fresatura toglie materiale.\n        correct: true\n",
    )
    assert (
        f"{QUIZ_IT}:4: question 'first-question': choice 1 is not marked correct here, "
        "unlike the original"
    ) in messages(content_dir, "error")


def test_quiz_translation_in_another_order(content_dir):
    text = (content_dir / QUIZ_IT).read_text()
    head, rest = text.split("questions:\n")
    first, second = rest.split("  - id: reflect\n")
    write(content_dir, QUIZ_IT, f"{head}questions:\n  - id: reflect\n{second}{first}")
    assert (
        f"{QUIZ_IT}:3: questions are in a different order: reflect, first-question here, "
        "first-question, reflect in the original"
    ) in messages(content_dir, "error")


def test_missing_question_is_named(content_dir):
    text = (content_dir / QUIZ_IT).read_text()
    write(content_dir, QUIZ_IT, text.split("  - id: reflect\n")[0])
    assert f"{QUIZ_IT}:3: questions of the original missing here: 'reflect'" in messages(
        content_dir, "error"
    )


# --- sync -------------------------------------------------------------------------------


def translation_rows():
    rows = {}
    for model in (CourseTranslation, ModuleTranslation, QuizTranslation):
        rows[model.__tablename__] = [
            tuple(getattr(obj, c.key) for c in model.__table__.columns)
            for obj in db.session.scalars(sa.select(model).order_by(model.id))
        ]
    return rows


def test_sync_publishes_translations_once(app, content_dir, runner):
    with app.app_context():
        before = translation_rows()
        assert [len(v) for v in before.values()] == [1, 1, 1]
        module = db.session.scalar(sa.select(ModuleTranslation))
        assert module.title == "Primi passi" and module.language == "it"
        assert 'href="second-steps#details"' in module.body_html  # links as in the original
        assert 'src="assets/images/diagram.svg"' in module.body_html
        assert not module.out_of_date
    result = runner.invoke(main, ["content", "sync", str(content_dir)])
    assert "Nothing to change" in result.output, result.output
    with app.app_context():
        assert translation_rows() == before


def test_sync_reports_translation_changes_and_removals(app, content_dir, runner):
    edit(content_dir, MODULE_IT, "title: Primi passi", "title: I primi passi")
    (content_dir / f"{COURSE}/course.it.md").unlink()
    result = runner.invoke(main, ["content", "sync", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "updated: module sample-course/first-steps (it)" in result.output
    assert "removed: course sample-course (it)" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(ModuleTranslation.title)) == "I primi passi"
        assert db.session.scalar(sa.select(sa.func.count(CourseTranslation.id))) == 0


def test_broken_translation_is_skipped_and_the_rest_published(app, content_dir, runner):
    quiz_translation(content_dir, "pass_mark: 70", "pass_mark: 50")
    edit(content_dir, MODULE_IT, "title: Primi passi", "title: I primi passi")
    edit(content_dir, f"{COURSE}/02-second-steps.md", "title: Second steps", "title: Step two")
    with app.app_context():
        quiz_before = translation_rows()["quiz_translations"]
    result = runner.invoke(main, ["content", "sync", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert f"{QUIZ_IT}:2: settings differ: pass_mark is 50 here, 70 in the original" in (
        result.output
    )
    assert f"Skipped {QUIZ_IT}" in result.output.replace(str(content_dir) + "/", "")
    assert "updated: module sample-course/second-steps" in result.output
    with app.app_context():
        assert translation_rows()["quiz_translations"] == quiz_before  # last good version
        assert db.session.scalar(sa.select(ModuleTranslation.title)) == "I primi passi"
    again = runner.invoke(main, ["content", "sync", str(content_dir)])
    assert "Nothing to change" in again.output, again.output


def test_translation_of_a_new_original_waits_for_a_good_version(app, content_dir):
    write(
        content_dir,
        f"{COURSE}/02-second-steps.de.md",
        "---\ntitle: Zweite Schritte\n---\n\n## Details\n",
    )
    with app.app_context():
        report = sync_content(content_dir)
        assert report.applied
        assert report.skipped == [f"{COURSE}/02-second-steps.de.md"]
        db.session.commit()
        assert (
            db.session.scalar(
                sa.select(sa.func.count(ModuleTranslation.id)).where(
                    ModuleTranslation.language == "de"
                )
            )
            == 0
        )


def test_out_of_date_translation_is_published_with_the_flag(app, content_dir):
    edit(content_dir, f"{COURSE}/01-first-steps.md", "Tips are highlighted.", "Tips stand out.")
    with app.app_context():
        report = sync_content(content_dir)
        db.session.commit()
        assert report.applied
        module = db.session.scalar(sa.select(ModuleTranslation))
        assert module.out_of_date


def test_unchanged_quiz_translation_is_not_parsed_again_but_still_warned_about(app, content_dir):
    edit(
        content_dir,
        f"{COURSE}/01-first-steps.quiz.yml",
        "prompt: Which is additive?",
        "prompt: Which process is additive?",
    )
    expected = f"{QUIZ_IT}:1: warning: out of date: written for 01-first-steps.quiz.yml"
    with app.app_context():
        first = sync_content(content_dir)
        db.session.commit()
        assert f"updated: quiz {COURSE}/01-first-steps.quiz.yml (it)" in first.changes
        second = sync_content(content_dir)
        assert not second.changed
        assert [str(p)[: len(expected)] for p in second.tree.warnings] == [expected]
        assert db.session.scalar(sa.select(QuizTranslation)).out_of_date


def test_translations_are_sanitized_like_originals(app, content_dir):
    edit(
        content_dir,
        MODULE_IT,
        "## Per cominciare",
        '## Per cominciare\n\n<script>alert(1)</script>\n\n<img src="x" onerror="alert(2)">',
    )
    with app.app_context():
        assert sync_content(content_dir).applied
        db.session.commit()
        html = db.session.scalar(sa.select(ModuleTranslation.body_html))
    assert "Per cominciare" in html
    assert "<script" not in html and "onerror" not in html


def test_json_output_counts_translations(content_dir, runner):
    import json

    edit(content_dir, f"{COURSE}/course.md", "Start with", "Begin with")
    result = runner.invoke(main, ["content", "check", "--json", str(content_dir)])
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["ok"]
    assert data["summary"]["translations"] == {"it": {"files": 3, "out of date": 1}}
    assert data["problems"][0]["severity"] == "warning"
    strict = runner.invoke(main, ["content", "check", "--json", "--strict", str(content_dir)])
    assert strict.exit_code == 1 and not json.loads(strict.output)["ok"]
