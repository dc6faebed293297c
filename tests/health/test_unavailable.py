"""The database away or read-only: a friendly 503 with Retry-After, nothing half-written."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.quizzes.models import Attempt, AttemptAnswer
from tests.conftest import PASSING, csrf_token, open_attempt

MODULE = "/courses/sample-course/first-steps"


def test_pages_answer_back_in_a_moment_while_the_database_is_away(learner_client, movable_database):
    assert learner_client.get(MODULE).status_code == 200
    movable_database.away()
    response = learner_client.get(MODULE)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "We are back in a moment." in page and "Try again" in page
    assert "Traceback" not in page and "OperationalError" not in page
    api = learner_client.get("/api/v1/me/progress")
    assert api.status_code == 503 and api.json["error"]["code"] == 503
    assert api.headers["Retry-After"] == "5"
    movable_database.back()
    assert learner_client.get(MODULE).status_code == 200  # still signed in, no restart


def test_the_503_page_speaks_the_visitors_language(client, movable_database):
    movable_database.away()
    response = client.get("/", headers={"Accept-Language": "it"})
    assert response.status_code == 503
    assert "Torniamo tra un momento." in response.get_data(as_text=True)


@pytest.fixture
def read_only(app):
    """SQLite refusing every write, as a read-only file does (``PRAGMA query_only``)."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            pytest.skip("SQLite read-only file; tests/faults covers a read-only file for real")

    def on_connect(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA query_only = ON")

    class Switch:
        def on(self):
            with app.app_context():
                db.session.remove()
                engine.dispose()
            sa.event.listen(engine, "connect", on_connect)

        def off(self):
            sa.event.remove(engine, "connect", on_connect)
            with app.app_context():
                engine.dispose()

    switch = Switch()
    yield switch
    if sa.event.contains(engine, "connect", on_connect):
        switch.off()


def test_a_quiz_sent_to_a_read_only_database_is_refused_whole_and_retried_once(
    app, learner_client, read_only
):
    attempt_id = open_attempt(learner_client)
    token = csrf_token(learner_client, f"{MODULE}/quiz")
    read_only.on()
    response = learner_client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **PASSING})
    assert response.status_code == 503
    assert "We are back in a moment." in response.get_data(as_text=True)
    read_only.off()
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).submitted_at is None
        assert not db.session.scalars(
            sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
        ).all()
    retry = learner_client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **PASSING})
    assert retry.status_code == 303
    again = learner_client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **PASSING})
    assert again.status_code == 303  # "already submitted; it is recorded once"
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).submitted_at is not None
        answers = db.session.scalars(
            sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
        ).all()
        assert len(answers) == len({a.question_id for a in answers}) > 0


def test_signing_up_on_a_read_only_database_gets_the_503_page_and_no_account(
    app, client, read_only
):
    from lms.accounts.models import User

    token = csrf_token(client, "/signup")
    read_only.on()
    response = client.post(
        "/signup",
        data={
            "csrf_token": token,
            "name": "Read Only",
            "email": "ro@example.org",
            "password": "a long password!",
            "confirm": "a long password!",
            "locale": "en",
        },
    )
    assert response.status_code == 503
    read_only.off()
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "ro@example.org")) is None
