"""Load test: the app under gunicorn with 32 concurrent users, against its framework ceiling.

Seeds a fresh database (SQLite in a temporary folder, or a throwaway PostgreSQL database) with
the starter content, 500 learners in a cohort with a facilitator and simulated progress; starts
the app exactly as production does (``lms serve``, ``lms/gunicorn_conf.py``) on a free loopback
port; then drives it with locust as a library:

1. the framework ceiling: every user requests ``/bench/ceiling`` (a trivial route added to the
   same app, served by the same gunicorn, see :func:`ceiling_app`);
2. the mix: learners sign in once and loop over catalogue, course page, module page, quiz page,
   quiz submit (answers read from the form), result page, progress API and their home
   (``ENDPOINTS``), while facilitators load the cohort page and a programme manager the report;
3. each endpoint alone, with the same concurrency, for its throughput relative to the ceiling.

    .venv/bin/python bench/load.py [--database sqlite|postgres] [--users 32] [--duration 30]
                                   [--workers N] [--profile] [--only ENDPOINTS] [--app APP]

Needs locust in the venv (``pip install 'locust>=2.30,<3'``); the server runs with rate limits
off, since every simulated user comes from 127.0.0.1.

Only 127.0.0.1 is ever contacted; every phase is bounded in time and in requests, and the server
and database are removed on exit, Ctrl-C or failure. Usage and figures: ``bench/README.md``.
The last line printed is one JSON object with every figure and the targets.
"""

# ruff: noqa: E402
if __name__ == "__main__":
    # Locust patches the standard library with gevent when imported: before anything else.
    import locust  # noqa: F401

import argparse
import html.parser
import json
import logging
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

#: Targets: throughput as a share of the ceiling, latency and memory.
TARGET_MODULE_RATIO = 0.25
TARGET_SUBMIT_RATIO = 0.15
TARGET_P99_MS = 250
TARGET_RSS_MB = 150
#: The whole server, master and workers: proportional set size (shared pages split).
TARGET_PSS_MB = 200
#: No phase sends more than this many requests, whatever the machine.
MAX_REQUESTS_PER_PHASE = 150_000
#: Requests that only prepare a phase; shown, never part of the targets.
SETUP = ("sign-in form", "sign-in", "quiz page (setup)")


@dataclass(frozen=True)
class Endpoint:
    """A page of the mix: who requests it, its path, and text its answer must contain."""

    role: str  # learner, facilitator or manager
    path: Callable  # (seeded, course slug, module slug) -> path
    expect: str


#: The pages of the mix, in the order a learner loops over them; one line adds a page
#: (a learner's page joins every learner's loop; a facilitator's or manager's, their own loop
#: every 2-4 s). "quiz submit" and "quiz result" follow "quiz page": they need its form.
ENDPOINTS = {
    "catalogue": Endpoint("learner", lambda s, c, m: "/", "/courses/"),
    "course page": Endpoint("learner", lambda s, c, m: f"/courses/{c}/", "<h1"),
    "module page": Endpoint("learner", lambda s, c, m: f"/courses/{c}/{m}", 'id="finish-title"'),
    "quiz page": Endpoint("learner", lambda s, c, m: f"/courses/{c}/{m}/quiz", "quiz-form"),
    "progress API": Endpoint("learner", lambda s, c, m: "/api/v1/me/progress", '"courses"'),
    "learner home": Endpoint("learner", lambda s, c, m: "/me/learning", "<h1"),
    "notifications": Endpoint("learner", lambda s, c, m: "/notifications", "<h1"),
    "cohort page": Endpoint(
        "facilitator", lambda s, c, m: f"/facilitate/cohorts/{s.cohort_id}", "cell-"
    ),
    "programme report": Endpoint("manager", lambda s, c, m: "/programme/report", 'id="period"'),
}
#: Requests that are not plain GETs of a page: they follow the quiz page.
QUIZ_STEPS = ("quiz submit", "quiz result")
MIX_ENDPOINTS = tuple(
    step for name in ENDPOINTS for step in ((name, *QUIZ_STEPS) if name == "quiz page" else (name,))
)
#: What a learner requests in the mix, in order.
LEARNER_STEPS = tuple(n for n in MIX_ENDPOINTS if n in QUIZ_STEPS or ENDPOINTS[n].role == "learner")
#: Endpoints requested by people other than learners (a few users of the mix, with think time).
WATCHERS = ("facilitator", "manager")


#: Signals received (Ctrl-C, SIGTERM): every loop ends and the main greenlet cleans up.
INTERRUPTED: list[int] = []


def _on_signal(signum, _frame):
    INTERRUPTED.append(signum)
    if _in_main_greenlet():
        check_interrupted()


def _in_main_greenlet() -> bool:
    """Signal handlers run in whichever greenlet is current; only the main one may raise."""
    try:
        import greenlet
    except ImportError:
        return True
    return greenlet.getcurrent().parent is None


def check_interrupted() -> None:
    if INTERRUPTED:
        if INTERRUPTED[0] == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + INTERRUPTED[0])


#: What gunicorn serves for the whole run.
APP = "bench.load:ceiling_app()"


def ceiling_app():
    """What gunicorn serves for the whole run: the production app plus one trivial route.

    ``lms.wsgi:app`` unchanged (same config, extensions, request hooks), so the ceiling is what
    this app's stack can do at best under these gunicorn settings.
    """
    from lms.wsgi import app

    @app.get("/bench/ceiling")
    def bench_ceiling():
        return "ok"

    return app


# --- the database and the server ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def create_postgres_database(server_url: str) -> tuple[str, str]:
    """A new empty database on the server; returns (its URL, its name)."""
    import psycopg

    name = f"lms_load_{secrets.token_hex(4)}"
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name, name


def drop_postgres_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def prepare_database(env: dict, learners: int, facilitators: int, managers: int = 1) -> tuple:
    """Migrate, publish content/, then seed in-process; returns (Seeded, seconds)."""
    started = time.perf_counter()
    lms = [str(VENV_BIN / "lms")]
    for command in (["db", "upgrade"], ["content", "sync", str(ROOT / "content")]):
        done = subprocess.run(
            [*lms, *command], env=env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise RuntimeError(f"lms {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    os.environ.update(env)
    from seed import seed

    from lms import create_app
    from lms.extensions import db

    app = create_app()
    with app.app_context():
        seeded = seed(learners=learners, facilitators=facilitators, managers=managers)
        db.session.remove()
        db.engine.dispose()
    return seeded, time.perf_counter() - started


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat from field 3 (state) on; ``[]`` when the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return stat[stat.rindex(")") + 2 :].split()


def _own_ticks(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[11]) + int(fields[12]) if fields else 0


def _children_ticks(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[13]) + int(fields[14]) if fields else 0


class Server:
    """gunicorn started by ``lms serve`` in its own process group; stopped whatever happens."""

    def __init__(self, env: dict, port: int, workers: int | None, log_path: Path, app: str):
        args = [str(VENV_BIN / "lms"), "serve", "--bind", f"{HOST}:{port}"]
        if workers:
            args += ["--workers", str(workers)]
        args += ["--chdir", str(ROOT), app]
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            args,
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = f"http://{HOST}:{port}"
        self.rss_max: dict[int, int] = {}
        self.workers_seen: set[int] = set()
        self.pss_max_kb = 0

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            check_interrupted()
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2) as response:
                    if response.status == 200 and len(self.workers()) > 0:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"/health did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def workers(self) -> list[int]:
        """The master's children: gunicorn's workers."""
        children = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                fields = _stat_fields(int(entry))
                if fields and int(fields[1]) == self.process.pid:
                    children.append(int(entry))
        return children

    def cpu_ticks(self) -> int:
        """CPU time (user + system, clock ticks) of the workers, recycled ones included.

        A worker that exited was reaped by the master, whose children's times include it.
        """
        ticks = 0
        for pid in self.workers():
            ticks += _own_ticks(pid)
        return ticks + _children_ticks(self.process.pid)

    def sample_rss(self) -> dict[int, int]:
        """VmRSS in KiB of every worker now; the maxima are kept."""
        now = {}
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
            if match:
                now[pid] = int(match.group(1))
                self.rss_max[pid] = max(self.rss_max.get(pid, 0), now[pid])
                self.workers_seen.add(pid)
        return now

    def sample_pss(self) -> int:
        """PSS in KiB of the master and its workers together now (``smaps_rollup``); the
        maximum is kept. Shared pages count once in all, split between the processes."""
        total = 0
        for pid in [self.process.pid, *self.workers()]:
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
            total += int(match.group(1)) if match else 0
        self.pss_max_kb = max(self.pss_max_kb, total)
        return total

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:  # anything left of the group (a worker stuck in a request) goes now
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=5)
        self._log.close()


# --- simulated people ---------------------------------------------------------------------


class QuizFormParser(html.parser.HTMLParser):
    """The quiz form's action and fields, as a browser sees them."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.csrf = None
        self.choices: dict[str, list[str]] = {}  # radio groups
        self.checkboxes: dict[str, list[str]] = {}
        self.texts: dict[str, str] = {}  # name -> inputmode
        self.selects: dict[str, list[str]] = {}
        self.textareas: list[str] = []
        self._select = None
        self._inside = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "quiz-form" in (a.get("class") or "").split():
            self.action, self._inside = a.get("action"), True
        elif not self._inside:
            return
        elif tag == "input":
            kind, name = a.get("type", "text"), a.get("name")
            if name == "csrf_token":
                self.csrf = a.get("value")
            elif kind == "radio":
                self.choices.setdefault(name, []).append(a.get("value"))
            elif kind == "checkbox":
                self.checkboxes.setdefault(name, []).append(a.get("value"))
            elif kind == "text":
                self.texts[name] = a.get("inputmode", "")
        elif tag == "select":
            self._select = a.get("name")
            self.selects[self._select] = []
        elif tag == "option" and self._select and a.get("value"):
            self.selects[self._select].append(a["value"])
        elif tag == "textarea":
            self.textareas.append(a.get("name"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._inside = False

    def answers(self, rng: random.Random) -> list[tuple[str, str]]:
        """A plausible submission: every question answered, right or wrong by chance."""
        fields = [("csrf_token", self.csrf)]
        fields += [(name, rng.choice(values)) for name, values in self.choices.items()]
        for name, values in self.checkboxes.items():
            fields += [(name, v) for v in rng.sample(values, rng.randint(1, len(values)))]
        for name, mode in self.texts.items():
            fields.append((name, str(rng.randint(1, 100)) if mode == "decimal" else "prototype"))
        fields += [(name, rng.choice(values)) for name, values in self.selects.items() if values]
        fields += [
            (name, "We could test this with a local manufacturer.") for name in self.textareas
        ]
        return fields


def parse_quiz_form(html_text: str) -> QuizFormParser | None:
    parser = QuizFormParser()
    parser.feed(html_text)
    return parser if parser.action and parser.csrf else None


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Phase:
    """One measured stretch of load, shared by the driver and the simulated users."""

    name: str
    seeded: object
    password: str
    #: Where this phase starts in the account lists: each phase signs in fresh accounts.
    offset: int = 0
    users: int = 0
    stop: bool = False
    ready: int = 0
    sent: int = 0
    ready_at: float | None = None
    exhausted_at: float | None = None
    setup_failed: str | None = None
    taken: dict = field(default_factory=lambda: dict.fromkeys(("learner", *WATCHERS), 0))
    records: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)

    def take(self, role: str) -> str:
        """The next account of this role: distinct learners, facilitators and managers shared."""
        pool = getattr(self.seeded, {"learner": "learners"}.get(role, role + "s"))
        index = self.taken[role] + (self.offset if role == "learner" else 0)
        self.taken[role] += 1
        return pool[index % len(pool)]


def user_classes(phase: Phase, kind: str, facilitators: int, managers: int = 0) -> list:
    """The locust user classes for one phase (``kind``: ceiling, mix, or an endpoint's name)."""
    import gevent
    from locust import between, constant
    from locust.contrib.fasthttp import FastHttpUser
    from locust.exception import StopUser

    modules = [(c, m) for c, m, has_quiz in phase.seeded.modules if has_quiz]

    class Person(FastHttpUser):
        abstract = True
        wait_time = constant(0)
        network_timeout = 60.0
        connection_timeout = 10.0
        role = "learner"
        signs_in = True

        def on_start(self):
            self.rng = random.Random(f"{phase.name}:{phase.ready}:{id(self)}")  # noqa: S311
            try:
                if self.signs_in:
                    self.email = phase.take(self.role)
                    self.sign_in()
                self.prepare()
            except StopUser:
                phase.setup_failed = phase.setup_failed or "a user stopped during sign-in"
                raise
            except Exception as exc:
                phase.setup_failed = phase.setup_failed or repr(exc)[:300]
                raise
            phase.ready += 1
            if phase.ready == phase.users:
                phase.ready_at = time.time()

        def prepare(self):
            """Anything to do before the measured loop (not part of the figures)."""

        def all_ready(self) -> bool:
            """Users start together, once every one of them has signed in and prepared."""
            if phase.ready_at is None:
                gevent.sleep(0.02)
                return False
            return True

        def go(self):
            if phase.stop or INTERRUPTED:
                phase.stop = True
                raise StopUser()
            phase.sent += 1
            if phase.sent > MAX_REQUESTS_PER_PHASE:
                phase.stop = True
                raise StopUser()

        def fail(self, response, name: str, why: str):
            response.failure(why)
            phase.errors.setdefault(name, []).append(why)

        def page(self, path: str, name: str, expect: str | None = None) -> str | None:
            """GET a page that must answer 200 (a redirect would mean the session was lost)."""
            self.go()
            with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
                if r.status_code != 200:
                    self.fail(r, name, f"{r.status_code} for {path}")
                    return None
                text = r.text or ""
                if expect is not None and expect not in text:
                    self.fail(r, name, f"{path}: {expect!r} not in the response")
                    return None
                r.success()
                return text

        def sign_in(self):
            self.go()
            with self.client.get("/login", name="sign-in form", catch_response=True) as r:
                match = CSRF.search(r.text or "")
                if r.status_code != 200 or not match:
                    self.fail(r, "sign-in form", f"{r.status_code}, no CSRF token")
                    raise StopUser()
            self.go()
            with self.client.post(
                "/login",
                data={
                    "csrf_token": match.group(1) or match.group(2),
                    "email": self.email,
                    "password": phase.password,
                },
                name="sign-in",
                allow_redirects=False,
                catch_response=True,
            ) as r:
                if r.status_code != 302 or "/login" in (r.headers.get("location") or ""):
                    self.fail(r, "sign-in", f"{r.status_code} signing in {self.email}")
                    raise StopUser()

        def quiz(self, course: str, module: str, name: str = "quiz page"):
            text = self.page(f"/courses/{course}/{module}/quiz", name, "quiz-form")
            return parse_quiz_form(text) if text else None

        def submit(self, form: QuizFormParser, follow: bool = True):
            self.go()
            with self.client.post(
                form.action,
                data=urlencode(form.answers(self.rng)),
                headers=FORM,
                name="quiz submit",
                allow_redirects=False,
                catch_response=True,
            ) as r:
                location = (r.headers.get("location") or "") if r.headers else ""
                if r.status_code != 303 or not re.search(r"/attempts/\d+$", location):
                    self.fail(r, "quiz submit", f"{r.status_code} for {form.action}")
                    return
            if follow:  # as a browser does
                self.page(re.sub(r"^https?://[^/]+", "", location), "quiz result", "%")

        def any_module(self) -> tuple[str, str]:
            return self.rng.choice(modules)

    class Learner(Person):
        """Signs in once, then keeps learning without think time: this measures capacity."""

        def learn(self):
            if not self.all_ready():
                return
            course, module = self.any_module()
            for name, endpoint in ENDPOINTS.items():
                if endpoint.role != "learner":
                    continue
                if name == "quiz page":
                    form = self.quiz(course, module)
                    if form:
                        self.submit(form)
                else:
                    self.page(endpoint.path(phase.seeded, course, module), name, endpoint.expect)

        tasks = [learn]

    class Watcher(Person):
        """Looks at their pages every few seconds, as a facilitator does during a workshop."""

        abstract = True
        wait_time = between(2, 4)

        def look(self):
            if not self.all_ready():
                return
            course, module = self.any_module()
            for name, endpoint in ENDPOINTS.items():
                if endpoint.role == self.role:
                    self.page(endpoint.path(phase.seeded, course, module), name, endpoint.expect)

        tasks = [look]

    watchers = {
        role: type(role.title(), (Watcher,), {"role": role, "abstract": False}) for role in WATCHERS
    }

    class Ceiling(Person):
        signs_in = False

        def hit(self):
            if not self.all_ready():
                return
            self.page("/bench/ceiling", "ceiling", "ok")

        tasks = [hit]

    class Alone(Person):
        """A learner that requests one endpoint only, for its throughput."""

        def hit(self):
            if not self.all_ready():
                return
            course, module = self.any_module()
            if kind == "quiz page":
                self.quiz(course, module)
            elif kind == "quiz result":
                self.page(self.rng.choice(self.results), kind, "%")
            elif kind == "quiz submit":
                if not self.forms:
                    # Out of open attempts: the measured stretch ends with the first user.
                    phase.exhausted_at = phase.exhausted_at or time.time()
                    raise StopUser()
                self.submit(self.forms.pop(), follow=False)
            else:
                endpoint = ENDPOINTS[kind]
                self.page(endpoint.path(phase.seeded, course, module), kind, endpoint.expect)

        def prepare(self):
            if kind == "quiz submit":
                # One open attempt per quiz of the catalogue, opened before measuring.
                self.forms = []
                for course, module in phase.seeded.catalogue:
                    form = self.quiz(course, module, name="quiz page (setup)")
                    if form:
                        self.forms.append(form)
                self.rng.shuffle(self.forms)
            elif kind == "quiz result":
                self.results = []
                for course, module in modules[:3]:
                    form = self.quiz(course, module, name="quiz page (setup)")
                    if form:
                        self.go()
                        with self.client.post(
                            form.action,
                            data=urlencode(form.answers(self.rng)),
                            headers=FORM,
                            name="quiz submit (setup)",
                            allow_redirects=False,
                        ) as r:
                            self.results.append(
                                re.sub(r"^https?://[^/]+", "", r.headers.get("location") or "")
                            )

        tasks = [hit]

    if kind == "ceiling":
        return [Ceiling]
    if kind == "mix":
        classes = [Learner]
        for role, count in (("facilitator", facilitators), ("manager", managers)):
            if count:
                watchers[role].fixed_count = count
                classes.append(watchers[role])
        return classes
    if kind in ENDPOINTS and ENDPOINTS[kind].role != "learner":
        watcher = watchers[ENDPOINTS[kind].role]
        watcher.wait_time = constant(0)
        return [watcher]
    return [Alone]


# --- running phases -----------------------------------------------------------------------


def run_phase(
    server: Server,
    phase: Phase,
    kind: str,
    users: int,
    seconds: float,
    warmup: float,
    facilitators: int = 0,
    managers: int = 0,
) -> dict:
    """Start the users, wait until all are signed in, warm up, measure, then stop and drain.

    Returns the measured window; the requests are in ``phase.records``.
    """
    import gevent
    from locust.env import Environment

    if not server.base.startswith(f"http://{HOST}:"):
        raise RuntimeError("load is only ever sent to 127.0.0.1")
    phase.users = users
    env = Environment(
        user_classes=user_classes(phase, kind, facilitators, managers), host=server.base
    )

    def record(request_type, name, response_time, response_length, exception, **_kw):
        phase.records.append((name, time.time(), response_time, response_length, bool(exception)))
        if exception and name not in phase.errors:
            phase.errors[name] = [repr(exception)[:200]]

    env.events.request.add_listener(record)
    runner = env.create_local_runner()
    try:
        runner.start(users, spawn_rate=users, wait=False)
        deadline = time.monotonic() + SETUP_TIMEOUT
        while phase.ready_at is None:
            check_interrupted()
            if phase.setup_failed or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{phase.name}: {phase.ready} of {users} users ready; "
                    f"{phase.setup_failed or 'time-out'}; errors: {str(phase.errors)[:500]}"
                )
            server.sample_rss()
            gevent.sleep(0.1)
        start = phase.ready_at + warmup
        end = start + seconds
        first = None
        rss_kb = pss_kb = 0
        pss_at = 0.0
        while time.time() < end:
            if first is None and time.time() >= start:
                first = (time.time(), _cpu(), server.cpu_ticks())
            check_interrupted()
            if phase.stop:
                end = min(end, time.time())
            if phase.exhausted_at is not None:
                end = min(end, phase.exhausted_at)
            rss_kb = max(rss_kb, *server.sample_rss().values(), 0)
            if time.time() - pss_at >= 1:  # reading smaps_rollup walks page tables: 1/s
                pss_kb, pss_at = max(pss_kb, server.sample_pss()), time.time()
            gevent.sleep(0.1)
        client_cpu = server_cpu = None
        if first is not None:
            elapsed = max(1e-6, time.time() - first[0])
            client_cpu = (_cpu() - first[1]) / elapsed
            server_cpu = (server.cpu_ticks() - first[2]) / os.sysconf("SC_CLK_TCK") / elapsed
    finally:
        phase.stop = True
        # Each user ends the request it is in; nothing of this phase spills into the next.
        drain = time.monotonic() + 90
        while runner.user_count and time.monotonic() < drain and not INTERRUPTED:
            gevent.sleep(0.05)
        runner.quit()
        server.sample_rss()
    return {
        "start": start,
        "end": end,
        "seconds": max(1e-6, end - start),
        "client_cpu": client_cpu,
        "server_cpu": server_cpu,
        "rss_max_kb": rss_kb,
        "pss_max_kb": pss_kb,
    }


SETUP_TIMEOUT = 180


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def summarise(phase: Phase, window: dict) -> dict[str, dict]:
    """Per endpoint: requests completed in the window, req/s, p50/p95/p99/max ms, errors.

    Setup requests (sign-in, opening attempts) are counted whenever they happened.
    """
    from common import percentile

    samples: dict[str, list] = {}
    for name, done_at, ms, size, failed in phase.records:
        setup = name in SETUP or name.endswith("(setup)")
        if setup or window["start"] <= done_at <= window["end"]:
            samples.setdefault(name, []).append((ms, failed, size))
    rows = {}
    for name, items in samples.items():
        times = [ms for ms, _failed, _size in items]
        setup = name in SETUP or name.endswith("(setup)")
        rows[name] = {
            "requests": len(items),
            "rps": None if setup else round(len(items) / window["seconds"], 1),
            "p50_ms": round(percentile(times, 0.50), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "p99_ms": round(percentile(times, 0.99), 1),
            "max_ms": round(max(times), 1),
            "errors": sum(1 for _ms, failed, _size in items if failed),
            "kb": round(statistics.median(size for _ms, _f, size in items) / 1024, 1),
            "setup": setup,
        }
    return rows


# --- profiling ----------------------------------------------------------------------------

CATEGORIES = (
    ("database driver: SQL execution", lambda f, fn: "sqlite3" in fn or "psycopg" in f + fn),
    (
        "templates (Jinja, MarkupSafe)",
        lambda f, fn: f.endswith((".html", ".txt")) or "/jinja2/" in f or "/markupsafe/" in f,
    ),
    ("translations and dates (Babel)", lambda f, fn: "/flask_babel/" in f or "/babel/" in f),
    ("SQLAlchemy: ORM and Core", lambda f, fn: "/sqlalchemy/" in f),
    (
        "Flask, Werkzeug, extensions",
        lambda f, fn: any(
            p in f
            for p in (
                "/flask/",
                "/werkzeug/",
                "/flask_login/",
                "/flask_wtf/",
                "/wtforms/",
                "/flask_limiter/",
                "/limits/",
                "/flask_sqlalchemy/",
                "/itsdangerous/",
            )
        ),
    ),
    ("password hashing", lambda f, fn: "scrypt" in fn or "pbkdf2" in fn),
    ("app code (lms/)", lambda f, fn: "/lms/" in f),
    ("other: standard library, builtins", lambda f, fn: True),
)


def _category(filename: str, function: str) -> str:
    return next(name for name, test in CATEGORIES if test(filename, function))


def _where(filename: str, line: int, function: str) -> str:
    for marker in ("/site-packages/", str(ROOT) + "/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
    return f"{filename}:{line}:{function}" if filename != "~" else function


def measure_in_process(seeded, endpoints: list[str], repeat: int, profile: bool = False) -> dict:
    """Per endpoint in-process (Flask test client, same database and config): SQL statements
    and CPU time (``time.process_time``) per request, and with ``profile`` a cProfile.

    CPU time holds on a shared machine where wall-clock time does not. Each endpoint gets a
    person of its own who did nothing during the load, and the quiz endpoints rotate over the
    cohort's modules, so that no one piles up attempts at one quiz.
    """
    import cProfile
    import pstats

    import sqlalchemy as sa
    from seed import PASSWORD

    from lms import create_app
    from lms.extensions import db

    app = create_app()
    # The test client asks for "localhost"; the server answers only for LMS_BASE_URL's host.
    app.config["TRUSTED_HOSTS"] = [*(app.config.get("TRUSTED_HOSTS") or []), "localhost"]
    with app.app_context():
        engine = db.engine
    statements = [0]

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        statements[0] += 1

    targets = [(c, m) for c, m, has_quiz in seeded.modules if has_quiz]
    rng = random.Random(5)  # noqa: S311 - answers
    results = {}
    for number, endpoint in enumerate(endpoints):
        client = app.test_client()
        role = ENDPOINTS[endpoint].role if endpoint in ENDPOINTS else "learner"
        who = seeded.learners[-1 - number] if role == "learner" else getattr(seeded, role + "s")[0]
        response = client.post(
            "/login",
            data={"csrf_token": _token(client, "/login"), "email": who, "password": PASSWORD},
        )
        if response.status_code != 302:
            raise RuntimeError(f"measuring: signing in {who} answered {response.status_code}")
        count = max(3, repeat // 4) if role != "learner" else repeat
        for i in range(2):
            _one_request(client, endpoint, seeded, targets[i % len(targets)], rng)
        timings, cpu, queries = [], [], set()
        for i in range(count):
            target = targets[i % len(targets)]
            wall_ms, cpu_ms = _one_request(client, endpoint, seeded, target, rng, statements)
            timings.append(wall_ms)
            cpu.append(cpu_ms)
            queries.add(statements[0])
        results[endpoint] = {"requests": count}
        if profile:
            profiler = cProfile.Profile()
            for i in range(count):
                target = targets[i % len(targets)]
                _one_request(client, endpoint, seeded, target, rng, None, profiler)
            results[endpoint] = _profile_summary(pstats.Stats(profiler).stats, count)
        results[endpoint]["ms_p50"] = round(statistics.median(timings), 2)
        results[endpoint]["cpu_ms_p50"] = round(statistics.median(cpu), 2)
        results[endpoint]["queries"] = sorted(queries)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def _one_request(
    client, endpoint: str, seeded, target, rng, statements=None, profiler=None
) -> tuple[float, float]:
    """One request to ``endpoint``; only that request is timed (wall and CPU ms), counted and
    profiled, not the quiz page the quiz steps start from."""
    from werkzeug.datastructures import MultiDict

    course, module = target
    if endpoint in QUIZ_STEPS:
        quiz_page = ENDPOINTS["quiz page"].path(seeded, course, module)
        form = parse_quiz_form(client.get(quiz_page).get_data(as_text=True))
        data = MultiDict(form.answers(rng))
        if endpoint == "quiz result":
            path = client.post(form.action, data=data).headers["Location"]

            def call():
                return client.get(path)
        else:

            def call():
                return client.post(form.action, data=data)
    else:
        path = ENDPOINTS[endpoint].path(seeded, course, module)

        def call():
            return client.get(path)

    if statements is not None:
        statements[0] = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    response = call()
    response.get_data()
    if profiler:
        profiler.disable()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if response.status_code != (303 if endpoint == "quiz submit" else 200):
        raise RuntimeError(f"measuring {endpoint}: {response.status_code}")
    return elapsed * 1000, cpu * 1000


def _profile_summary(stats: dict, count: int) -> dict:
    """Own time by part of the stack, the top functions, and the app's functions."""
    total = sum(tt for _cc, _nc, tt, _ct, _callers in stats.values()) or 1e-9
    shares: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, tt, _ct, _callers) in stats.items():
        key = _category(filename, function)
        shares[key] = shares.get(key, 0) + tt
    own = sorted(stats.items(), key=lambda kv: -kv[1][2])[:10]
    app_cum = sorted(
        (kv for kv in stats.items() if "/lms/" in kv[0][0] and "/templates/" not in kv[0][0]),
        key=lambda kv: -kv[1][3],
    )[:8]
    return {
        "requests": count,
        "shares": {
            k: round(v / total, 3) for k, v in sorted(shares.items(), key=lambda kv: -kv[1])
        },
        "own_time": [(_where(*key), round(v[2] / total, 3), v[1] // count) for key, v in own],
        "app_cumulative": [
            (_where(*key), round(v[3] / total, 3), v[1] // count) for key, v in app_cum
        ],
    }


def _token(client, url: str) -> str:
    match = CSRF.search(client.get(url).get_data(as_text=True))
    return (match.group(1) or match.group(2)) if match else ""


def print_profile(results: dict) -> None:
    for endpoint, r in results.items():
        print(
            f"\nProfile: {endpoint}, {r['requests']} requests in-process, p50 {r['ms_p50']} ms, "
            f"SQL statements per request {'/'.join(map(str, r['queries']))}"
        )
        print(
            "  own time by part: "
            + ", ".join(f"{k} {v:.0%}" for k, v in r["shares"].items() if v >= 0.01)
        )
        print("  most own time (share, calls per request):")
        for where, share, calls in r["own_time"]:
            print(f"    {share:6.1%} {calls:>7}  {where}")
        print("  app functions, cumulative (share, calls per request):")
        for where, share, calls in r["app_cumulative"]:
            print(f"    {share:6.1%} {calls:>7}  {where}")


# --- reporting ----------------------------------------------------------------------------


def _cores(window: dict) -> str:
    server, client = window.get("server_cpu"), window.get("client_cpu")
    return (
        f"CPU: app {'-' if server is None else f'{server:.2f}'} cores, "
        f"load generator {'-' if client is None else f'{client:.2f}'}"
    )


def _cpu_ms(phase: dict, row: dict | None) -> float | None:
    """The app's CPU time per request (all workers), in ms."""
    cores = phase["window"].get("server_cpu")
    if not row or not row["rps"] or cores is None:
        return None
    return cores * 1000 / row["rps"]


def _round(value, digits: int = 2):
    return None if value is None else round(value, digits)


def _fmt(value, spec: str = ".1f", width: int = 8) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}{spec}}"


def report(run: dict) -> dict:
    """Print the readable report; return the JSON summary with the targets."""
    ceiling = run["ceiling"]["rows"]["ceiling"]
    mix = run["mix"]["rows"] if run.get("mix") else {}
    alone = {name: p["rows"].get(name) for name, p in run["alone"].items()}
    ratios = {
        name: (round(row["rps"] / ceiling["rps"], 3) if row and ceiling["rps"] else None)
        for name, row in alone.items()
    }
    print()
    print(
        f"Load benchmark - {run['database']}, {run['workers']} gunicorn workers "
        f"(sync, lms/gunicorn_conf.py), {run['users']} users, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, code {run['code']}"
    )
    print(
        "Load average before/after (other work on this machine skews every figure): "
        f"{run['loadavg'][0]:.2f} / {run['loadavg'][1]:.2f}"
    )
    counts = run["data"]
    print(
        f"Data: {counts.get('users')} accounts, cohort of {counts.get('memberships')} learners "
        f"on {run['cohort_modules']} modules, {counts.get('attempts')} attempts, "
        f"{counts.get('attempt_answers')} answers, {counts.get('completions')} completions "
        f"(seeded in {run['seed_s']:.0f} s)"
    )
    print(
        f"\nCeiling: GET /bench/ceiling alone, {run['users']} users, "
        f"{run['ceiling']['window']['seconds']:.1f} s: {ceiling['rps']:.1f} req/s, "
        f"p50 {ceiling['p50_ms']:.1f} ms, p99 {ceiling['p99_ms']:.1f} ms, "
        f"errors {ceiling['errors']}; app CPU {_cpu_ms(run['ceiling'], ceiling):.2f} ms per request "
        f"({_cores(run['ceiling']['window'])})"
    )
    if mix:
        window = run["mix"]["window"]
        print(
            f"\nMix: {window['seconds']:.0f} s measured after sign-in and {run['warmup']:.0f} s "
            f"warm-up. {run['users'] - run['facilitators'] - run['managers']} learners loop "
            f"{' > '.join(n for n in MIX_ENDPOINTS if n in LEARNER_STEPS)} without think time; "
            f"{run['facilitators']} facilitators load the cohort page and {run['managers']} "
            "programme managers the report every 2-4 s. "
            f"{_cores(window)}."
        )
    print(
        f"Alone: each endpoint by itself, {run['users']} users, ~{run['alone_seconds']:.0f} s; "
        "x ceiling = its req/s over the ceiling's."
    )
    header = (
        f"{'endpoint':<18}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'max ms':>8}{'errors':>7}{'KB':>7} |{'alone r/s':>10}{'x ceiling':>10}"
        f"{'p99 ms':>8}{'CPU ms':>8} |{'SQL':>5}{'CPU ms':>8}"
    )
    print(f"{'':<18}{'--- mix ':-<63} |{' alone ':-^36} |{' in-process ':-^13}")
    print(header)
    print("-" * len(header))
    in_process = run.get("in_process", {})
    statements = {n: max(r["queries"]) for n, r in in_process.items()}
    names = [n for n in MIX_ENDPOINTS if n in mix or n in alone]
    names += [n for n in mix if n not in names]
    for name in names:
        row, a = mix.get(name), alone.get(name)
        label = name + (" *" if row and row["setup"] else "")
        cpu = _cpu_ms(run["alone"][name], a) if a else None
        left = (
            f"{row['requests']:>9}{_fmt(row['rps'])}{_fmt(row['p50_ms'])}{_fmt(row['p95_ms'])}"
            f"{_fmt(row['p99_ms'])}{_fmt(row['max_ms'])}{row['errors']:>7}{row['kb']:>7.1f}"
            if row
            else f"{'-':>9}{'':>54}"
        )
        print(
            f"{label:<18}{left} |{_fmt(a['rps'] if a else None, '.1f', 10)}"
            f"{_fmt(ratios.get(name), '.3f', 10)}{_fmt(a['p99_ms'] if a else None)}"
            f"{_fmt(cpu, '.1f')} |{_fmt(statements.get(name), 'd', 5)}"
            f"{_fmt(in_process.get(name, {}).get('cpu_ms_p50'), '.2f')}"
        )
    measured = [row for row in mix.values() if not row["setup"]]
    if mix:
        total = sum(r["requests"] for r in measured)
        print("-" * len(header))
        print(
            f"{'all (mix)':<18}{total:>9}{total / run['mix']['window']['seconds']:>8.1f}"
            f"{'':>32}{sum(r['errors'] for r in measured):>7}"
        )
        rps = total / run["mix"]["window"]["seconds"]
        print(
            f"Without think time, latency follows throughput (Little's law): {run['users']} users / "
            f"{rps:.1f} req/s = {run['users'] * 1000 / rps:.0f} ms per request on average."
        )
        print(
            "* once per user before the measured stretch, not part of the targets: scrypt costs "
            f"~{run['scrypt_ms']:.0f} ms of CPU per sign-in by design, and all users sign in at once."
        )
    print(
        "In-process: the same app and database through Flask's test client, one person per "
        "endpoint: SQL statements per request (the most seen) and CPU ms per request (median of "
        "time.process_time), figures that hold on a busy machine."
    )

    rss = run["rss"]
    max_rss_mb = max(rss["max_kb"].values()) / 1024
    phases = [("ceiling", run["ceiling"]), ("mix", run.get("mix")), *run["alone"].items()]
    during = max(p["window"]["rss_max_kb"] for _n, p in phases if p) / 1024
    print(
        f"\nWorker RSS (VmRSS): {len(rss['max_kb'])} worker processes seen, max "
        f"{max_rss_mb:.1f} MB over the whole run (sign-ins included), {during:.1f} MB within "
        "the measured stretches; at the end: "
        + ", ".join(f"{kb / 1024:.1f}" for kb in sorted(rss["end_kb"].values()))
        + " MB"
    )

    pss = run.get("pss") or {"max_kb": 0, "end_kb": 0}
    pss_mb = pss["max_kb"] / 1024
    print(
        f"Server PSS (master and workers, /proc/<pid>/smaps_rollup): max {pss_mb:.1f} MB during "
        f"the measured stretches, {pss['end_kb'] / 1024:.1f} MB at the end"
    )

    errors = sum(
        row["errors"]
        for p in [run["ceiling"], run.get("mix"), *run["alone"].values()]
        if p
        for row in p["rows"].values()
    )
    p99 = {n: mix[n]["p99_ms"] for n in names if n in mix and not mix[n]["setup"]}
    slow = {n: v for n, v in p99.items() if v >= TARGET_P99_MS}

    def ratio_target(name, target):
        value = ratios.get(name)
        return {"value": value, "target": target, "met": None if value is None else value >= target}

    targets = {
        "zero_errors": {"value": errors, "met": errors == 0},
        "module_page_ratio": ratio_target("module page", TARGET_MODULE_RATIO),
        "quiz_submit_ratio": ratio_target("quiz submit", TARGET_SUBMIT_RATIO),
        "p99_ms": {
            "value": p99,
            "target": TARGET_P99_MS,
            "over": slow,
            "met": (not slow) if mix else None,
        },
        "worker_rss_mb": {
            "value": round(max_rss_mb, 1),
            "target": TARGET_RSS_MB,
            "met": max_rss_mb < TARGET_RSS_MB,
        },
        "server_pss_mb": {
            "value": round(pss_mb, 1),
            "target": TARGET_PSS_MB,
            "met": pss_mb < TARGET_PSS_MB,
        },
    }

    def verdict(met) -> str:
        return "not measured" if met is None else ("MET" if met else "MISSED")

    print("\nTargets:")
    print(f"  zero errors: {errors} - {verdict(errors == 0)}")
    for key, label in (("module_page_ratio", "module page"), ("quiz_submit_ratio", "quiz submit")):
        t = targets[key]
        print(f"  {label} alone >= {t['target']} x ceiling: {t['value']} - {verdict(t['met'])}")
    over = ", ".join(f"{n} {v:.0f} ms" for n, v in slow.items())
    print(
        f"  p99 < {TARGET_P99_MS} ms for every endpoint of the mix: "
        f"{verdict(targets['p99_ms']['met'])}{': ' + over if slow else ''}"
    )
    print(
        f"  every worker < {TARGET_RSS_MB} MB RSS: max {max_rss_mb:.1f} MB - {verdict(max_rss_mb < TARGET_RSS_MB)}"
    )
    print(
        f"  the whole server < {TARGET_PSS_MB} MB PSS: max {pss_mb:.1f} MB - "
        f"{verdict(pss_mb < TARGET_PSS_MB)}"
    )
    if run.get("errors"):
        print("\nFirst errors:", json.dumps(run["errors"])[:1500])
    return {
        "benchmark": "load",
        "database": run["database"],
        "code": run["code"],
        "cpus": os.cpu_count(),
        "workers": run["workers"],
        "users": run["users"],
        "facilitators": run["facilitators"],
        "managers": run["managers"],
        "learners_seeded": counts.get("memberships"),
        "loadavg": run["loadavg"],
        "ceiling_rps": ceiling["rps"],
        "ceiling_p99_ms": ceiling["p99_ms"],
        "mix_seconds": round(run["mix"]["window"]["seconds"], 1) if mix else None,
        "mix": {
            n: {k: mix[n][k] for k in ("requests", "rps", "p50_ms", "p95_ms", "p99_ms", "errors")}
            for n in names
            if n in mix
        },
        "alone_rps": {n: (r["rps"] if r else None) for n, r in alone.items()},
        "alone_p99_ms": {n: (r["p99_ms"] if r else None) for n, r in alone.items()},
        "alone_ratio": ratios,
        "statements_per_request": statements,
        "in_process_cpu_ms": {n: r["cpu_ms_p50"] for n, r in in_process.items()},
        "cpu_ms_per_request": {
            name: _round(_cpu_ms(p, p["rows"].get("ceiling" if name == "ceiling" else name)))
            for name, p in phases
            if p and name != "mix"
        },
        "worker_rss_max_mb_measured": round(during, 1),
        "cpu_cores": {
            name: {
                "app": _round(p["window"]["server_cpu"]),
                "load": _round(p["window"]["client_cpu"]),
            }
            for name, p in phases
            if p
        },
        "worker_rss_max_mb": {
            str(pid): round(kb / 1024, 1) for pid, kb in sorted(rss["max_kb"].items())
        },
        "targets": targets,
        "all_met": all(t["met"] is True for t in targets.values()),
    }


# --- main ---------------------------------------------------------------------------------


#: Endpoints measured alone after the mix: the same as the mix's.
ALONE = MIX_ENDPOINTS


def main(argv=None) -> int:
    from common import code_version

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--users", type=int, default=32, help="concurrent users (default 32)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of the mix (30)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the config's)")
    parser.add_argument("--facilitators", type=int, default=2, help="of the users (2)")
    parser.add_argument("--managers", type=int, default=1, help="programme managers (1)")
    parser.add_argument("--learners", type=int, default=500, help="learners seeded (500)")
    parser.add_argument("--ceiling", type=float, default=10, help="seconds of the ceiling (10)")
    parser.add_argument("--alone", type=float, default=5, help="seconds per endpoint alone (5)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds before measuring (3)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("LMS_BENCH_POSTGRES_URL", POSTGRES_SERVER),
        help="server on which a throwaway database is created and dropped",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile each endpoint after the load too"
    )
    parser.add_argument(
        "--app",
        default=APP,
        help="the WSGI app gunicorn serves; another one (with /bench/ceiling) only to try a "
        f"change without editing lms/ (default {APP})",
    )
    parser.add_argument(
        "--only",
        help="skip the mix; measure the ceiling and these endpoints alone (comma-separated, "
        f"from: {', '.join(ALONE)})",
    )
    args = parser.parse_args(argv)
    only = [n.strip() for n in (args.only or "").split(",") if n.strip()]
    if set(only) - set(ALONE):
        parser.error(f"--only takes endpoints from: {', '.join(ALONE)}")
    if not 1 <= args.users <= 256 or not 0 <= args.facilitators + args.managers < args.users:
        parser.error("--users is 1-256, --facilitators plus --managers fewer than --users")
    if not 1 <= args.duration <= 600 or not 1 <= args.ceiling <= 120 or not 1 <= args.alone <= 120:
        parser.error("durations: --duration 1-600 s, --ceiling and --alone 1-120 s")
    if args.learners < args.users * (len(ALONE) + 2):
        parser.error(f"--learners must be at least {args.users * (len(ALONE) + 2)}")

    warnings.simplefilter("ignore")
    sys.path.insert(0, str(ROOT / "bench"))  # for ``seed``
    logging.getLogger("locust").setLevel(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="lms-load-"))
    server = None
    pg_name = None

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        if args.database == "postgres":
            url, pg_name = create_postgres_database(args.postgres_url)
            db_label = "PostgreSQL"
        else:
            url, db_label = f"sqlite:///{tmp / 'load.sqlite3'}", "SQLite"
        env = {
            **os.environ,
            "LMS_ENV": "production",
            "LMS_SECRET_KEY": secrets.token_urlsafe(48),
            "LMS_INSECURE_COOKIES": "1",
            "LMS_BASE_URL": "http://127.0.0.1",
            "LMS_DATABASE_URL": url,
            "LMS_INSTANCE_PATH": str(tmp / "instance"),
            "LMS_CONTENT_DIR": str(ROOT / "content"),
            "LMS_RATELIMIT_ENABLED": "0",
            "LMS_ACCESS_LOG": str(tmp / "access.log"),
        }
        for key in ("LMS_REDIS_URL", "LMS_WORKERS", "LMS_THREADS", "LMS_BIND"):
            env.pop(key, None)
        print(f"seeding {args.learners} learners on {db_label} ...", flush=True)
        seeded, seed_s = prepare_database(
            env, args.learners, args.facilitators or 1, max(1, args.managers)
        )
        logging.getLogger().setLevel(logging.WARNING)
        started = time.perf_counter()
        from werkzeug.security import generate_password_hash

        generate_password_hash("x" * 12, method="scrypt")
        scrypt_ms = (time.perf_counter() - started) * 1000

        load_before = os.getloadavg()[0]
        server = Server(env, free_port(), args.workers, tmp / "gunicorn.log", args.app)
        server.wait_healthy()
        workers = len(server.workers())
        print(f"gunicorn on {server.base} with {workers} workers; measuring ...", flush=True)

        from seed import PASSWORD

        phases = {}
        offset = 0

        def phase(name, kind, seconds, facilitators=0, managers=0):
            nonlocal offset
            p = Phase(name=name, seeded=seeded, password=PASSWORD, offset=offset)
            offset += args.users
            print(f"  {name} ...", flush=True)
            # Opening attempts is the setup of "quiz submit": a short warm-up keeps them for the
            # measured stretch.
            warmup = {"mix": args.warmup, "quiz submit": 0.5}.get(kind, 1.5)
            window = run_phase(server, p, kind, args.users, seconds, warmup, facilitators, managers)
            result = {"window": window, "rows": summarise(p, window), "errors": p.errors}
            phases[name] = result
            return result

        run = {
            "database": db_label,
            "users": args.users,
            "facilitators": args.facilitators,
            "managers": args.managers,
            "workers": workers,
            "warmup": args.warmup,
            "alone_seconds": args.alone,
            "seed_s": seed_s,
            "scrypt_ms": scrypt_ms,
            "data": seeded.counts,
            "cohort_modules": len(seeded.modules),
            "code": code_version(),
        }
        run["ceiling"] = phase("ceiling", "ceiling", args.ceiling)
        if not only:
            run["mix"] = phase("mix", "mix", args.duration, args.facilitators, args.managers)
        run["alone"] = {}
        for name in only or ALONE:
            if name == "cohort page" and not args.facilitators:
                continue
            run["alone"][name] = phase(f"{name} alone", name, args.alone)
        server.sample_rss()
        run["rss"] = {"max_kb": dict(server.rss_max), "end_kb": server.sample_rss()}
        run["pss"] = {"max_kb": server.pss_max_kb, "end_kb": server.sample_pss()}
        run["workers"] = len(server.workers())  # all forked by now (preload_app forks late)
        run["errors"] = {k: v["errors"] for k, v in phases.items() if v["errors"]}
        run["loadavg"] = (load_before, os.getloadavg()[0])
        server.stop()
        print("  in-process: SQL statements and CPU per request ...", flush=True)
        measured = [n for n in (only or MIX_ENDPOINTS) if n in run["alone"] or not only]
        run["in_process"] = measure_in_process(seeded, measured, 20, profile=args.profile)
        summary = report(run)
        if args.profile:
            print_profile(run["in_process"])
        print(json.dumps(summary))
        return 0 if summary["all_met"] else 1
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            server.stop()
        if pg_name:
            try:
                drop_postgres_database(args.postgres_url, pg_name)
            except Exception as exc:  # never leave without saying what is left behind
                print(f"could not drop database {pg_name}: {exc}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
