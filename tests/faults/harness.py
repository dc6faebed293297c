"""Real processes for the fault scenarios, a bounded stream of learners, and the figures.

- :class:`RedisServer`: our own ``redis-server`` on a free port (stop, start again).
- :class:`Gunicorn`: the app under ``lms/gunicorn_conf.py`` on a free port, two workers.
- :class:`Stream`: learners who sign in, open a module page and submit a quiz, over and over,
  each from its own address (``X-Forwarded-For``); on a 503 or a cut connection they wait a
  moment and send the same request again, as a person would.
- :func:`check_writes`: what the learners were told was recorded, against the database.
- :class:`Figures`: one line per scenario.

Extension point: a scenario is ``stream.phase("before")``, the fault, ``stream.phase("during")``,
the repair, ``stream.phase("after")``, then ``figures.add(...)``. A new dependency (the
notifications' job queue and its RQ worker) joins by starting its process beside
:class:`RedisServer` in ``conftest.py`` and adding a scenario that stops it, plus a check of its
own writes (the outbox rows) next to :func:`check_writes`.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
PASSWORD = "fault tolerant password"
MODULE = "/courses/sample-course/first-steps"
#: The fixture quiz's right answers (see tests/conftest.py PASSING).
ANSWERS = {"q-first-question": "0", "q-reflect": "Faults survived."}
QUESTIONS = 2
#: How long a learner keeps retrying one request before the scenario counts it as lost.
GIVE_UP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    """``redis-server`` on a free port, without persistence; stop and start it at will."""

    def __init__(self, binary: str, folder: Path):
        self.binary, self.folder = binary, folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, 10, "redis-server to answer")

    def ping(self) -> bool:
        import redis

        try:
            return redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=1)

    def stop(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
            self.process = None


class Gunicorn:
    """The app as ``lms serve`` runs it: gunicorn with lms/gunicorn_conf.py."""

    def __init__(self, env: dict, folder: Path, workers: int = 2, extra=()):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "LMS_ENV": "production",
            "LMS_SECRET_KEY": "fault-suite-" + "k" * 40,
            # Production builds every absolute link from its base URL and refuses other hosts.
            "LMS_BASE_URL": f"http://127.0.0.1:{self.port}",
            "LMS_INSECURE_COOKIES": "1",
            "LMS_CONTENT_DIR": str(FIXTURES / "content"),
            "LMS_INSTANCE_PATH": str(folder),
            "LMS_TRUSTED_PROXIES": "1",
            "LMS_ACCESS_LOG": "/dev/null",
            **env,
        }
        self.env.pop("LMS_TEST_DATABASE_URL", None)
        self.workers, self.extra = workers, list(extra)
        self.log_path = folder / f"gunicorn-{self.port}.log"
        self.process = None

    def lms(self, *args: str, check=True):
        """Run ``lms <args>`` against this server's configuration."""
        return subprocess.run(
            [sys.executable, "-m", "lms.cli", *args],
            env=self.env,
            cwd=ROOT,
            check=check,
            capture_output=True,
            text=True,
        )

    def start(self):
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "lms" / "gunicorn_conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                *self.extra,
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self._answers, 30, "gunicorn to answer /health", step=0.1)
        wait_for(lambda: len(self.worker_pids()) == self.workers, 30, "every worker to boot")

    def _answers(self):
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {self.log_path.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(self.base + "/health", timeout=2).close()
            return True
        except urllib.error.HTTPError:
            return True  # it answers (503 while the database is away)
        except (urllib.error.URLError, OSError, HTTPException):
            return False

    def reload(self):
        """``kill -HUP``, as a deploy does: new workers (new database connections) replace the
        old ones, which finish their requests first."""
        old = set(self.worker_pids())
        self.process.send_signal(signal.SIGHUP)
        wait_for(
            lambda: len(self.worker_pids()) == self.workers and not old & set(self.worker_pids()),
            30,
            "new workers to replace the old",
        )
        wait_for(self._answers, 30, "the new workers to answer", step=0.1)

    def health(self) -> tuple[int, dict]:
        import json

        try:
            with urllib.request.urlopen(self.base + "/health", timeout=3) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def worker_on_local_port(self, port: int) -> int | None:
        """The worker whose TCP socket has local port ``port`` (a database connection)."""
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
        for pid in self.worker_pids():
            try:
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    target = os.readlink(fd)
                    if target.startswith("socket:[") and target[8:-1] in inodes:
                        return pid
            except OSError:
                continue
        return None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
            self._log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Result:
    at: float
    what: str
    status: int  # 0: the connection was cut (no answer)


@dataclass
class Learner:
    """One person's browser: a cookie jar, an address, and the quizzes they saw recorded."""

    email: str
    address: str
    confirmed: set = field(default_factory=set)


class Stream:
    """A bounded stream of learners' journeys against ``base``, from a few threads."""

    def __init__(self, base: str, learners: list[Learner], threads: int = 3):
        self.base, self.learners, self.threads = base, learners, threads
        self.results: list[Result] = []
        self.lost: list[str] = []
        self._lock = threading.Lock()
        self._next = 0

    # -- one request, retried like a person would -------------------------------------------

    def _send(self, opener, learner, what, path, data=None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.base + path, data=body, headers={"X-Forwarded-For": learner.address}
        )
        try:
            with opener.open(request, timeout=20) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode(errors="replace")
        except (urllib.error.URLError, OSError, HTTPException):
            status, text = 0, ""
        with self._lock:
            self.results.append(Result(time.monotonic(), what, status))
        return status, text

    def _until_answered(self, opener, learner, what, path, data=None, ok=(200,)):
        """Send until the answer is one of ``ok``; 503s and cut connections are retried."""
        give_up = time.monotonic() + GIVE_UP_SECONDS
        while True:
            status, text = self._send(opener, learner, what, path, data)
            if status in ok:
                return status, text
            if status not in (0, 503) or time.monotonic() > give_up:
                return status, text
            time.sleep(0.2)

    def journey(self, learner: Learner) -> None:
        """Sign in, read the module, open and submit its quiz (each step retried)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
        status, page = self._until_answered(opener, learner, "sign-in form", "/login")
        token = _csrf(page)
        if token is None:
            return
        status, _ = self._until_answered(
            opener,
            learner,
            "sign-in",
            "/login",
            {"csrf_token": token, "email": learner.email, "password": PASSWORD},
            ok=(302, 303),
        )
        if status not in (302, 303):
            return
        self._until_answered(opener, learner, "module page", MODULE)
        status, page = self._until_answered(opener, learner, "quiz page", MODULE + "/quiz")
        match = re.search(r'action="/attempts/(\d+)"', page)
        token = _csrf(page)
        if status != 200 or not match or token is None:
            return
        attempt = int(match.group(1))
        status, _ = self._until_answered(
            opener,
            learner,
            "quiz submit",
            f"/attempts/{attempt}",
            {"csrf_token": token, **ANSWERS},
            ok=(303,),
        )
        if status == 303:
            learner.confirmed.add(attempt)
        else:
            with self._lock:
                self.lost.append(f"attempt {attempt} of {learner.email}: last answer {status}")

    # -- phases ------------------------------------------------------------------------------

    def _take(self) -> Learner:
        with self._lock:
            learner = self.learners[self._next % len(self.learners)]
            self._next += 1
            return learner

    def run_for(self, seconds: float, while_running=None) -> None:
        """Journeys from ``threads`` threads for ``seconds`` (and until ``while_running`` ends).

        ``while_running`` (the fault and its repair) runs in this thread meanwhile; journeys
        already begun are finished, so none is cut off by the end of the phase.
        """
        stop = threading.Event()

        def loop():
            while not stop.is_set():
                self.journey(self._take())

        workers = [threading.Thread(target=loop, daemon=True) for _ in range(self.threads)]
        for worker in workers:
            worker.start()
        started = time.monotonic()
        try:
            if while_running is not None:
                while_running()
            time.sleep(max(0.0, seconds - (time.monotonic() - started)))
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=GIVE_UP_SECONDS + 30)

    # -- figures -----------------------------------------------------------------------------

    def counts(self) -> dict:
        statuses = [r.status for r in self.results]
        return {
            "requests": len(statuses),
            "5xx": sum(1 for s in statuses if s >= 500 and s != 503),
            "503": statuses.count(503),
            "cut": statuses.count(0),
        }

    def recovered_after(self, moment: float) -> float:
        """Seconds from ``moment`` (the part is back) until requests succeed again: to the
        last 503 or cut connection after it, or to the first success when that came later."""
        after = [r for r in self.results if r.at >= moment]
        failures = [r.at for r in after if r.status in (0, 503)]
        successes = [r.at for r in after if 200 <= r.status < 400]
        last_failure = max(failures) if failures else moment
        first_success = min(successes) if successes else moment
        return max(last_failure, first_success) - moment

    def server_errors(self) -> list[Result]:
        return [r for r in self.results if r.status >= 500 and r.status != 503]


def _csrf(page: str) -> str | None:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return match.group(1) if match else None


def make_learners(database_url: str, prefix: str, count: int) -> list[Learner]:
    """``count`` learner accounts straight in the database (one password hash for all)."""
    from werkzeug.security import generate_password_hash

    import lms.organisations.models  # noqa: F401  (users.organisation_id points at it)
    from lms.accounts.models import User

    password_hash = generate_password_hash(PASSWORD, method="scrypt")
    engine = sa.create_engine(database_url)
    learners = []
    with sa.orm.Session(engine) as session:
        for n in range(count):
            email = f"{prefix}-{n}@example.org"
            session.add(User(email=email, name=f"{prefix} {n}", password_hash=password_hash))
            learners.append(
                Learner(email, f"10.{hash(prefix) % 200 + 20}.{n // 250}.{n % 250 + 1}")
            )
        session.commit()
    engine.dispose()
    return learners


def check_writes(database_url: str, learners: list[Learner]) -> dict:
    """Quiz submissions the learners saw recorded, against what the database holds.

    ``lost``: confirmed but not submitted in the database; ``duplicated``: an attempt holding
    more answers than the quiz has questions, or two answers to one question; ``partial``: a
    submitted attempt missing answers, or answers on an attempt that is not submitted.
    """
    from lms.accounts.models import User
    from lms.quizzes.models import Attempt, AttemptAnswer

    emails = [learner.email for learner in learners]
    confirmed = set().union(*(learner.confirmed for learner in learners))
    engine = sa.create_engine(database_url)
    with sa.orm.Session(engine) as session:
        rows = session.execute(
            sa.select(
                Attempt.id,
                Attempt.submitted_at.is_not(None),
                sa.func.count(AttemptAnswer.id),
                sa.func.count(sa.distinct(AttemptAnswer.question_id)),
            )
            .join(User, User.id == Attempt.user_id)
            .outerjoin(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
            .where(User.email.in_(emails))
            .group_by(Attempt.id, Attempt.submitted_at)
        ).all()
    engine.dispose()
    submitted = {row[0] for row in rows if row[1]}
    return {
        "confirmed": len(confirmed),
        "lost": len(confirmed - submitted),
        "duplicated": sum(1 for r in rows if r[2] > QUESTIONS or r[2] != r[3]),
        "partial": sum(1 for r in rows if (r[1] and r[2] < QUESTIONS) or (not r[1] and r[2])),
    }


class Figures:
    """One line per scenario, printed at the end of the run (and kept for docs/deploy.md)."""

    HEADER = (
        f"{'scenario':<44} {'requests':>8} {'5xx':>4} {'503':>4} {'cut':>4} "
        f"{'writes':>6} {'lost':>4} {'dup':>4} {'part':>4} {'recovery s':>10}"
    )

    def __init__(self):
        self.lines: list[str] = []

    def add(self, scenario: str, stream: Stream, writes: dict, recovery: float) -> str:
        c = stream.counts()
        line = (
            f"{scenario:<44} {c['requests']:>8} {c['5xx']:>4} {c['503']:>4} {c['cut']:>4} "
            f"{writes['confirmed']:>6} {writes['lost']:>4} {writes['duplicated']:>4} "
            f"{writes['partial']:>4} {recovery:>10.1f}"
        )
        self.lines.append(line)
        print("\n" + self.HEADER + "\n" + line)
        return line
