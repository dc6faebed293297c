"""Public events: register without an account, confirm by link, waiting list, cancel, .ics."""

import datetime as dt
import logging
import re
import secrets

import pytest
import sqlalchemy as sa

from lms.extensions import db, utcnow
from lms.organisations.models import Organisation
from lms.programme.models import Event, EventRegistration
from tests.conftest import post_form


@pytest.fixture
def event_id(app):
    with app.app_context():
        org = Organisation(name="Design Werkstatt Graz", country="AT", kind="cci", is_partner=True)
        db.session.add(org)
        db.session.flush()
        event = Event(organiser_id=org.id, title="Info Day Graz", capacity=1,
                      starts_at=utcnow() + dt.timedelta(days=3),
                      ends_at=utcnow() + dt.timedelta(days=3, hours=2),
                      place="Lendplatz 1", checkin_token=secrets.token_hex(8))
        db.session.add(event)
        db.session.commit()
        return event.id


def register(client, event_id, email, name="Guest"):
    url = f"/events/{event_id}"
    return post_form(client, url, {"name": name, "email": email, "organisation": "Acme",
                                   "country": "AT", "consent": "y"}, token_from=url)


def token_of(app, email):
    with app.app_context():
        return db.session.scalar(sa.select(EventRegistration.token).where(EventRegistration.email == email))


def status_of(app, email):
    with app.app_context():
        return db.session.scalar(sa.select(EventRegistration.status).where(EventRegistration.email == email))


def confirm(client, token):
    url = f"/events/registration/{token}"
    return post_form(client, url, {}, token_from=url)


def test_the_public_page_lists_upcoming_events_and_registration_needs_consent(client, event_id):
    assert "Info Day Graz" in client.get("/events/").get_data(as_text=True)
    url = f"/events/{event_id}"
    response = post_form(client, url, {"name": "A", "email": "a@example.org"}, token_from=url)
    assert response.status_code == 422 and "Please agree" in response.get_data(as_text=True)


def test_the_answer_is_the_same_whether_or_not_someone_registered(app, client, event_id, caplog):
    first = register(client, event_id, "ana@example.org").get_data(as_text=True)
    again = register(client, event_id, "ana@example.org").get_data(as_text=True)
    other = register(client, event_id, "new@example.org").get_data(as_text=True)
    strip = lambda html: re.sub(r'name="csrf_token"[^>]*', "", html)  # noqa: E731
    assert strip(first) == strip(again) == strip(other)
    assert "Check your email" in first and "ana@example.org" not in first


def test_a_full_event_has_a_waiting_list_that_moves_up_on_cancellation(app, client, event_id, caplog):
    caplog.set_level(logging.INFO, logger="lms.mail")
    app.config["LMS_MAIL_DELIVER_AFTER_REQUEST"] = True  # the worker logs mail without a server
    register(client, event_id, "first@example.org")
    register(client, event_id, "second@example.org")
    assert "Please confirm your registration" in caplog.text  # logged in development
    confirm(client, token_of(app, "first@example.org"))
    confirm(client, token_of(app, "second@example.org"))
    assert status_of(app, "first@example.org") == "confirmed"
    assert status_of(app, "second@example.org") == "waiting"
    assert "waiting list" in client.get(f"/events/{event_id}").get_data(as_text=True)
    ics = client.get(f"/events/registration/{token_of(app, 'first@example.org')}/event.ics")
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.data and b"Info Day Graz" in ics.data
    url = f"/events/registration/{token_of(app, 'first@example.org')}/cancel"
    assert "Yes, cancel" in client.get(url).get_data(as_text=True)
    post_form(client, url, {}, token_from=url)
    assert status_of(app, "first@example.org") == "cancelled"
    assert status_of(app, "second@example.org") == "confirmed"
    assert "A place is free for you" in caplog.text


def test_unknown_tokens_and_events_are_404(client):
    assert client.get("/events/registration/nope").status_code == 404
    assert client.get("/events/registration/nope/event.ics").status_code == 404
    assert client.get("/events/999").status_code == 404
