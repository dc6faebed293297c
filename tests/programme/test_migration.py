"""Migrating a database built at the schema before organisations keeps every cohort, its
free-text partner turned into an organisation."""

import sqlalchemy as sa
from flask_migrate import upgrade

from lms import create_app
from lms.extensions import db

BEFORE = "af4adcc9e7f3"


def test_free_text_partners_become_organisations_and_no_cohort_is_lost(tmp_path, monkeypatch):
    from tests.conftest import SERVER_URL, throwaway_database

    if SERVER_URL:
        url, drop = throwaway_database(SERVER_URL)
    else:
        url, drop = f"sqlite:///{tmp_path / 'old.sqlite3'}", (lambda: None)
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    try:
        app = create_app({"LMS_ENV": "testing", "SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade(revision=BEFORE)
            partners = ["Alpha Hub", "  alpha   HUB ", "Beta Chamber", "Gamma University", "beta chamber"]
            with db.engine.begin() as conn:
                for n, partner in enumerate(partners):
                    conn.execute(
                        sa.text(
                            "INSERT INTO cohorts (name, partner, language, starts_on, ends_on, join_code,"
                            " join_open, calendar_token, created_at) VALUES (:name, :partner, 'en',"
                            " '2026-01-01', '2026-06-30', :code, :open, :token, '2026-01-01 00:00:00')"
                        ),
                        {"name": f"Cohort {n}", "partner": partner, "code": f"CODE{n}",
                         "open": True, "token": f"token{n}"},
                    )
            upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(
                    sa.text(
                        "SELECT c.name, o.name, o.is_partner FROM cohorts c"
                        " JOIN organisations o ON o.id = c.partner_id ORDER BY c.id"
                    )
                ).all()
                orgs = conn.execute(sa.text("SELECT name FROM organisations ORDER BY name")).scalars().all()
            db.engine.dispose()
    finally:
        drop()
    assert [r[0] for r in rows] == [f"Cohort {n}" for n in range(5)]
    assert [r[1] for r in rows] == [
        "Alpha Hub", "Alpha Hub", "Beta Chamber", "Gamma University", "Beta Chamber",
    ]
    assert all(r[2] for r in rows)
    assert orgs == ["Alpha Hub", "Beta Chamber", "Gamma University"]
