"""The same generated requests, sent over HTTP to gunicorn as production runs it (``make fuzz``).

The in-process run (``test_requests.py``) also checks who may change what; this one checks the
deployed stack: gunicorn with ``lms/gunicorn_conf.py``, ``LMS_ENV=production`` (base URL, trusted
hosts, secure defaults), two workers on a copy of the fuzzing world's database. Every answer must
be below 500 and the log must hold no traceback. ``make test`` leaves it out (it needs a few
minutes); ``make fuzz`` sends 100 requests per route (``LMS_FUZZ_GUNICORN_EXAMPLES``), over
10,000 in all.
"""

import http.client
import os
import shutil
import sqlite3
from urllib.parse import quote

import pytest

if os.environ.get("LMS_FUZZ_PROFILE") != "fuzz-long":
    pytest.skip("make fuzz sends these to a real gunicorn (a few minutes)", allow_module_level=True)

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from tests.faults.harness import Gunicorn  # noqa: E402
from tests.fuzz.test_requests import PROFILE, ROUTES, draw_request  # noqa: E402
from tests.fuzz.world import GUNICORN  # noqa: E402


@pytest.fixture(scope="module")
def server(world, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-gunicorn")
    database = folder / "fuzz.sqlite3"
    shutil.copyfile(world.template, database)
    app = Gunicorn(
        {
            "LMS_SECRET_KEY": world.app.config["SECRET_KEY"],  # the world's cookies stay valid
            "LMS_DATABASE_URL": f"sqlite:///{database}",
            "LMS_CONTENT_DIR": str(world.live.parent / "content"),
            "LMS_CONTENT_AUTOSYNC": "0",
            "LMS_RATELIMIT_ENABLED": "0",  # limits would answer 429 to most of the run
            "LMS_TRUSTED_PROXIES": "0",
        },
        folder,
    )
    app.database = database
    app.start()
    yield app
    app.stop()
    log = app.log_path.read_text(errors="replace")
    assert GUNICORN["failures"] == [], "\n".join(GUNICORN["failures"][:20]) + "\n" + log[-5000:]
    assert "Traceback" not in log, log[-5000:]


def _send(server, method: str, url: str, headers: dict, kwargs: dict) -> int:
    """Serialise the request as the test client would build it, and send it over a socket."""
    builder = EnvironBuilder(path="/", method=method, **kwargs)
    try:
        environ = builder.get_environ()
        body = environ["wsgi.input"].read()
        content_type = environ.get("CONTENT_TYPE")
    finally:
        builder.close()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        # As a browser sends it: what may not travel raw in a request line is percent-encoded.
        wire_url = quote(url, safe="/?&=%:;@+,!$'()*~[]#")
        connection.putrequest(method, wire_url, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", headers.pop("Host", f"127.0.0.1:{server.port}").encode())
        for name, value in headers.items():
            connection.putheader(name, value.encode("utf-8"))
        if content_type:
            connection.putheader("Content-Type", content_type)
        if method != "GET" or body:
            connection.putheader("Content-Length", str(len(body)))
        try:
            connection.endheaders(body or None)
        except (BrokenPipeError, ConnectionResetError):
            # The server answered before reading a body it refuses (413) and closed; its answer
            # is usually still there to read.
            pass
        try:
            response = connection.getresponse()
            response.read()
        except (ConnectionResetError, http.client.RemoteDisconnected):
            return 0  # closed without an answer: counted apart, never a server error
        return response.status
    finally:
        connection.close()


def _forget_sign_outs(server) -> None:
    connection = sqlite3.connect(server.database, timeout=10)
    try:
        connection.execute("DELETE FROM ended_logins")
        connection.commit()
    finally:
        connection.close()


@pytest.mark.parametrize("rule, endpoint, methods", ROUTES, ids=[f"{e}:{r}" for r, e, _m in ROUTES])
@settings(PROFILE, max_examples=int(os.environ.get("LMS_FUZZ_GUNICORN_EXAMPLES", "100")))
@given(data=st.data())
def test_no_server_error_under_gunicorn(world, server, rule, endpoint, methods, data):
    _forget_sign_outs(server)
    role, method, url, kwargs, headers = draw_request(data, world, rule, endpoint, methods)
    cookie = world.people[role]["cookie"]
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    try:
        status = _send(server, method, url, headers, kwargs)
    except Exception as exc:  # a live server's failure cannot be replayed: say what it was
        import traceback

        print("\n".join(traceback.format_exception(exc))[-3000:], role, method, url[:300])
        raise
    GUNICORN["requests"] += 1
    GUNICORN["statuses"][status] = GUNICORN["statuses"].get(status, 0) + 1
    GUNICORN["endpoints"].add(endpoint)
    if status >= 500:
        # Not asserted here: a live server's state moves on, so Hypothesis could not replay
        # the example to shrink it. Every one is listed when the server stops (the fixture).
        GUNICORN["server_errors"] += 1
        GUNICORN["failures"].append(f"{status} for {role} {method} {url[:300]!r} {kwargs!r:.500}")
