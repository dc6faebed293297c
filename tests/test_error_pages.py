"""The 500 page for a signed-in person whose request failed in the middle of a flush."""

import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from tests.conftest import login


def test_a_failed_flush_still_gets_the_friendly_500_page_for_a_signed_in_person(
    app, client, make_user
):
    _, email = make_user(name="Alma")

    def broken():
        """A second account with the same email: the flush fails (a bug, not user input)."""
        db.session.add(User(email=email, name="Twin", password_hash="!x"))
        db.session.flush()

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login(client, email)
    response = client.get("/broken-for-test")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(User.email == email)) == 1
