"""/health and ``lms doctor``: each dependency's state, and an overall verdict."""

import socket

import pytest
import sqlalchemy as sa

from lms.cli import main
from lms.extensions import db
from lms.health.checks import DEGRADED, DOWN, OK, Check, overall, register_check


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_health_names_each_dependency_and_the_overall_status(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["status"] == OK
    assert response.json["checks"]["database"]["status"] == OK
    assert response.json["checks"]["database"]["required"] is True
    assert "redis" not in response.json["checks"]  # not configured, not reported
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_not_rate_limited(app, client):
    app.config["RATELIMIT_ENABLED"] = True
    statuses = {client.get("/health").status_code for _ in range(70)}
    assert statuses == {200}


def test_a_registered_check_joins_the_report_and_an_optional_one_only_degrades(app, client):
    register_check(
        app,
        "queue",
        lambda app: Check("queue", DOWN, "no worker", "start the worker"),
        required=False,
    )
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["status"] == DEGRADED
    assert response.json["checks"]["queue"] == {
        "status": DOWN,
        "required": False,
        "detail": "no worker",
        "latency_ms": response.json["checks"]["queue"]["latency_ms"],
    }
    assert "start the worker" not in response.get_data(as_text=True)  # advice is for doctor


def test_a_required_dependency_down_makes_the_whole_site_down():
    assert overall([Check("database", DOWN, required=True), Check("redis", OK)]) == DOWN
    assert overall([Check("database", OK), Check("redis", DOWN, required=False)]) == DEGRADED
    assert overall([Check("database", OK), Check("redis", OK, required=False)]) == OK


def test_health_and_pages_while_the_database_is_away_then_back(app, client, movable_database):
    assert client.get("/health").status_code == 200
    movable_database.away()
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json["status"] == DOWN
    assert response.json["checks"]["database"]["status"] == DOWN
    assert "sqlite" not in response.get_data(as_text=True).lower()  # no paths or URLs
    movable_database.back()
    assert client.get("/health").json["status"] == OK  # no restart needed


def test_doctor_says_what_to_do_and_exits_1_when_users_cannot_work(app, movable_database):
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "overall: ok" in result.output
    movable_database.away()
    result = runner.invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "down" in result.output and "what to do:" in result.output
    assert "LMS_DATABASE_URL" in result.output


def test_doctor_on_a_read_only_sqlite_file_says_degraded(app, monkeypatch, database_url):
    if not database_url.startswith("sqlite:///"):
        pytest.skip("SQLite only")
    import os

    real_access = os.access
    path = database_url.removeprefix("sqlite:///")
    monkeypatch.setattr(os, "access", lambda p, mode: False if p == path else real_access(p, mode))
    result = app.test_cli_runner().invoke(main, ["doctor"])
    assert result.exit_code == 0
    assert "read-only" in result.output and "writable" in result.output


def test_health_with_redis_unreachable_is_degraded_not_down(tmp_path, content_dir, monkeypatch):
    pytest.importorskip("redis")
    from lms import create_app

    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance2"))
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    app = create_app(
        {
            "LMS_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'redis.sqlite3'}",
            "LMS_CONTENT_DIR": str(content_dir),
            "LMS_REDIS_URL": url,
            "RATELIMIT_STORAGE_URI": url,
        }
    )
    with app.app_context():
        db.create_all()
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert response.json["status"] == DEGRADED
    assert response.json["checks"]["redis"]["status"] == DOWN
    assert url not in response.get_data(as_text=True)
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        db.engine.dispose()


def test_health_says_when_the_disk_holding_sqlite_is_full(app, client, monkeypatch):
    import shutil
    from collections import namedtuple

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite file")
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 4096, 4096))
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["status"] == DEGRADED
    assert "disk holding the database is full" in response.json["checks"]["database"]["detail"]
