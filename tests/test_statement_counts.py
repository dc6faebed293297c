"""SQL statements per request of the key pages, pinned: a page that starts asking the database
more (an N+1, a lost eager load, a needless write) fails here before it shows in ``make bench``.

The pins are the counts on the fixture content with SQLite (issue 17), where ``BEGIN`` counts as
a statement (PostgreSQL's driver begins without one, so its counts are lower). When a change
lowers a count, lower its pin too.
"""

import re

import pytest
import sqlalchemy as sa

from lms.extensions import db
from tests.conftest import (
    FAILING,
    PASSING,
    as_displayed,
    csrf_token,
    login,
    open_attempt,
    submit_quiz,
)
from tests.notifications.people import hello_kind_fixture, send_hello  # noqa: F401

#: page -> the most SQL statements one request of it may run.
#: HTML pages for a signed-in person include one COUNT for the header's unread notifications.
PINS = {
    "catalogue": 7,
    "course page": 8,
    "module page (first visit)": 14,
    "module page (read again)": 8,
    "quiz page": 13,
    "quiz submit": 15,  # a pass: the module completes
    "quiz result": 14,
    "progress API": 6,
    "learner home": 10,
    "notification list": 5,  # with three entries: one page, no statement per entry
    "cohort page": 21,
    "programme report": 17,
}


class Statements:
    """The SQL statements the app's engine runs while a ``with`` block runs."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []

    def _count(self, _conn, _cursor, statement, *_args):
        self.seen.append(statement)

    def __enter__(self):
        self.seen.clear()
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._count)

    @property
    def writes(self) -> list[str]:
        return [s for s in self.seen if re.match(r"\s*(INSERT|UPDATE|DELETE|BEGIN IMMEDIATE)", s)]


@pytest.fixture
def statements(app):
    return Statements(app)


def count(statements, client, method: str, url: str, status: int = 200, **kw) -> int:
    with statements:
        response = client.open(url, method=method, **kw)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return len(statements.seen)


def assert_pinned(name: str, seen: int) -> None:
    assert seen <= PINS[name], f"{name}: {seen} SQL statements per request, pinned at {PINS[name]}"


def test_the_learners_pages_run_no_more_statements_than_pinned(learner_client, statements):
    client = learner_client
    submit_quiz(client, FAILING)  # a past attempt on the quiz page, a best score on the module
    assert_pinned("catalogue", count(statements, client, "GET", "/"))
    assert_pinned("course page", count(statements, client, "GET", "/courses/sample-course/"))
    first = count(statements, client, "GET", "/courses/sample-course/second-steps")
    assert_pinned("module page (first visit)", first)
    again = count(statements, client, "GET", "/courses/sample-course/second-steps")
    assert_pinned("module page (read again)", again)
    assert_pinned(
        "quiz page", count(statements, client, "GET", "/courses/sample-course/first-steps/quiz")
    )
    attempt_id = open_attempt(client)
    token = csrf_token(client, "/courses/sample-course/first-steps/quiz")
    submitted = count(
        statements,
        client,
        "POST",
        f"/attempts/{attempt_id}",
        status=303,
        data={"csrf_token": token, **as_displayed(client, attempt_id, PASSING)},
    )
    assert_pinned("quiz submit", submitted)
    assert_pinned("quiz result", count(statements, client, "GET", f"/attempts/{attempt_id}"))
    assert_pinned("progress API", count(statements, client, "GET", "/api/v1/me/progress"))
    assert_pinned("learner home", count(statements, client, "GET", "/me/learning"))


def test_the_notification_list_runs_no_more_statements_than_pinned(
    app, learner_client, statements, hello_kind
):
    for topic in ("pottery", "weaving", "glass"):
        send_hello(app, learner_client.user_id, topic[0], topic=topic)
    with statements:
        response = learner_client.get("/notifications")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('badge-progress">Unread') == 3
    assert_pinned("notification list", len(statements.seen))


def test_the_cohort_page_runs_no_more_statements_than_pinned(client, alma_and_boris, statements):
    seen = count(statements, client, "GET", f"/facilitate/cohorts/{alma_and_boris}")
    assert_pinned("cohort page", seen)


def test_the_programme_report_runs_no_more_statements_than_pinned(client, make_user, statements):
    _id, email = make_user("programme_manager")
    login(client, email)
    assert_pinned("programme report", count(statements, client, "GET", "/programme/report"))


def test_reading_a_module_again_writes_nothing(learner_client, statements):
    """The visit is stored once; a reload minutes later neither writes nor takes SQLite's
    write lock (``BEGIN IMMEDIATE``)."""
    url = "/courses/sample-course/first-steps"
    with statements:
        learner_client.get(url)
    assert statements.writes, "the first visit is recorded"
    with statements:
        response = learner_client.get(url)
    assert response.status_code == 200
    assert statements.writes == []


def test_going_back_to_a_module_makes_it_where_to_continue(learner_client):
    """Skipping the write never changes which module the course page continues at."""
    for module in ("first-steps", "second-steps", "first-steps"):
        assert learner_client.get(f"/courses/sample-course/{module}").status_code == 200
    page = learner_client.get("/courses/sample-course/").get_data(as_text=True)
    start = re.search(r'id="course-start" href="([^"]+)"', page)
    assert start and start.group(1).endswith("/first-steps"), start
    learner_client.get("/courses/sample-course/second-steps")
    page = learner_client.get("/courses/sample-course/").get_data(as_text=True)
    assert re.search(r'id="course-start" href="[^"]+/second-steps"', page)
