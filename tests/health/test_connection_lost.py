"""A connection the database drops after a page's last statement does not turn into a 500."""

import pytest
import sqlalchemy as sa

from lms.extensions import db


def test_a_page_finished_before_its_connection_was_killed_is_still_served(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("killing one backend needs PostgreSQL; tests/faults kills them under load")
        url = db.engine.url

    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")

    @app.get("/_test/killed-after-reading")
    def killed_after_reading():
        # The session holds an open transaction when the server goes away under it, as when
        # PostgreSQL restarts between a view's last query and the end of the request.
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "read and rendered"

    client = app.test_client()
    try:
        response = client.get("/_test/killed-after-reading")
        assert response.status_code == 200
        assert response.get_data(as_text=True) == "read and rendered"
        # The dead connection was thrown away: the next page gets a fresh one.
        assert client.get("/health").status_code == 200
    finally:
        admin.dispose()
