"""A process dies mid-change (SIGKILL): a quiz submission, a class-list import, a content sync.

To kill at a known point, the scenario holds a lock on a table the change writes late; when
the change's database backend waits on it (the earlier writes of its transaction done, not
committed), the process is killed, then the lock is released. The database must hold all of
the change or none of it, and a retry must record it once.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa

from tests.faults.harness import (
    FIXTURES,
    ROOT,
    Stream,
    check_writes,
    make_learners,
    wait_for,
)


def _blocked_backend(admin, name: str, statement: str):
    """``(pid, client_port)`` of a backend of our database waiting for a lock on ``statement``."""
    with admin.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT pid, client_port FROM pg_stat_activity WHERE datname = :name "
                "AND wait_event_type = 'Lock' AND query ILIKE :statement LIMIT 1"
            ),
            {"name": name, "statement": statement + "%"},
        ).first()


class _TableLock:
    """``LOCK TABLE ... IN EXCLUSIVE MODE`` (reads go on, writes wait) until released."""

    def __init__(self, url: str, table: str):
        self.engine = sa.create_engine(url)
        self.connection = self.engine.connect()
        self.connection.exec_driver_sql(f"LOCK TABLE {table} IN EXCLUSIVE MODE")

    def release(self):
        self.connection.rollback()
        self.connection.close()
        self.engine.dispose()


def test_worker_killed_mid_quiz_submit(server, postgres, figures):
    url, name, admin = postgres
    learners = make_learners(url, "kill", 12)
    stream = Stream(server.base, learners)
    stream.run_for(2)  # before
    seen = {}

    def kill_mid_submit():
        lock = _TableLock(url, "attempt_answers")
        try:
            _pid, port = wait_for(
                lambda: _blocked_backend(admin, name, "INSERT INTO attempt_answers"),
                20,
                "a quiz submission to reach its answers",
            )
            worker = wait_for(lambda: server.worker_on_local_port(port), 5, "its worker")
            os.kill(worker, signal.SIGKILL)
            seen["killed"] = time.monotonic()
            time.sleep(0.3)
        finally:
            lock.release()
        wait_for(
            lambda: (
                len(server.worker_pids()) == server.workers and worker not in server.worker_pids()
            ),
            20,
            "gunicorn to replace the worker",
        )

    stream.run_for(3, while_running=kill_mid_submit)  # during
    stream.run_for(3)  # after
    writes = check_writes(url, learners)
    recovery = stream.recovered_after(seen["killed"])
    figures.add("gunicorn worker SIGKILLed mid quiz submit", stream, writes, recovery)
    assert stream.counts()["cut"] >= 1  # the killed request, retried by its learner
    assert stream.counts()["5xx"] == 0, stream.server_errors()[:5]
    assert writes["lost"] == writes["duplicated"] == writes["partial"] == 0, writes
    assert not stream.lost, stream.lost
    assert recovery <= 5


@pytest.fixture
def facilitator_cohort(postgres):
    """A facilitator (signed in through ``server``) and a cohort of theirs, made in-process."""
    from lms import create_app
    from lms.accounts.services import create_user
    from lms.cohorts.operations import create_cohort
    from lms.courses.models import Course
    from lms.extensions import db

    url = postgres[0]
    app = create_app(
        {
            "LMS_ENV": "testing",
            "SECRET_KEY": "fault-suite-setup-key-that-is-long-enough",
            "SQLALCHEMY_DATABASE_URI": url,
            "LMS_CONTENT_DIR": str(FIXTURES / "content"),
        }
    )
    import datetime as dt

    with app.app_context():
        user = create_user("fac@example.org", "Fac Ulty", "fault tolerant password", "facilitator")
        course = db.session.scalar(sa.select(Course).where(Course.slug == "sample-course"))
        cohort = create_cohort(
            "Killed import",
            "Partner",
            "en",
            dt.date(2026, 1, 1),
            dt.date(2027, 12, 31),
            [course.id],
            [user.id],
        )
        db.session.commit()
        cohort_id = cohort.id
        db.engine.dispose()
    return "fac@example.org", cohort_id


def _signed_in(server, email):
    import http.cookiejar

    from tests.faults.harness import PASSWORD, Learner, _csrf, _NoRedirect

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
    )
    stream = Stream(server.base, [Learner(email, "10.251.0.1")])
    _status, page = stream._send(opener, stream.learners[0], "form", "/login")
    stream._send(
        opener,
        stream.learners[0],
        "sign-in",
        "/login",
        {"csrf_token": _csrf(page), "email": email, "password": PASSWORD},
    )
    return opener, stream


def _members(admin_url: str, cohort_id: int) -> tuple[int, int]:
    engine = sa.create_engine(admin_url)
    with engine.connect() as connection:
        members = connection.execute(
            sa.text("SELECT count(*) FROM memberships WHERE cohort_id = :c"), {"c": cohort_id}
        ).scalar()
        accounts = connection.execute(
            sa.text("SELECT count(*) FROM users WHERE email LIKE 'classlist-%'")
        ).scalar()
    engine.dispose()
    return members, accounts


def test_worker_killed_mid_class_list_import(server, postgres, facilitator_cohort, figures):
    from tests.faults.harness import _csrf

    url, name, admin = postgres
    email, cohort_id = facilitator_cohort
    opener, stream = _signed_in(server, email)
    path = f"/facilitate/cohorts/{cohort_id}/import"
    csv = "\n".join(f"Class Learner {n}, classlist-{n}@example.org" for n in range(25))
    _status, page = stream._send(opener, stream.learners[0], "import form", path)
    data = {"csrf_token": _csrf(page), "csv_text": csv, "action": "import"}
    result = {}

    def post():
        result["status"], _ = stream._send(opener, stream.learners[0], "import", path, data)

    import threading

    lock = _TableLock(url, "memberships")
    try:
        thread = threading.Thread(target=post)
        thread.start()
        _pid, port = wait_for(
            lambda: _blocked_backend(admin, name, "INSERT INTO memberships"),
            20,
            "the import to reach its memberships",
        )
        worker = wait_for(lambda: server.worker_on_local_port(port), 5, "its worker")
        os.kill(worker, signal.SIGKILL)
        killed = time.monotonic()
        time.sleep(0.3)
    finally:
        lock.release()
    thread.join(timeout=30)
    assert result["status"] == 0  # the connection was cut
    wait_for(lambda: _members(url, cohort_id) == (0, 0), 10, "the killed import to roll back")
    status, _ = stream._until_answered(opener, stream.learners[0], "import", path, data)
    recovery = time.monotonic() - killed
    assert status == 200
    again, _ = stream._send(opener, stream.learners[0], "import", path, data)
    assert again == 200  # a second import of the same list adds nobody
    members, accounts = _members(url, cohort_id)
    writes = {"confirmed": 1, "lost": 0 if members == 25 else 1, "partial": 0}
    writes["duplicated"] = max(0, accounts - 25)
    figures.add("gunicorn worker SIGKILLed mid class-list import", stream, writes, recovery)
    assert (members, accounts) == (25, 25)
    assert stream.counts()["5xx"] == 0


def test_content_sync_killed_midway(server, postgres, tmp_path, figures):
    url, name, admin = postgres
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", content)
    course = content / "technology" / "sample-course"
    (course / "03-third-steps.md").write_text(
        "---\ntitle: Third steps\nduration_minutes: 5\nobjectives:\n  - Read on.\n---\n\n"
        "More to read.\n"
    )
    second = course / "02-second-steps.md"
    second.write_text(
        re.sub(r"(?m)^title: .*$", "title: Second steps, revised", second.read_text(), count=1)
    )

    def titles():
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT slug, title FROM modules")).all()
        engine.dispose()
        return dict(rows)

    before = titles()
    assert "third-steps" not in before
    lock = _TableLock(url, "modules")
    try:
        sync = subprocess.Popen(
            [sys.executable, "-m", "lms.cli", "content", "sync", str(content)],
            env=server.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(
            lambda: (
                _blocked_backend(admin, name, "UPDATE modules")
                or _blocked_backend(admin, name, "INSERT INTO modules")
            ),
            30,
            "the sync to reach the modules",
        )
        sync.kill()
        sync.wait(timeout=10)
        killed = time.monotonic()
    finally:
        lock.release()
    wait_for(lambda: titles() == before, 10, "the killed sync to leave the modules as they were")
    done = server.lms("content", "sync", str(content))
    recovery = time.monotonic() - killed
    after = titles()
    assert after["third-steps"] == "Third steps"
    assert after["second-steps"] == "Second steps, revised"
    assert len(after) == len(before) + 1, done.stdout
    stream = Stream(server.base, [])
    figures.add(
        "content sync SIGKILLed midway, then rerun",
        stream,
        {"confirmed": 1, "lost": 0, "duplicated": 0, "partial": 0},
        recovery,
    )
