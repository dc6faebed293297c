"""Real servers for the fault scenarios (``make test-faults``; see tests/faults/harness.py).

One gunicorn (two workers) on a throwaway PostgreSQL database and its own ``redis-server``,
shared by the scenarios of the run; the SQLite scenario starts its own. The figures are
printed at the end of the run, one line per scenario.
"""

import os
import shutil

import pytest
import sqlalchemy as sa

from tests.conftest import throwaway_database
from tests.faults.harness import Figures, Gunicorn, RedisServer

#: The PostgreSQL server the throwaway database is created on (never restarted by us).
POSTGRES_URL = os.environ.get(
    "LMS_FAULTS_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

_FIGURES = Figures()


@pytest.fixture(scope="session")
def figures():
    return _FIGURES


def pytest_terminal_summary(terminalreporter):
    if _FIGURES.lines:
        terminalreporter.section("fault scenarios")
        terminalreporter.write_line(Figures.HEADER)
        for line in _FIGURES.lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def postgres():
    """A throwaway database on the shared server: ``(url, name, admin engine)``."""
    pytest.importorskip("psycopg", reason="needs the postgres extra (make test-faults installs it)")
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as exc:
        pytest.fail(f"no PostgreSQL server answers at {POSTGRES_URL}: {exc}", pytrace=False)
    url, drop = throwaway_database(POSTGRES_URL)
    yield url, sa.engine.make_url(url).database, admin
    with admin.connect() as connection:
        connection.execute(
            sa.text(f'ALTER DATABASE "{sa.engine.make_url(url).database}" ALLOW_CONNECTIONS true')
        )
    drop()
    admin.dispose()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    pytest.importorskip("redis", reason="needs the redis extra (make test-faults installs it)")
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(binary, tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def server(postgres, redis_server, tmp_path_factory):
    """gunicorn on PostgreSQL and Redis, migrated and with the fixture content published."""
    url, _name, _admin = postgres
    app = Gunicorn(
        {
            "LMS_DATABASE_URL": url,
            "LMS_REDIS_URL": redis_server.url,
            "LMS_RATELIMIT_PREFIX": "faults",
        },
        tmp_path_factory.mktemp("gunicorn"),
    )
    app.lms("db", "upgrade")
    app.lms("content", "sync")
    app.start()
    yield app
    app.stop()
    assert "Traceback" not in app.log_text(), app.log_text()[-5000:]
