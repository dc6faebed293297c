"""Organisers' event pages: schedule, edit, cancel, registrations and their export, attendance
and self check-in in the room; a partner manager manages only their partner's events."""

import csv
import datetime as dt
import io
import logging
import re

import pytest
import sqlalchemy as sa

from lms.extensions import db, utcnow
from lms.organisations.models import Organisation, OrganisationStaff
from lms.programme.models import Event, EventRegistration
from tests.conftest import login, logout, post_form

DAY = (utcnow() + dt.timedelta(days=10)).date().isoformat()


@pytest.fixture
def partners(app, make_user):
    """Two partners, each with a partner manager; a programme manager; a learner."""
    with app.app_context():
        graz = Organisation(name="Design Werkstatt Graz", country="AT", kind="cci", is_partner=True)
        brno = Organisation(name="Brno Tech Hub", country="CZ", kind="bso", is_partner=True)
        db.session.add_all([graz, brno])
        db.session.commit()
        ids = {"graz": graz.id, "brno": brno.id}
    people = {}
    for key, role, org in (
        ("graz_manager", "partner_manager", "graz"),
        ("brno_manager", "partner_manager", "brno"),
        ("programme_manager", "programme_manager", None),
        ("learner", "learner", None),
    ):
        user_id, email = make_user(role)
        people[key] = email
        if org:
            with app.app_context():
                db.session.add(OrganisationStaff(organisation_id=ids[org], user_id=user_id, role="manager"))
                db.session.commit()
    return {**ids, **people}


def event_form(organiser_id, **changes):
    data = {
        "title": "Info Day Graz",
        "kind": "info_day",
        "organiser_id": str(organiser_id),
        "description": "Meet the partners.",
        "day": DAY,
        "start_time": "10:00",
        "end_time": "12:30",
        "timezone": "Europe/Vienna",
        "place": "Lendplatz 1, Graz",
        "capacity": "2",
        "languages": ["de", "en"],
    }
    data.update(changes)
    return data


def schedule(client, people, **changes):
    response = post_form(
        client, "/organise/events/new", event_form(people["graz"], **changes),
        token_from="/organise/events/new",
    )
    return response


def the_event(app):
    with app.app_context():
        return db.session.scalar(sa.select(Event).order_by(Event.id.desc()))


def add_registration(app, event_id, email, status="confirmed", name=None):
    import secrets

    with app.app_context():
        db.session.add(
            EventRegistration(
                event_id=event_id, email=email, name=name or email.split("@")[0].title(),
                status=status, token=secrets.token_urlsafe(16), organisation="Acme", country="SI",
                confirmed_at=utcnow(),
            )
        )
        db.session.commit()


def test_a_partner_manager_schedules_an_event_that_the_public_page_lists(app, client, partners):
    login(client, partners["graz_manager"])
    assert "Schedule an event" in client.get("/organise/events").get_data(as_text=True)
    response = schedule(client, partners, partners=[str(partners["brno"])])
    assert response.status_code == 302
    event = the_event(app)
    assert event.title == "Info Day Graz" and event.capacity == 2 and event.languages == "en,de"  # in the order of the language list
    # 10:00 in Vienna, stored in UTC
    assert event.starts_at.astimezone(dt.UTC).hour in (8, 9)
    with app.app_context():
        assert [p.organisation_id for p in db.session.get(Event, event.id).partners] == [partners["brno"]]
    assert "Info Day Graz" in client.get("/events/").get_data(as_text=True)
    page = client.get(f"/organise/events/{event.id}").get_data(as_text=True)
    assert "Nobody has registered yet" in page


def test_the_form_says_what_is_wrong_next_to_the_field(client, partners):
    login(client, partners["graz_manager"])
    response = schedule(client, partners, title="", end_time="09:00", place="", languages=[])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="title-error"' in html and "must end after it starts" in html
    assert "Give a place, an online link, or both." in html
    assert "Choose at least one language." in html


def test_a_partner_manager_cannot_organise_for_or_see_another_partner(app, client, partners):
    login(client, partners["graz_manager"])
    schedule(client, partners)
    event = the_event(app)
    logout(client)
    login(client, partners["brno_manager"])
    assert "Info Day Graz" not in client.get("/organise/events").get_data(as_text=True)
    for url in (f"/organise/events/{event.id}", f"/organise/events/{event.id}/edit",
                f"/organise/events/{event.id}/attendance", f"/organise/events/{event.id}/cancel",
                f"/organise/events/{event.id}/checkin-code",
                f"/organise/events/{event.id}/registrations.csv"):
        assert client.get(url).status_code == 404, url
    # Nor schedule one in Graz's name.
    response = schedule(client, partners, title="Not mine")
    assert response.status_code == 422 and the_event(app).title == "Info Day Graz"


def test_learners_are_refused_and_programme_managers_see_every_event(app, client, partners):
    login(client, partners["graz_manager"])
    schedule(client, partners)
    event = the_event(app)
    learner = app.test_client()
    login(learner, partners["learner"])
    assert learner.get("/organise/events").status_code == 403
    assert learner.get(f"/organise/events/{event.id}").status_code == 403
    manager = app.test_client()
    login(manager, partners["programme_manager"])
    assert "Info Day Graz" in manager.get("/organise/events").get_data(as_text=True)
    assert manager.get(f"/organise/events/{event.id}").status_code == 200


def test_more_places_move_the_waiting_list_up_and_the_calendar_sequence(app, client, partners, caplog):
    caplog.set_level(logging.INFO, logger="lms.mail")
    app.config["LMS_MAIL_DELIVER_AFTER_REQUEST"] = True  # the worker logs mail without a server
    login(client, partners["graz_manager"])
    schedule(client, partners, capacity="1")
    event = the_event(app)
    add_registration(app, event.id, "ana@example.org")
    add_registration(app, event.id, "bo@example.org", status="waiting")
    url = f"/organise/events/{event.id}/edit"
    response = post_form(client, url, event_form(partners["graz"], capacity="2"), token_from=url)
    assert response.status_code == 302
    with app.app_context():
        statuses = dict(db.session.execute(sa.select(EventRegistration.email, EventRegistration.status)).all())
        assert statuses == {"ana@example.org": "confirmed", "bo@example.org": "confirmed"}
        assert db.session.get(Event, event.id).sequence == 1
    assert "A place is free for you" in caplog.text


def test_attendance_everyone_present_then_exceptions_and_the_csv(app, client, partners):
    login(client, partners["graz_manager"])
    schedule(client, partners)
    event = the_event(app)
    add_registration(app, event.id, "ana@example.org", name="Ana")
    add_registration(app, event.id, "bo@example.org", name="=HYPERLINK(1)")
    add_registration(app, event.id, "waits@example.org", status="waiting")
    url = f"/organise/events/{event.id}/attendance"
    html = client.get(url).get_data(as_text=True)
    assert "Ana" in html and "waits" not in html.lower().replace("waits@", "")  # only those with a place
    response = post_form(client, url, {"action": "all_present"}, token_from=url)
    assert response.status_code == 302
    with app.app_context():
        bo = db.session.scalar(sa.select(EventRegistration).where(EventRegistration.email == "bo@example.org"))
        bo_id = bo.id
    post_form(client, url, {f"status-{bo_id}": "absent"}, token_from=url)
    with app.app_context():
        attendance = dict(db.session.execute(sa.select(EventRegistration.email, EventRegistration.attendance)).all())
    assert attendance == {"ana@example.org": "present", "bo@example.org": "absent", "waits@example.org": ""}
    # A made-up id or value changes nothing and is not an error.
    assert post_form(client, url, {"status-999999": "present", f"status-{bo_id}": "maybe"}, token_from=url).status_code == 302
    text = client.get(f"/organise/events/{event.id}/registrations.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Name", "Email", "Organisation", "Country", "Status", "Registered", "Attendance"]
    by_email = {r[1]: r for r in rows[1:]}
    assert by_email["ana@example.org"][0] == "Ana" and by_email["ana@example.org"][-1] == "present"
    assert any(r[0] == "'=HYPERLINK(1)" for r in rows)  # formulas neutralised


def test_cancelling_asks_first_then_tells_everyone_registered(app, client, partners, mailbox):
    login(client, partners["graz_manager"])
    schedule(client, partners)
    event = the_event(app)
    add_registration(app, event.id, "ana@example.org")
    add_registration(app, event.id, "gone@example.org", status="cancelled")
    url = f"/organise/events/{event.id}/cancel"
    page = client.get(url).get_data(as_text=True)
    assert "This cannot be undone" in page
    with app.app_context():
        assert db.session.get(Event, event.id).cancelled_at is None  # a GET changes nothing
    response = post_form(client, url, {}, token_from=url)
    assert response.status_code == 302
    assert [to for to, _subject, _body in mailbox] == ["ana@example.org"]
    assert client.get(f"/events/{event.id}").status_code == 404
    assert "This event is cancelled." in client.get(f"/organise/events/{event.id}").get_data(as_text=True)


def test_self_checkin_in_the_room(app, client, partners):
    login(client, partners["graz_manager"])
    schedule(client, partners)
    event = the_event(app)
    add_registration(app, event.id, "ana@example.org")
    add_registration(app, event.id, "waits@example.org", status="waiting")
    qr = client.get(f"/organise/events/{event.id}/checkin-code").get_data(as_text=True)
    link = re.search(r'<code class="copy">https?://[^/]+(/events/\d+/checkin/[^<]+)</code>', qr).group(1)
    guest = app.test_client()
    assert guest.get(f"/events/{event.id}/checkin/wrong-token").status_code == 404
    # Ten days before the event: closed.
    response = post_form(guest, link, {"email": "ana@example.org"}, token_from=link)
    assert response.status_code == 422 and "Check-in is open from" in response.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(Event, event.id)
        row.starts_at = utcnow() - dt.timedelta(minutes=10)
        row.ends_at = utcnow() + dt.timedelta(hours=1)
        db.session.commit()
    response = post_form(guest, link, {"email": " ANA@example.org "}, token_from=link)
    assert response.status_code == 200 and "You are checked in" in response.get_data(as_text=True)
    again = post_form(guest, link, {"email": "ana@example.org"}, token_from=link)
    assert "already checked in" in again.get_data(as_text=True)
    waiting = post_form(guest, link, {"email": "waits@example.org"}, token_from=link)
    assert waiting.status_code == 422 and "no confirmed place" in waiting.get_data(as_text=True)
    with app.app_context():
        ana = db.session.scalar(sa.select(EventRegistration).where(EventRegistration.email == "ana@example.org"))
        assert (ana.attendance, ana.attendance_source) == ("present", "self")
    assert "1 person checked in" in client.get(f"/organise/events/{event.id}/checkin-code").get_data(as_text=True)
