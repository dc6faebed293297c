"""Taking quizzes: server-side grading, feedback, attempts, and bad submissions."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.publishing.sync import sync_content
from lms.quizzes.models import Attempt, AttemptAnswer
from tests.conftest import (
    FAILING,
    PASSING,
    as_displayed,
    csrf_token,
    login,
    open_attempt,
    post_form,
    submit_quiz,
)
from tests.content.test_checker import COURSE, edit

QUIZ_URL = "/courses/sample-course/first-steps/quiz"
QUIZ_FILE = f"{COURSE}/01-first-steps.quiz.yml"


def resync(app, content_dir):
    with app.app_context():
        report = sync_content(content_dir)
        assert report.applied, [str(p) for p in report.tree.problems]
        db.session.commit()


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(
                sa.select(sa.func.count(Attempt.id)).where(Attempt.submitted_at.is_not(None))
            ),
            db.session.scalar(sa.select(sa.func.count(AttemptAnswer.id))),
        )


def test_quiz_page_never_shows_answers_or_feedback_before_submission(learner_client):
    html = learner_client.get(QUIZ_URL).get_data(as_text=True)
    assert "Which is additive?" in html and "Printing" in html and "Milling" in html
    for secret in ("Milling removes material", "Printing adds material", "correct", "credit"):
        assert secret not in html


def test_fail_read_feedback_then_pass(app, learner_client):
    response = submit_quiz(learner_client, FAILING)
    assert response.status_code == 303
    result = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not passed yet" in result and "0%" in result
    assert "Milling removes material." in result  # feedback on the picked choice
    assert "Printing adds material." in result  # the explanation
    assert "Try again" in result
    response = submit_quiz(learner_client, PASSING)
    result = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Passed" in result and "100%" in result
    assert "Attempt 1" in result and "Attempt 2" in result
    with app.app_context():
        answer = db.session.scalar(
            sa.select(AttemptAnswer)
            .where(AttemptAnswer.question_id == "reflect")
            .order_by(AttemptAnswer.id.desc())
            .limit(1)
        )
        assert answer.response == {"text": "I learned to print."} and answer.correct is None


def test_after_passing_reveal_hides_answers_until_passed(app, content_dir, learner_client):
    edit(content_dir, QUIZ_FILE, "pass_mark: 70", "pass_mark: 70\nreveal: after_passing")
    resync(app, content_dir)
    result = learner_client.get(submit_quiz(learner_client, FAILING).headers["Location"])
    html = result.get_data(as_text=True)
    assert "The correct answers and feedback are shown once you pass." in html
    assert "Printing adds material." not in html and "Milling removes material." not in html
    html = learner_client.get(submit_quiz(learner_client, PASSING).headers["Location"]).get_data(
        as_text=True
    )
    assert "Printing adds material." in html


def test_never_reveal_shows_the_score_but_not_which_questions_were_right(
    app, content_dir, learner_client
):
    edit(content_dir, QUIZ_FILE, "pass_mark: 70", "pass_mark: 70\nreveal: never")
    resync(app, content_dir)
    html = learner_client.get(submit_quiz(learner_client, FAILING).headers["Location"]).get_data(
        as_text=True
    )
    assert "This quiz does not show the correct answers." in html
    assert "Printing adds material." not in html
    review = html[html.index('<ol class="review">') : html.index("</ol>", html.index('<ol class="review">'))]
    for verdict in ("Correct", "Not correct", "Partly correct", "0/1", "1/1"):
        assert verdict not in review
    assert "0%" in html  # the score itself is shown


def test_submitting_the_same_attempt_twice_records_it_once(app, learner_client):
    attempt_id = open_attempt(learner_client)
    token = csrf_token(learner_client, QUIZ_URL)
    passing = as_displayed(learner_client, attempt_id, PASSING)
    failing = as_displayed(learner_client, attempt_id, FAILING)
    first = learner_client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **passing})
    second = learner_client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **failing})
    assert first.status_code == second.status_code == 303
    assert counts(app) == (1, 2)
    html = learner_client.get(second.headers["Location"]).get_data(as_text=True)
    assert "already submitted" in html and "100%" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"q-first-question": "0", "q-unknown": "1"}, "not a question of this attempt"),
        ({"q-first-question": ["0", "1"]}, "answered more than once"),
        ({"q-first-question": "7"}, "names a choice that does not exist"),
        ({"q-first-question": "zero"}, "names a choice that does not exist"),
        ({"q-reflect": "x" * 10_001}, "longer than 10000 characters"),
    ],
)
def test_bad_submissions_get_a_400_and_record_nothing(app, learner_client, data, message):
    attempt_id = open_attempt(learner_client)
    data = {"csrf_token": csrf_token(learner_client, QUIZ_URL), **data}
    response = learner_client.post(f"/attempts/{attempt_id}", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts(app) == (0, 0)
    # The attempt is still open and can be submitted properly.
    assert submit_quiz(learner_client, PASSING).status_code == 303


def test_another_learners_attempt_is_refused(app, client, make_user):
    _, first = make_user()
    _, second = make_user()
    login(client, first)
    attempt_id = open_attempt(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, second)
    response = client.post(
        f"/attempts/{attempt_id}", data={"csrf_token": csrf_token(client, "/"), **PASSING}
    )
    assert response.status_code == 400 and "belongs to someone else" in response.get_data(
        as_text=True
    )
    assert counts(app) == (0, 0)
    assert client.get(f"/attempts/{attempt_id}").status_code == 404


def test_attempt_limit(app, content_dir, learner_client):
    edit(content_dir, QUIZ_FILE, "pass_mark: 70", "pass_mark: 70\nmax_attempts: 2")
    resync(app, content_dir)
    assert "2 attempts left" in learner_client.get(QUIZ_URL).get_data(as_text=True)
    submit_quiz(learner_client, FAILING)
    submit_quiz(learner_client, FAILING)
    html = learner_client.get(QUIZ_URL).get_data(as_text=True)
    assert "No attempts left" in html and 'action="/attempts/' not in html


def test_shuffled_order_is_stable_within_an_attempt(app, content_dir, learner_client):
    edit(content_dir, QUIZ_FILE, "pass_mark: 70", "pass_mark: 70\nshuffle: true")
    resync(app, content_dir)

    def form():
        html = learner_client.get(QUIZ_URL).get_data(as_text=True)
        html = html[html.index('<form method="post" action="/attempts') :]
        return [
            line for line in html[: html.index("</form>")].splitlines() if "csrf_token" not in line
        ]

    assert form() == form()


def test_editing_the_quiz_keeps_past_attempts_as_answered(app, content_dir, learner_client):
    response = submit_quiz(learner_client, PASSING)
    edit(content_dir, QUIZ_FILE, "Which is additive?", "Which process adds material?")
    resync(app, content_dir)
    html = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Which is additive?" in html and "100%" in html
    assert "Which process adds material?" in learner_client.get(QUIZ_URL).get_data(as_text=True)


def test_passing_before_reading_completes_on_read(app, learner_client):
    submit_quiz(learner_client, PASSING)
    course = learner_client.get("/courses/sample-course/").get_data(as_text=True)
    assert "0% complete" in course or "0%" in course
    post_form(
        learner_client,
        "/courses/sample-course/first-steps/complete",
        token_from="/courses/sample-course/first-steps",
    )
    assert "50% complete" in learner_client.get("/courses/sample-course/").get_data(as_text=True)


def test_a_module_without_a_quiz_has_no_quiz_page(learner_client):
    assert learner_client.get("/courses/sample-course/second-steps/quiz").status_code == 404


def test_enter_in_a_text_field_cannot_submit_the_quiz(learner_client):
    """Browsers press a form's first submit button on Enter: ours is a disabled one."""
    html = learner_client.get(QUIZ_URL).get_data(as_text=True)
    form = html[html.index('<form method="post" action="/attempts') :]
    first_button = form[form.index("<button") : form.index(">", form.index("<button")) + 1]
    assert "disabled" in first_button and 'type="submit"' in first_button
    assert "Submit answers" in form


def test_results_follow_the_order_the_questions_were_shown(app, content_dir, learner_client):
    edit(content_dir, QUIZ_FILE, "pass_mark: 70", "pass_mark: 70\nshuffle: true")
    resync(app, content_dir)
    page = learner_client.get(QUIZ_URL).get_data(as_text=True)
    shown_first = page.index("Which is additive?") < page.index("What did you learn?")
    result = learner_client.get(submit_quiz(learner_client, PASSING).headers["Location"])
    html = result.get_data(as_text=True)
    assert (html.index("Which is additive?") < html.index("What did you learn?")) == shown_first
