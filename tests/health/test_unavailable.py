"""The database away or read-only: a friendly 503 with Retry-After, nothing half-written."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.quizzes.models import Attempt, AttemptAnswer
from tests.conftest import PASSING, PASSWORD, csrf_token, open_attempt

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


@pytest.fixture
def read_only_file_app(app, database_url):
    """The same database file opened read-only by SQLite itself (``mode=ro``), as a second app."""
    from lms import create_app

    if not database_url.startswith("sqlite:///"):
        pytest.skip("SQLite read-only file; tests/faults covers a read-only file for real")
    path = database_url.removeprefix("sqlite:///")
    config = {**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///file:{path}?mode=ro&uri=true"}
    config.pop("SQLALCHEMY_ENGINES", None)
    read_only = create_app(config)
    yield read_only
    with read_only.app_context():
        db.engine.dispose()


def test_signing_in_on_a_read_only_database_file_gets_the_503_page_and_pages_still_show(
    app, read_only_file_app, make_user
):
    from lms.accounts.models import User

    _user_id, email = make_user("learner")
    client = read_only_file_app.test_client()
    assert client.get("/").status_code == 200  # reading goes on
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "We are back in a moment." in page
    assert "Traceback" not in page and "readonly" not in page
    with app.app_context():
        assert db.session.scalar(sa.select(User.last_seen_at).where(User.email == email)) is None


def test_a_connection_that_found_the_database_read_only_is_replaced(app, learner_client, caplog):
    """SQLite keeps a connection opened on a read-only file read-only after the file is
    writable again: one 503, then a fresh connection, and the quiz goes in (no restart)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite connections")
    attempt_id = open_attempt(learner_client)
    token = csrf_token(learner_client, f"{MODULE}/quiz")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        with db.engine.connect() as connection:  # the pool's one connection, now read-only
            connection.connection.dbapi_connection.execute("PRAGMA query_only = ON")
    refused = learner_client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **PASSING})
    assert refused.status_code == 503
    assert "attempt to write a readonly database" in caplog.text  # logged for the operator
    # Closed for real (SQLite shares a read-only view of the file among the process's open
    # connections: one left open would keep the next one read-only too).
    assert _open_files(app) == []
    retry = learner_client.post(f"/attempts/{attempt_id}", data={"csrf_token": token, **PASSING})
    assert retry.status_code == 303
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).submitted_at is not None


def test_a_sign_in_refused_by_a_read_only_database_does_not_sign_in_through_the_cookie(
    read_only_file_app, make_user
):
    _user_id, email = make_user("learner")
    client = read_only_file_app.test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 503
    with client.session_transaction() as cookie:
        assert "_user_id" not in cookie
        assert cookie.get("csrf_token")  # the form can be sent again as it was


def test_an_expired_form_while_the_database_is_away_gets_the_503_page_not_a_500(
    learner_client, movable_database
):
    movable_database.away()
    response = learner_client.post("/account/password", data={"csrf_token": "expired"})
    assert response.status_code == 503  # the 400 page needs the signed-in user: not now
    assert response.headers["Retry-After"] == "5"
    assert "We are back in a moment." in response.get_data(as_text=True)
    movable_database.back()
    response = learner_client.post("/account/password", data={"csrf_token": "expired"})
    assert response.status_code == 400


def _open_files(app) -> list[str]:
    """This process's open file descriptors on the app's SQLite file (Linux)."""
    import os

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc")
    with app.app_context():
        path = os.path.realpath(db.engine.url.database)
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(path):
            found.append(target)
    return found
