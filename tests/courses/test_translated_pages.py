"""A learner reading in Italian gets the Italian course, module and quiz where they exist."""

import html as htmllib
import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from lms.publishing.sync import sync_content
from lms.quizzes.models import AttemptAnswer
from tests.conftest import PASSING, as_displayed, csrf_token, login, open_attempt
from tests.content.test_checker import COURSE, edit

LANGUAGES = {"en": "English", "it": "Italiano"}
FALLBACK = "This module is not yet available in %(language)s; you are reading the English original."
UPDATED = (
    "The English original of this module was updated after this translation was made, so a few "
    "details may differ."
)


@pytest.fixture
def italian(app):
    """The app offers Italian (the UI-translation work may change the default list)."""
    app.config["LMS_LANGUAGES"] = LANGUAGES
    return app


def read_in(app, client, language: str) -> None:
    """Make the signed-in learner's pages come in ``language`` (setting and browser agree)."""
    with app.app_context():
        db.session.get(User, client.user_id).locale = language
        db.session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def text(response) -> str:
    """The page's ``<main>``: what the course offers, without the header and footer (whose
    language switcher names every language in its own)."""
    match = re.search(r"<main\b.*</main>", page(response), flags=re.DOTALL)
    assert match
    return match.group(0)


def says(app, html: str, message: str, locale: str = "it", **values) -> bool:
    """Whether the page shows ``message`` as the interface in ``locale`` words it (its
    catalogue may already translate the notice, or not yet)."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale(locale):
        wanted = gettext(message, **values)
    return wanted in htmllib.unescape(html)


@pytest.fixture
def italian_learner(italian, learner_client):
    read_in(italian, learner_client, "it")
    return learner_client


def test_module_page_in_italian(italian_learner):
    assert '<html lang="it"' in page(italian_learner.get("/courses/sample-course/first-steps"))
    html = text(italian_learner.get("/courses/sample-course/first-steps"))
    assert "<h1>Primi passi</h1>" in html
    assert "<li>Fare il primo passo.</li>" in html
    assert 'id="per-cominciare"' in html and "I consigli sono evidenziati." in html
    assert 'href="second-steps#details"' in html  # links work as in the original
    assert "Corso di esempio" in html  # the breadcrumb's course title
    assert "translation-notice" not in html
    # The course outline names every module (an untranslated one marked lang="en", as the
    # pager does); the module itself is all Italian.
    outline_end = html.index("</details>", html.index('id="course-outline"'))
    assert 'lang="en">Second steps</a>' in html[:outline_end]
    content, pager = html[outline_end:].split('class="pager"')
    assert 'lang="en"' not in content and "First steps" not in html
    assert '<span lang="en">Second steps</span>' in pager  # the next module is not translated


def test_untranslated_module_is_english_with_a_notice(italian, italian_learner):
    html = text(italian_learner.get("/courses/sample-course/second-steps"))
    assert says(italian, html, FALLBACK, language="italiano")
    assert '<h1 lang="en">Second steps</h1>' in html
    assert '<div class="prose" lang="en">' in html
    assert 'rel="prev"' in html and "<span>Primi passi</span>" in html


def test_english_reader_sees_the_original_without_a_notice(italian, learner_client):
    learner_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = text(learner_client.get("/courses/sample-course/first-steps"))
    assert "<h1>First steps</h1>" in html
    assert "Primi passi" not in html and "translation-notice" not in html
    assert 'lang="it"' not in html


def test_out_of_date_translation_is_shown_with_a_note(italian, italian_learner, content_dir):
    edit(content_dir, f"{COURSE}/01-first-steps.md", "Tips are highlighted.", "Tips stand out.")
    with italian.app_context():
        assert sync_content(content_dir).applied
        db.session.commit()
    html = text(italian_learner.get("/courses/sample-course/first-steps"))
    assert "<h1>Primi passi</h1>" in html
    assert says(italian, html, UPDATED)
    assert html.count("translation-notice") == 1


def test_catalogue_course_page_and_my_learning_in_italian(italian_learner):
    catalogue = text(italian_learner.get("/"))
    assert "Corso di esempio" in catalogue and "Un piccolo corso usato dai test." in catalogue
    assert re.search(r'<h3 lang="en"><a href="/courses/future-course/">', catalogue)
    course = text(italian_learner.get("/courses/sample-course/"))
    assert "<h1>Corso di esempio</h1>" in course
    assert "<li>Leggere due moduli.</li>" in course
    assert ">Primi passi</a>" in course
    assert 'lang="en">Second steps</a>' in course
    assert "translation-notice" not in course
    italian_learner.get("/courses/sample-course/first-steps")
    mine = text(italian_learner.get("/me/learning"))
    assert "Corso di esempio" in mine


def test_course_without_translation_says_so(italian, italian_learner):
    html = text(italian_learner.get("/courses/future-course/"))
    message = (
        "This course is not yet available in %(language)s; you are reading the English original."
    )
    assert says(italian, html, message, language="italiano")


def test_api_translates_with_lang_or_the_page_rule(italian, client):
    items = client.get("/api/v1/courses?lang=it").get_json()["courses"]
    sample = next(c for c in items if c["slug"] == "sample-course")
    assert sample["title"] == "Corso di esempio" and sample["content_language"] == "it"
    future = next(c for c in items if c["slug"] == "future-course")
    assert future["content_language"] == "en"
    english = client.get("/api/v1/courses").get_json()["courses"]
    assert next(c for c in english if c["slug"] == "sample-course")["title"] == "Sample course"
    browser = client.get("/api/v1/courses", headers={"Accept-Language": "it"}).get_json()
    assert browser["courses"][0]["content_language"] in ("it", "en")
    assert any(c["title"] == "Corso di esempio" for c in browser["courses"])
    assert client.get("/api/v1/courses?lang=xx").status_code == 400


# --- quizzes ------------------------------------------------------------------------------


def test_quiz_page_in_italian(italian_learner):
    html = text(italian_learner.get("/courses/sample-course/first-steps/quiz"))
    assert "Quale processo è additivo?" in html and "La stampa" in html
    assert "Che cosa hai imparato?" in html
    assert "Which is additive?" not in html and "translation-notice" not in html


def submit(client, attempt_id: int, answers: dict):
    """Send ``answers`` as they are ("Submit anyway" when some questions are left out)."""
    data = {
        "csrf_token": csrf_token(client, "/courses/sample-course/first-steps/quiz"),
        "confirm_unanswered": "1",
    }
    return client.post(
        f"/attempts/{attempt_id}", data={**data, **as_displayed(client, attempt_id, answers)}
    )


def test_attempt_started_in_english_and_submitted_in_italian_grades_the_same(
    italian, learner_client, make_user
):
    learner_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    english_page = text(learner_client.get("/courses/sample-course/first-steps/quiz"))
    assert "Which is additive?" in english_page
    attempt_id = open_attempt(learner_client)
    read_in(italian, learner_client, "it")
    assert open_attempt(learner_client) == attempt_id  # the same attempt, now in Italian
    assert "Quale processo è additivo?" in text(
        learner_client.get("/courses/sample-course/first-steps/quiz")
    )
    response = submit(learner_client, attempt_id, PASSING)
    assert response.status_code == 303
    result = text(learner_client.get(response.headers["Location"]))
    assert "100%" in result
    assert "La stampa aggiunge materiale." in result  # the review in the current language
    # Someone reading only English scores the same with the same answers.
    _, email = make_user("learner")
    other = italian.test_client()
    login(other, email)
    other_response = submit(other, open_attempt(other), PASSING)
    assert "100%" in text(other.get(other_response.headers["Location"]))


def test_result_page_follows_the_current_language(italian, italian_learner):
    attempt_id = open_attempt(italian_learner)
    response = submit(italian_learner, attempt_id, {"q-first-question": "1"})
    url = response.headers["Location"]
    italian_result = text(italian_learner.get(url))
    assert "La fresatura toglie materiale." in italian_result
    read_in(italian, italian_learner, "en")
    english_result = text(italian_learner.get(url))
    assert "Milling removes material." in english_result
    assert "La fresatura" not in english_result


SHORT_QUESTION = """  - id: name-it
    type: short
    prompt: {prompt}
    answers: [{answers}]
  - id: size
    type: numeric
    prompt: {size}
    value: 12
    unit: {unit}
"""


def test_short_answers_and_units_of_a_translation_are_accepted(
    italian, learner_client, content_dir
):
    import hashlib

    quiz = content_dir / f"{COURSE}/01-first-steps.quiz.yml"
    quiz.write_text(
        quiz.read_text()
        + SHORT_QUESTION.format(
            prompt="What is it called?", answers="3D printing", size="How long?", unit="hours"
        )
    )
    digest = hashlib.sha256(quiz.read_bytes()).hexdigest()[:12]
    translation = content_dir / f"{COURSE}/01-first-steps.it.quiz.yml"
    lines = translation.read_text().splitlines(keepends=True)
    translation.write_text(
        f"translation_of: {digest}\n"
        + "".join(lines[1:])
        + SHORT_QUESTION.format(
            prompt="Come si chiama?", answers="stampa 3D", size="Quanto dura?", unit="ore"
        )
    )
    with italian.app_context():
        report = sync_content(content_dir)
        assert report.applied and not report.tree.problems, report.tree.problems
        db.session.commit()
    learner_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    attempt_id = open_attempt(learner_client)
    answers = {**PASSING, "q-name-it": "Stampa 3D", "q-size": "12 ore"}
    response = submit(learner_client, attempt_id, answers)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "100%" in text(learner_client.get(response.headers["Location"]))
    wrong = submit(learner_client, open_attempt(learner_client), {"q-name-it": "fresatura"})
    assert wrong.status_code == 303
    with italian.app_context():
        graded = {
            (a.attempt_id, a.question_id): a.correct
            for a in db.session.scalars(sa.select(AttemptAnswer))
        }
    assert graded[(attempt_id, "name-it")] and graded[(attempt_id, "size")]
    assert graded[(attempt_id + 1, "name-it")] is False


def test_stale_quiz_translation_never_mislabels_a_choice(italian, italian_learner, content_dir):
    """The original's choices were swapped: the Italian text of that question no longer lines
    up, so it shows in English while the rest of the quiz stays Italian."""
    quiz = content_dir / f"{COURSE}/01-first-steps.quiz.yml"
    quiz.write_text(
        quiz.read_text().replace(
            "      - text: Printing\n        correct: true\n"
            "      - text: Milling\n        feedback: Milling removes material.\n",
            "      - text: Milling\n        feedback: Milling removes material.\n"
            "      - text: Printing\n        correct: true\n",
        )
    )
    with italian.app_context():
        report = sync_content(content_dir)
        assert report.applied and report.skipped == [f"{COURSE}/01-first-steps.it.quiz.yml"]
        db.session.commit()
    html = text(italian_learner.get("/courses/sample-course/first-steps/quiz"))
    assert '<div class="q-prompt" lang="en">Which is additive?</div>' in html
    assert "La stampa" not in html
    assert "Che cosa hai imparato?" in html
