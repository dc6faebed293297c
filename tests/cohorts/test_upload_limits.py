"""Class list uploads have size and row limits; anything over the app's limit gets a 413 page."""

import io

import pytest
import sqlalchemy as sa

from lms.accounts import links as mail_links
from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.cohorts import classlist
from lms.extensions import db
from tests.conftest import csrf_token, login, post_form


@pytest.fixture
def import_url(client, make_user, make_cohort):
    fac_id, fac_email = make_user("facilitator")
    cohort_id = make_cohort([fac_id])
    login(client, fac_email)
    return f"/facilitate/cohorts/{cohort_id}/import"


def upload(client, url, raw: bytes):
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "action": "preview",
            "csv_file": (io.BytesIO(raw), "list.csv"),
        },
        content_type="multipart/form-data",
    )


def test_a_class_list_over_1000_rows_is_refused_with_a_clear_message(client, import_url):
    listing = "".join(f"Learner {n};learner{n}@example.org\n" for n in range(1001))
    response = upload(client, import_url, listing.encode())
    assert response.status_code == 422
    assert "more than 1000 rows; import it in parts" in response.get_data(as_text=True)


def test_a_class_list_file_over_the_size_limit_is_refused_with_a_clear_message(
    client, import_url, monkeypatch
):
    # A small limit: the test client spools large uploads to files it never closes.
    monkeypatch.setattr(classlist, "MAX_BYTES", 2 * 1024)
    response = upload(client, import_url, b"Nina;nina@example.org\n" * 100)
    assert response.status_code == 422
    assert "larger than 2 KB. Split it into smaller files." in response.get_data(as_text=True)


def test_a_request_over_the_app_limit_gets_a_friendly_413_page(client, import_url):
    body = b"csv_text=" + b"x" * (2 * 1024 * 1024)
    response = client.post(import_url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "larger than 2 MB, the most this site accepts" in response.get_data(as_text=True)


def test_an_invitation_link_applies_the_password_rules(app, client):
    with app.test_request_context():
        user = accounts.create_invited_user("nina@example.org", "Nina New")
        db.session.commit()
        path = f"/set-password/{mail_links.set_password_token(user)}"
    response = post_form(client, path, {"password": "1234567890"}, token_from=path)
    assert response.status_code == 422
    assert "most common passwords" in response.get_data(as_text=True)
    response = post_form(client, path, {"password": "nina@example.org"}, token_from=path)
    assert "must not be your email address" in response.get_data(as_text=True)
    assert (
        post_form(client, path, {"password": "tulips and lathes"}, token_from=path).status_code
        == 302
    )
    with app.app_context():
        nina = db.session.scalar(sa.select(User).where(User.email == "nina@example.org"))
        assert nina.check_password("tulips and lathes")
