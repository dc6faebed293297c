"""The fuzzing world (built once per run) and the summary line ``make fuzz`` prints."""

import pytest

from tests.fuzz.world import GUNICORN, STATS, build_world


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
    for label, stats in (("fuzz", STATS), ("fuzz (gunicorn, production)", GUNICORN)):
        if not stats["requests"]:
            continue
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(stats["statuses"].items()))
        terminalreporter.write_line(
            f"{label}: {stats['requests']} requests, {len(stats['endpoints'])} endpoints, "
            f"{stats['server_errors']} server errors"
        )
        terminalreporter.write_line(f"{label}: status codes {statuses}")
