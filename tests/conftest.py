"""Shared fixtures: a real database, a copy of a tiny content tree, role helpers.

The database is a SQLite file per test, or, when ``LMS_TEST_DATABASE_URL`` names a
PostgreSQL server (``make test-postgres``), a throwaway database created for the run and
dropped after it, emptied between tests.
"""

import os
import re
import secrets
import shutil
from pathlib import Path

import pytest

from lms.accounts.services import create_user
from lms.extensions import db
from tests.support import build_test_app

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "correct horse battery"


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """A writable copy of ``tests/fixtures/content``."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", target)
    return target


SERVER_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")


def throwaway_database(server_url: str):
    """Create a PostgreSQL database for this run; returns its URL and a function to drop it."""
    import sqlalchemy as sa

    name = f"lms_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def pytest_addoption(parser):
    parser.addoption(
        "--e2e",
        action="store_true",
        help="run the browser tests in tests/e2e (make test-e2e); plain runs leave them out",
    )
    parser.addoption(
        "--faults",
        action="store_true",
        help="run the fault scenarios in tests/faults (make test-faults); plain runs leave them out",
    )


def pytest_ignore_collect(collection_path, config):
    """``make test`` stays fast and browser-free: tests/e2e is collected only with --e2e,
    tests/faults (real servers, a few minutes) only with --faults."""
    if collection_path.parent != Path(__file__).parent:
        return None
    if collection_path.name == "e2e":
        return None if config.getoption("--e2e") else True
    if collection_path.name == "faults":
        return None if config.getoption("--faults") else True
    return None


def pytest_configure(config):
    """With ``LMS_TEST_DATABASE_URL`` set, say clearly when no server answers there."""
    if not SERVER_URL:
        return
    import sqlalchemy as sa

    engine = sa.create_engine(SERVER_URL)
    try:
        with engine.connect():
            pass
    except Exception as exc:  # any failure to connect ends the run with a clear message
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        pytest.exit(
            f"No PostgreSQL server answers at {SERVER_URL}: {first}\n"
            "Start one, or point TEST_POSTGRES_URL (make) or LMS_TEST_DATABASE_URL "
            "at one, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
            returncode=2,
        )
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL database for the whole run (``None`` on SQLite)."""
    if not SERVER_URL:
        yield None
        return
    url, drop = throwaway_database(SERVER_URL)
    yield url
    drop()


@pytest.fixture
def database_url(tmp_path, postgres_url):
    return postgres_url or f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def app(tmp_path, content_dir, monkeypatch, database_url):
    app = build_test_app(tmp_path / "instance", database_url, content_dir, monkeypatch=monkeypatch)
    yield app
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, url: str = "/login") -> str:
    """The CSRF token the page at ``url`` gives this client's session."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client, url: str, data: dict | None = None, token_from: str = "/login", **kw):
    """POST a form as a browser would, with the session's CSRF token."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client, token_from))
    return client.post(url, data=data, **kw)


class RecordingTransport:
    """Stands in for the SMTP server: each delivered message lands in ``sent`` as
    (to, subject, text part), or whatever ``record`` makes of it."""

    def __init__(self, sent: list, record=None):
        self.sent = sent
        self.record = record or (lambda m: (m["To"], str(m["Subject"]), _text_part(m)))

    def send(self, message):
        self.sent.append(self.record(message))

    def close(self):
        pass


def _text_part(message):
    from lms.mail import text_part

    return text_part(message)


def install_mailbox(app, monkeypatch, record=None) -> list:
    """Mail is 'configured'; the outbox is delivered right after each request into a list."""
    from lms import mail

    sent = []
    app.config["LMS_MAIL_SERVER"] = "smtp.example.org"
    app.config["LMS_MAIL_DELIVER_AFTER_REQUEST"] = True
    monkeypatch.setattr(mail, "open_transport", lambda: RecordingTransport(sent, record))
    return sent


@pytest.fixture
def mailbox(app, monkeypatch):
    """Mail is 'configured' and every message lands in this list as (to, subject, body): the
    outbox is delivered right after each request, as a worker would."""
    return install_mailbox(app, monkeypatch)


class _Records(__import__("logging").Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def signup_link(client, data: dict):
    """POST the sign-up form; returns (response, path of the emailed link or None).

    Without a mail server the testing app logs the link, as development does.
    """
    import logging

    handler = _Records()
    logger = logging.getLogger("lms.accounts")
    logger.addHandler(handler)
    try:
        response = post_form(client, "/signup", data, token_from="/signup")
    finally:
        logger.removeHandler(handler)
    links = [
        m.group(1)
        for r in handler.records
        if (m := re.search(r"https?://[^/\s]+(/signup/confirm/\S+)", r.getMessage()))
    ]
    return response, (links[-1] if links else None)


def sign_up(client, data: dict):
    """Sign up as a person would: the form, then the link in the email, then its button.

    Returns the last response: the redirect after the account is made, or the page that
    refused the form (422).
    """
    response, link = signup_link(client, data)
    if link is None:
        return response
    return post_form(client, link, {}, token_from=link)


@pytest.fixture
def make_user(app):
    """Create a user: ``make_user(role="facilitator", email=...)``."""
    counter = {"n": 0}

    def factory(role: str = "learner", email: str | None = None, name: str | None = None):
        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.org"
        with app.app_context():
            user = create_user(email, name or f"{role.title()} {counter['n']}", PASSWORD, role=role)
            db.session.commit()
            return user.id, email

    return factory


def login(client, email: str, password: str = PASSWORD):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def learner_client(client, make_user):
    """A test client signed in as a fresh learner; its user id is ``client.user_id``."""
    user_id, email = make_user("learner")
    login(client, email)
    client.user_id = user_id
    return client


def open_attempt(client, course: str = "sample-course", module: str = "first-steps") -> int:
    """Open the quiz page and return the id of the attempt it started."""
    html = client.get(f"/courses/{course}/{module}/quiz").get_data(as_text=True)
    match = re.search(r'action="/attempts/(\d+)"', html)
    assert match, html
    return int(match.group(1))


def as_displayed(client, attempt_id: int, answers: dict) -> dict:
    """``answers`` written with the author's choice indices, as the page sends them: the
    display positions of this attempt's stored layout (a learner clicks what they read)."""
    from lms.quizzes.models import Attempt

    with client.application.app_context():
        layout = {e["id"]: e for e in db.session.get(Attempt, attempt_id).layout}
    orders = {}
    for qid, entry in layout.items():
        if "choices" in entry:
            orders[f"q-{qid}"] = entry["choices"]
        for row in range(len(entry.get("rights", []))):
            orders[f"q-{qid}-{row}"] = entry["rights"]
    posted = {}
    for name, value in answers.items():
        order = orders.get(name)
        values = value if isinstance(value, list) else [value]
        if order is not None:
            values = [str(order.index(int(v))) if v.isdigit() and int(v) in order else v for v in values]
        posted[name] = values if isinstance(value, list) else values[0]
    return posted


def submit_quiz(
    client,
    answers: dict,
    course: str = "sample-course",
    module: str = "first-steps",
    anyway: bool = True,
):
    """Answer the open attempt of a quiz (``answers`` in the author's choice indices);
    returns the response to the submission. ``anyway``: as the "Submit anyway" button
    does, graded even with questions unanswered (else the quiz asks first)."""
    attempt_id = open_attempt(client, course, module)
    data = {
        "csrf_token": csrf_token(client, f"/courses/{course}/{module}/quiz"),
        **as_displayed(client, attempt_id, answers),
    }
    if anyway:
        data["confirm_unanswered"] = "1"
    return client.post(f"/attempts/{attempt_id}", data=data)


#: The fixture quiz's right answer: "Printing" is choice 0 of first-question.
PASSING = {"q-first-question": "0", "q-reflect": "I learned to print."}
FAILING = {"q-first-question": "1"}


def complete_with_quiz(client, module: str = "first-steps"):
    """Read the module and pass its quiz (the fixture's first module has one)."""
    post_form(
        client,
        f"/courses/sample-course/{module}/complete",
        token_from=f"/courses/sample-course/{module}",
    )
    return submit_quiz(client, PASSING, module=module)


@pytest.fixture
def make_cohort(app):
    """Create a cohort following the fixture's sample course: ``make_cohort(fac_id, [ids])``."""

    def factory(facilitator_ids=(), learner_ids=(), name="Test cohort", joined_at=None):
        import datetime as dt

        import sqlalchemy as sa

        from lms.accounts.models import User
        from lms.cohorts.operations import add_member, create_cohort
        from lms.courses.models import Course

        with app.app_context():
            course = db.session.scalar(sa.select(Course).where(Course.slug == "sample-course"))
            cohort = create_cohort(
                name,
                "Partner",
                "en",
                dt.date(2026, 1, 1),
                dt.date(2027, 12, 31),
                [course.id],
                list(facilitator_ids),
            )
            for user_id in learner_ids:
                add_member(cohort, db.session.get(User, user_id), joined_at=joined_at)
            db.session.commit()
            return cohort.id

    return factory


def logout(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


@pytest.fixture
def alma_and_boris(client, make_user, make_cohort):
    """A cohort where Alma completed the first module (quiz passed) and Boris failed its quiz
    twice; ``client`` is left signed in as their facilitator. Returns the cohort id."""
    fac_id, fac_email = make_user("facilitator")
    alma, alma_email = make_user("learner", name="Alma Active")
    boris, boris_email = make_user("learner", name="Boris Behind")
    cohort_id = make_cohort([fac_id], [alma, boris])
    login(client, alma_email)
    complete_with_quiz(client)
    logout(client)
    login(client, boris_email)
    submit_quiz(client, FAILING)
    submit_quiz(client, FAILING)
    logout(client)
    login(client, fac_email)
    return cohort_id
