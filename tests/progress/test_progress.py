"""Reading, completing and resuming modules."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.progress.models import Completion
from tests.conftest import complete_with_quiz, login, post_form


def complete(client, module="second-steps"):
    return post_form(
        client,
        f"/courses/sample-course/{module}/complete",
        token_from=f"/courses/sample-course/{module}",
    )


def test_modules_need_sign_in(client):
    response = client.get("/courses/sample-course/first-steps")
    assert response.status_code == 302
    assert "/login?next=/courses/sample-course/first-steps" in response.headers["Location"]


def test_second_click_on_complete_records_once(app, learner_client):
    assert complete(learner_client).status_code == 302
    assert complete(learner_client).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1


def test_the_database_refuses_a_duplicate_completion(app, learner_client):
    complete(learner_client)
    with app.app_context():
        module_id = db.session.scalar(sa.select(Completion.module_id))
        db.session.add(Completion(user_id=learner_client.user_id, module_id=module_id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_course_progress_is_a_percentage_of_modules(learner_client):
    complete(learner_client)
    course = learner_client.get("/courses/sample-course/").get_data(as_text=True)
    assert "50% complete" in course
    # One module done, the other not: the module list says both.
    assert "Completed" in course and "Not started" in course
    catalogue = learner_client.get("/").get_data(as_text=True)
    assert "50% complete" in catalogue
    complete_with_quiz(learner_client)
    course = learner_client.get("/courses/sample-course/").get_data(as_text=True)
    assert "100% complete" in course and "You have completed this course" in course
    assert "View your certificate" in course


def test_completing_moves_on_to_the_first_unfinished_module(learner_client):
    learner_client.get("/courses/sample-course/second-steps")
    response = complete(learner_client)
    assert response.headers["Location"] == "/courses/sample-course/first-steps"


def test_a_module_with_a_quiz_needs_reading_and_a_pass(app, learner_client):
    response = complete(learner_client, "first-steps")
    assert response.headers["Location"] == "/courses/sample-course/first-steps/quiz"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 0
    complete_with_quiz(learner_client)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1


def test_learner_continues_where_they_left_off_after_signing_in_again(client, make_user):
    _, email = make_user()
    login(client, email)
    client.get("/courses/sample-course/second-steps")
    complete(client)
    client.get("/courses/sample-course/first-steps")
    client.post("/logout", data={"csrf_token": _token(client)})
    login(client, email)
    page = client.get("/me/learning").get_data(as_text=True)
    assert "Continue where you left off" in page
    assert "First steps" in page and 'href="/courses/sample-course/first-steps"' in page
    course = client.get("/courses/sample-course/").get_data(as_text=True)
    assert "Continue: First steps" in course


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/")


def test_my_learning_empty_state(learner_client):
    page = learner_client.get("/me/learning").get_data(as_text=True)
    assert "You have not started a course yet" in page


def test_one_learners_progress_is_not_anothers(client, make_user):
    _, first = make_user()
    _, second = make_user()
    login(client, first)
    complete(client)
    client.post("/logout", data={"csrf_token": _token(client)})
    login(client, second)
    assert "0% complete" not in client.get("/").get_data(as_text=True)
    assert client.get("/api/v1/me/progress").json["courses"] == []


def test_unknown_course_or_module_is_a_helpful_404(learner_client):
    for url in ("/courses/nope/", "/courses/sample-course/nope"):
        response = learner_client.get(url)
        assert response.status_code == 404
        assert "We could not find that page." in response.get_data(as_text=True)
    assert complete(learner_client, "nope").status_code == 404
