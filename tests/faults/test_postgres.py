"""PostgreSQL connections cut, or the database refusing connections for a while.

The shared server is never restarted (other people use it): its outage is simulated on our
throwaway database, by terminating its backends and by ``ALLOW_CONNECTIONS false``.
"""

import time

import sqlalchemy as sa

from tests.faults.harness import Stream, check_writes, make_learners


def _terminate(admin, name: str) -> int:
    with admin.connect() as connection:
        return len(
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).all()
        )


def _allow_connections(admin, name: str, allow: bool) -> None:
    with admin.connect() as connection:
        connection.execute(
            sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allow else "false"}')
        )


def _assert_targets(stream, writes, recovery):
    counts = stream.counts()
    assert counts["5xx"] == 0, stream.server_errors()[:5]
    assert writes["lost"] == writes["duplicated"] == writes["partial"] == 0, writes
    assert not stream.lost, stream.lost
    assert writes["confirmed"] > 0
    assert recovery <= 5


def test_postgres_connections_killed(server, postgres, figures):
    url, name, admin = postgres
    learners = make_learners(url, "pgkill", 12)
    stream = Stream(server.base, learners)
    stream.run_for(2)  # before
    kills = {"backends": 0}

    def kill_repeatedly():
        for _ in range(4):
            kills["backends"] += _terminate(admin, name)
            kills["last"] = time.monotonic()
            time.sleep(0.75)

    stream.run_for(3, while_running=kill_repeatedly)  # during
    stream.run_for(3)  # after
    writes = check_writes(url, learners)
    recovery = stream.recovered_after(kills["last"])
    figures.add(
        f"PostgreSQL: {kills['backends']} backends killed, 4 rounds", stream, writes, recovery
    )
    assert kills["backends"] > 0
    _assert_targets(stream, writes, recovery)


def test_postgres_database_unavailable_then_back(server, postgres, figures):
    url, name, admin = postgres
    learners = make_learners(url, "pgdown", 12)
    stream = Stream(server.base, learners)
    stream.run_for(2)  # before
    seen = {}

    def outage():
        _allow_connections(admin, name, False)
        _terminate(admin, name)
        time.sleep(1)
        seen["health"] = server.health()
        time.sleep(2)
        _allow_connections(admin, name, True)
        seen["back"] = time.monotonic()

    stream.run_for(3, while_running=outage)  # during
    stream.run_for(4)  # after
    writes = check_writes(url, learners)
    recovery = stream.recovered_after(seen["back"])
    figures.add("PostgreSQL refuses connections 3 s, then back", stream, writes, recovery)
    status, body = seen["health"]
    assert status == 503 and body["status"] == "down", body
    assert body["checks"]["database"]["status"] == "down"
    assert stream.counts()["503"] > 0  # the friendly page was shown meanwhile
    assert server.health()[0] == 200
    _assert_targets(stream, writes, recovery)
