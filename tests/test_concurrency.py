"""Fifty parallel requests for the same thing record it once (SQLite and PostgreSQL)."""

import threading

import sqlalchemy as sa

from lms.extensions import db
from lms.progress.models import Completion
from lms.quizzes.models import Attempt, AttemptAnswer
from tests.conftest import PASSING, as_displayed, csrf_token, open_attempt

PARALLEL = 50


def _in_parallel(app, cookie: str, method: str, url: str, data: dict) -> list[int]:
    """Send the same request from PARALLEL threads at once; returns the status codes."""
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker():
        client = app.test_client()
        client.set_cookie("session", cookie)
        barrier.wait()
        response = client.open(url, method=method, data=data)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=worker) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_parallel_submissions_of_one_attempt_grade_it_once(app, learner_client):
    attempt_id = open_attempt(learner_client)
    token = csrf_token(learner_client, "/courses/sample-course/first-steps/quiz")
    cookie = learner_client.get_cookie("session").value
    statuses = _in_parallel(
        app, cookie, "POST", f"/attempts/{attempt_id}",
        {"csrf_token": token, **as_displayed(learner_client, attempt_id, PASSING)},
    )
    assert len(statuses) == PARALLEL and set(statuses) == {303}
    with app.app_context():
        graded = db.session.scalar(
            sa.select(sa.func.count(Attempt.id)).where(Attempt.submitted_at.is_not(None))
        )
        answers = db.session.scalar(sa.select(sa.func.count(AttemptAnswer.id)))
    assert (graded, answers) == (1, 2)


def test_parallel_completions_of_one_module_record_once(app, learner_client):
    url = "/courses/sample-course/second-steps/complete"
    token = csrf_token(learner_client, "/courses/sample-course/second-steps")
    cookie = learner_client.get_cookie("session").value
    statuses = _in_parallel(app, cookie, "POST", url, {"csrf_token": token})
    assert len(statuses) == PARALLEL and set(statuses) == {302}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 1


def test_a_read_only_page_does_not_hold_up_writers(app):
    """A GET page that only reads takes no write lock while it renders (SQLite)."""
    import sqlite3

    from lms.courses.models import Course

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        path = db.engine.url.database
    with app.test_request_context("/", method="GET"):
        db.session.scalar(sa.select(Course.id))  # the page's transaction is open
        writer = sqlite3.connect(path, timeout=0.5)
        try:
            writer.execute("UPDATE courses SET title = title")  # would time out if locked
            writer.commit()
        finally:
            writer.close()
        db.session.rollback()
    from lms.extensions import may_write

    with app.test_request_context("/courses/sample-course/first-steps/quiz", method="GET"):
        assert may_write()  # a quiz page opens an attempt: it starts ready to write
    with app.test_request_context("/courses/sample-course/first-steps", method="GET"):
        assert not may_write()  # a module page asks (will_write) only when its visit changes
    with app.test_request_context("/", method="GET"):
        assert not may_write()


def _member_with_meeting(app, make_user, make_cohort, client, **meeting_fields):
    """A signed-in learner of a cohort with one meeting: its id and check-in token."""
    from tests.conftest import login
    from tests.factories import make_meeting

    learner_id, email = make_user("learner")
    cohort_id = make_cohort([], [learner_id])
    with app.app_context():
        meeting = make_meeting(cohort_id, **meeting_fields)
        meeting_id, checkin_token = meeting.id, meeting.checkin_token
        db.session.commit()
    login(client, email)
    return meeting_id, checkin_token


def test_parallel_rsvps_of_one_learner_record_one_answer(app, client, make_user, make_cohort):
    from lms.cohorts.models import Rsvp

    meeting_id, _ = _member_with_meeting(app, make_user, make_cohort, client, capacity=5)
    token = csrf_token(client, "/me/sessions")
    cookie = client.get_cookie("session").value
    statuses = _in_parallel(
        app,
        cookie,
        "POST",
        f"/me/sessions/{meeting_id}/rsvp",
        {"csrf_token": token, "answer": "yes"},
    )
    assert len(statuses) == PARALLEL and set(statuses) == {302}
    with app.app_context():
        answers = db.session.scalars(sa.select(Rsvp.answer)).all()
    assert answers == ["yes"]


def test_parallel_check_ins_record_one_attendance(app, client, make_user, make_cohort):
    from datetime import timedelta

    from lms.cohorts.models import Attendance
    from lms.extensions import utcnow

    _, checkin_token = _member_with_meeting(
        app, make_user, make_cohort, client, starts_at=utcnow() - timedelta(minutes=5)
    )
    url = f"/checkin/{checkin_token}"
    token = csrf_token(client, url)
    cookie = client.get_cookie("session").value
    statuses = _in_parallel(app, cookie, "POST", url, {"csrf_token": token})
    assert len(statuses) == PARALLEL and set(statuses) == {200}
    with app.app_context():
        rows = db.session.scalars(sa.select(Attendance.status)).all()
    assert rows == ["present"]
