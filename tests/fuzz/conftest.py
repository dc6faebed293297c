"""The fuzzing world (built once per run) and the summary line ``make fuzz`` prints."""

import pytest

from tests.fuzz.world import STATS, build_world


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    """Two cohorts, six roles, a template database; see :mod:`tests.fuzz.world`."""
    built = build_world(tmp_path_factory.mktemp("fuzz"))
    yield built
    from lms.extensions import db

    with built.app.app_context():
        db.session.remove()
        db.engine.dispose()


def pytest_terminal_summary(terminalreporter):
    if not STATS["requests"]:
        return
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(STATS["statuses"].items()))
    terminalreporter.write_line(
        f"fuzz: {STATS['requests']} requests, {len(STATS['endpoints'])} endpoints, "
        f"{STATS['server_errors']} server errors"
    )
    terminalreporter.write_line(f"fuzz: status codes {statuses}")
