"""Two app servers sharing one PostgreSQL and one Redis serve a learner consistently.

Runs in ``make test-postgres`` (it needs LMS_TEST_DATABASE_URL and Redis on 127.0.0.1:6379):
two real gunicorn processes on two ports, one browser-like cookie jar.
"""

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SERVER_URL, throwaway_database

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/15"

pytestmark = pytest.mark.skipif(not SERVER_URL, reason="needs PostgreSQL (make test-postgres)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process, log: Path) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        # A read timeout too: on a busy machine gunicorn may accept before it can answer.
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


@pytest.fixture
def two_servers(tmp_path):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    url, drop = throwaway_database(SERVER_URL)
    env = {
        **os.environ,
        "LMS_ENV": "production",
        "LMS_SECRET_KEY": secrets.token_urlsafe(40),
        "LMS_INSECURE_COOKIES": "1",
        "LMS_BASE_URL": "http://127.0.0.1",
        "LMS_DATABASE_URL": url,
        "LMS_REDIS_URL": REDIS_URL,
        "LMS_RATELIMIT_PREFIX": f"scale{secrets.token_hex(4)}",
        "LMS_CONTENT_DIR": str(FIXTURES / "content"),
        "LMS_INSTANCE_PATH": str(tmp_path),
    }
    lms = [sys.executable, "-m", "lms.cli"]
    for command in (
        ["db", "upgrade"],
        ["content", "sync"],
        # The learner of the first test (signing up needs the emailed link).
        ["users", "create", "--email", "scale@example.org", "--name", "Scale Tester",
         "--password", "a long password!"],
    ):
        subprocess.run([*lms, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    processes, bases, logs = [], [], []
    try:
        for n in range(2):
            port = _free_port()
            log = tmp_path / f"server-{n}.log"
            logs.append(log.open("wb"))
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    str(ROOT / "lms/gunicorn_conf.py"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--access-logfile",
                    "/dev/null",
                ],
                env=env,
                cwd=ROOT,
                stdout=logs[-1],
                stderr=subprocess.STDOUT,
            )
            processes.append(process)
            bases.append(f"http://127.0.0.1:{port}")
            _wait(bases[-1] + "/health", process, log)
        yield bases
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        for handle in logs:
            handle.close()
        drop()


class Browser:
    """A cookie jar and a CSRF-aware form poster, like a person's browser."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> tuple[int, str]:
        try:
            with self.opener.open(url, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def post(self, form_url: str, url: str, data: dict) -> int:
        _status, html = self.get(form_url)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        try:
            with self.opener.open(url, data=body, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


def test_progress_written_through_one_server_is_read_through_the_other(two_servers):
    a, b = two_servers
    browser = Browser()
    status = browser.post(
        f"{a}/login", f"{a}/login", {"email": "scale@example.org", "password": "a long password!"}
    )
    assert status == 200  # redirects are followed to the learner's page
    assert browser.get(f"{b}/api/v1/me/progress")[1].count("Scale Tester") == 1
    module = "/courses/sample-course/second-steps"
    browser.post(f"{a}{module}", f"{a}{module}/complete", {})
    status, body = browser.get(f"{b}/api/v1/me/progress")
    assert status == 200 and '"status":"completed"' in body.replace(" ", "")


def test_a_rate_limit_counts_requests_to_both_servers(two_servers):
    a, b = two_servers
    visitor = Browser()
    statuses = [
        visitor.post(
            f"{a}/login",
            f"{(a, b)[n % 2]}/login",
            {"email": "nobody@example.org", "password": "wrong password"},
        )
        for n in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
