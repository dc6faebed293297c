"""A database that goes away and comes back."""

import pytest

from lms.extensions import db


@pytest.fixture
def movable_database(app, tmp_path):
    """Move the folder that holds the SQLite file away (the database "goes away") and back."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite file fault; tests/faults covers PostgreSQL")
    away = tmp_path.with_name(tmp_path.name + "-away")

    class Mover:
        def away(self):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            tmp_path.rename(away)

        def back(self):
            away.rename(tmp_path)

    mover = Mover()
    yield mover
    if away.exists():
        mover.back()
