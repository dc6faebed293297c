"""A quiz sent with questions unanswered asks first: nothing graded, the answers kept."""

import re

import sqlalchemy as sa

from lms.extensions import db
from lms.quizzes.models import Attempt
from tests.conftest import PASSING, as_displayed, csrf_token, open_attempt, submit_quiz
from tests.content.test_checker import edit
from tests.quizzes.test_attempts import QUIZ_FILE, QUIZ_URL, counts, resync

#: One question of every other kind, after the fixture's single choice and reflection.
EVERY_KIND = """  - id: pick-two
    type: multiple
    prompt: Which add material?
    choices:
      - text: Printing
        correct: true
      - text: Welding
        correct: true
      - text: Milling
  - id: is-it
    type: truefalse
    prompt: Printing is additive.
    answer: true
  - id: name-it
    type: short
    prompt: What is it called?
    answers: [3D printing]
  - id: size
    type: numeric
    prompt: How long does it take?
    value: 12
    unit: hours
  - id: pairs
    type: matching
    prompt: Match each process to what it does.
    pairs:
      - [Printing, adds material]
      - [Milling, removes material]
      - [Bending, shapes material]
"""


def post(client, attempt_id: int, answers: dict, **extra):
    """Send the quiz form with ``answers`` in the author's indices, as the page would."""
    data = {
        "csrf_token": csrf_token(client, QUIZ_URL),
        **as_displayed(client, attempt_id, answers),
        **extra,
    }
    return client.post(f"/attempts/{attempt_id}", data=data)


def attempt_row(app, attempt_id: int) -> Attempt:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        db.session.expunge(attempt)
        return attempt


def fieldset(html: str, number: int) -> str:
    """The HTML of question ``number`` on the quiz page."""
    start = html.rindex("<fieldset", 0, html.index(f'id="question-{number}"'))
    return html[start : html.index("</fieldset>", start)]


def test_unanswered_questions_are_asked_about_and_nothing_is_graded(app, learner_client):
    attempt_id = open_attempt(learner_client)
    response = post(learner_client, attempt_id, {"q-first-question": "0"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "1 question is not answered yet: " in html
    assert "Answer it, or submit as it is." in html
    assert '<a href="#question-2" aria-label="Question 2">2</a>' in html
    assert "question-unanswered" in fieldset(html, 2) and "Not answered" in fieldset(html, 2)
    assert "question-unanswered" not in fieldset(html, 1)
    assert 'name="confirm_unanswered" value="1"' in html
    # Not graded, not an attempt: the same attempt is still open and its answers kept.
    assert counts(app) == (0, 0)
    assert attempt_row(app, attempt_id).submitted_at is None
    assert f'action="/attempts/{attempt_id}"' in html
    shown = as_displayed(learner_client, attempt_id, {"q-first-question": "0"})["q-first-question"]
    assert f'name="q-first-question" value="{shown}" checked' in html
    assert open_attempt(learner_client) == attempt_id


def test_submit_anyway_grades_the_attempt_as_it_is(app, learner_client):
    attempt_id = open_attempt(learner_client)
    assert post(learner_client, attempt_id, {"q-first-question": "0"}).status_code == 200
    response = post(learner_client, attempt_id, {"q-first-question": "0"}, confirm_unanswered="1")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}")
    assert counts(app) == (1, 2)
    result = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Passed" in result and "100%" in result


def test_a_fully_answered_quiz_is_graded_without_asking(app, learner_client):
    response = submit_quiz(learner_client, PASSING, anyway=False)
    assert response.status_code == 303
    assert counts(app) == (1, 2)


def test_answering_the_rest_after_asking_grades_without_asking_again(app, learner_client):
    attempt_id = open_attempt(learner_client)
    assert post(learner_client, attempt_id, {"q-reflect": "Printing adds."}).status_code == 200
    assert post(learner_client, attempt_id, PASSING).status_code == 303
    assert counts(app) == (1, 2)


def test_blank_text_is_not_an_answer(app, learner_client):
    attempt_id = open_attempt(learner_client)
    response = post(learner_client, attempt_id, {"q-first-question": "1", "q-reflect": "  \n "})
    assert response.status_code == 200 and "question-unanswered" in fieldset(
        response.get_data(as_text=True), 2
    )
    assert counts(app) == (0, 0)


def test_nothing_answered_lists_every_question(app, learner_client):
    attempt_id = open_attempt(learner_client)
    html = post(learner_client, attempt_id, {}).get_data(as_text=True)
    assert "2 questions are not answered yet: " in html and "Answer them, or submit" in html
    assert re.search(r'href="#question-1"[^>]*>1</a>, <a href="#question-2"', html)


def test_every_kind_of_answer_stays_filled_in(app, content_dir, learner_client):
    edit(content_dir, QUIZ_FILE, "  - id: reflect\n", EVERY_KIND + "  - id: reflect\n")
    resync(app, content_dir)
    attempt_id = open_attempt(learner_client)
    answers = {
        "q-first-question": "1",
        "q-pick-two": ["0", "2"],
        "q-is-it": "false",
        "q-name-it": 'Additive "<b>manufacturing</b>"',
        "q-size": "12,5 hours",
        "q-pairs-0": "1",
        "q-pairs-2": "0",
        # q-reflect left blank
    }
    response = post(learner_client, attempt_id, answers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    sent = as_displayed(learner_client, attempt_id, answers)
    q = {n: fieldset(html, n) for n in range(1, 8)}
    assert f'value="{sent["q-first-question"]}" checked' in q[1]
    assert q[1].count(" checked") == 1
    for shown in sent["q-pick-two"]:
        assert f'name="q-pick-two" value="{shown}" checked' in q[2]
    assert q[2].count(" checked") == 2
    assert 'value="false" checked' in q[3] and 'value="true" checked' not in q[3]
    assert 'value="Additive &#34;&lt;b&gt;manufacturing&lt;/b&gt;&#34;"' in q[4]
    assert "<b>manufacturing" not in html
    assert 'value="12,5 hours"' in q[5]
    assert re.search(rf'<option value="{sent["q-pairs-0"]}"[^>]*selected', q[6])
    assert re.search(rf'<option value="{sent["q-pairs-2"]}"[^>]*selected', q[6])
    assert q[6].count(" selected") == 2  # the middle row is still "Choose…"
    assert "question-unanswered" in q[7]
    assert [n for n in q if "question-unanswered" in q[n]] == [7]
    assert counts(app) == (0, 0)
    # Submitted anyway, every kept answer is graded as sent.
    response = post(learner_client, attempt_id, answers, confirm_unanswered="1")
    assert response.status_code == 303
    with app.app_context():
        graded = {a.question_id: a.response for a in db.session.get(Attempt, attempt_id).answers}
    assert graded["pick-two"] == {"choices": [0, 2]}
    assert graded["is-it"] == {"answer": False}
    assert graded["pairs"] == {"matches": [1, None, 0]}
    assert graded["reflect"] is None


def test_questions_are_numbered_as_the_page_shows_them(app, content_dir, learner_client):
    """In a shuffled quiz the message names the numbers the learner reads."""
    edit(content_dir, QUIZ_FILE, "pass_mark: 70", "pass_mark: 70\nshuffle: true")
    edit(content_dir, QUIZ_FILE, "  - id: reflect\n", EVERY_KIND + "  - id: reflect\n")
    resync(app, content_dir)
    attempt_id = open_attempt(learner_client)
    order = [e["id"] for e in attempt_row(app, attempt_id).layout]
    html = post(learner_client, attempt_id, {"q-is-it": "true"}).get_data(as_text=True)
    expected = [n for n, qid in enumerate(order, 1) if qid != "is-it"]
    listed = [int(n) for n in re.findall(r'href="#question-(\d+)"', html)]
    assert listed == expected
    assert "question-unanswered" not in fieldset(html, order.index("is-it") + 1)


def test_asking_first_does_not_use_up_a_limited_attempt(app, content_dir, learner_client):
    edit(content_dir, QUIZ_FILE, "pass_mark: 70", "pass_mark: 70\nmax_attempts: 1")
    resync(app, content_dir)
    attempt_id = open_attempt(learner_client)
    for _ in range(3):
        html = post(learner_client, attempt_id, {}).get_data(as_text=True)
        assert "1 attempt left" in html
    assert "1 attempt left" in learner_client.get(QUIZ_URL).get_data(as_text=True)
    assert post(learner_client, attempt_id, {}, confirm_unanswered="1").status_code == 303
    page = learner_client.get(QUIZ_URL).get_data(as_text=True)
    assert "No attempts left" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_a_submitted_attempt_is_not_asked_about_again(app, learner_client):
    attempt_id = open_attempt(learner_client)
    assert post(learner_client, attempt_id, PASSING).status_code == 303
    again = post(learner_client, attempt_id, {})
    assert again.status_code == 303  # "already submitted": recorded once, no question
    assert counts(app) == (1, 2)


def test_another_learners_attempt_is_refused_before_asking(app, client, make_user):
    """The step never shows someone else's attempt: refused (400) as any submission is."""
    from tests.conftest import login, logout

    _, owner = make_user()
    _, other = make_user()
    login(client, owner)
    attempt_id = open_attempt(client)
    logout(client)
    login(client, other)
    response = client.post(f"/attempts/{attempt_id}", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "belongs to someone else" in html and "question-unanswered" not in html
    assert f'action="/attempts/{attempt_id}"' not in html
    assert counts(app) == (0, 0)
