"""The one way the test suites build an app: tests/conftest.py, tests/e2e/conftest.py and
tests/fuzz/world.py all call :func:`build_test_app`."""

from pathlib import Path

import pytest
from flask import Flask

from lms import create_app
from lms.extensions import db
from lms.publishing.sync import sync_content


def build_test_app(
    instance: Path,
    database_url: str,
    content_dir: Path | None,
    *,
    monkeypatch: pytest.MonkeyPatch | None = None,
    secret_key: str = "test-secret-key-that-is-long-enough-for-tests",
    **config,
) -> Flask:
    """An app with its own instance folder, database and content tree, content autosync and
    rate limits off (``config`` overrides any setting); with ``content_dir``, the tables are
    created and the content published, which must succeed for every course.

    ``LMS_INSTANCE_PATH`` points at ``instance`` while the app is built, or for the rest of
    the test when ``monkeypatch`` is the test's own (commands run later read it again).
    """
    settings = {
        "LMS_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LMS_CONTENT_AUTOSYNC": False,
        "RATELIMIT_ENABLED": False,  # tests/accounts/test_limits.py turns it on
    }
    if content_dir is not None:
        settings["LMS_CONTENT_DIR"] = str(content_dir)
    settings.update(config)
    patch = monkeypatch or pytest.MonkeyPatch()
    patch.setenv("LMS_INSTANCE_PATH", str(instance))
    patch.delenv("LMS_DATABASE_URL", raising=False)
    try:
        app = create_app(settings)
    finally:
        if monkeypatch is None:
            patch.undo()
    if content_dir is not None:
        with app.app_context():
            db.create_all()
            report = sync_content(content_dir)
            assert report.complete, [str(p) for p in report.tree.problems]
            db.session.commit()
    return app
