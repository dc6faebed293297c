"""A matchmaking event end to end: register, ask, answer, schedule, agenda, feedback, outcome."""

import re
import secrets
from datetime import timedelta

import sqlalchemy as sa

from lms.collider.models import (
    Cooperation,
    Matchmaking,
    MeetingFeedback,
    MeetingRequest,
    Participant,
)
from lms.extensions import db, utcnow
from lms.organisations.models import Organisation
from lms.programme.models import Event
from tests.conftest import login, post_form


def signed_in(app, make_user, role="learner", name=None):
    client = app.test_client()
    user_id, email = make_user(role, name=name)
    login(client, email)
    client.user_id = user_id
    return client


def make_event(app, *, days=10):
    with app.app_context():
        host = Organisation(
            name=f"Hub {secrets.token_hex(3)}", country="SI", kind="cci", is_partner=True
        )
        db.session.add(host)
        db.session.flush()
        start = (utcnow() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
        event = Event(
            organiser_id=host.id,
            kind="matchmaking",
            title="Brokerage day Ljubljana",
            starts_at=start,
            ends_at=start + timedelta(hours=4),
            timezone="Europe/Ljubljana",
            place="Tech park",
            checkin_token=secrets.token_urlsafe(16),
        )
        db.session.add(event)
        db.session.commit()
        return event.id


def set_up(admin, event_id, slots=3, tables=2):
    page = f"/collider/events/{event_id}/setup"
    with admin.application.app_context():
        start = db.session.get(Event, event_id).starts_at
    local = start.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Ljubljana"))
    data = {
        "opens": (local - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "closes": (local - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "first_start": local.strftime("%Y-%m-%dT%H:%M"),
        "slots": str(slots),
        "minutes": "20",
        "pause": "5",
        "tables": str(tables),
    }
    response = post_form(admin, page, data, token_from=page)
    assert response.status_code == 302, response.get_data(as_text=True)


def participant_ids(app):
    with app.app_context():
        return {p.user_id: p.id for p in db.session.scalars(sa.select(Participant))}


def test_the_whole_matchmaking_journey(app, make_user):
    event_id = make_event(app)
    admin = signed_in(app, make_user, "admin", name="Olga Organiser")
    set_up(admin, event_id)
    anna = signed_in(app, make_user, name="Anna Designer")
    bruno = signed_in(app, make_user, name="Bruno Manufacturer")
    page = f"/collider/events/{event_id}"
    for client in (anna, bruno):
        assert post_form(client, f"{page}/register", {}, token_from=page).status_code == 302
        post_form(client, f"{page}/register", {}, token_from=page)  # twice: once
    ids = participant_ids(app)
    assert len(ids) == 2
    assert "Bruno Manufacturer" in anna.get(page).get_data(as_text=True)
    post_form(
        anna,
        f"{page}/requests",
        {"recipient": ids[bruno.user_id], "message": "Hi"},
        token_from=page,
    )
    again = post_form(bruno, f"{page}/requests", {"recipient": ids[anna.user_id]}, token_from=page)
    assert again.status_code == 302
    with app.app_context():
        request = db.session.scalar(sa.select(MeetingRequest))
        assert db.session.scalar(sa.select(sa.func.count(MeetingRequest.id))) == 1
    # Only the recipient answers a pending request.
    answer = f"/collider/requests/{request.id}/answer"
    assert post_form(anna, answer, {"answer": "accept"}, token_from=page).status_code == 403
    post_form(bruno, answer, {"answer": "accept"}, token_from=page)
    manage = f"/collider/events/{event_id}/manage"
    assert anna.get(manage).status_code == 403
    post_form(admin, f"/collider/events/{event_id}/schedule", {}, token_from=manage)
    with app.app_context():
        placed = db.session.get(MeetingRequest, request.id)
        assert placed.slot_id and placed.table_id
    agenda = anna.get(f"{page}/agenda").get_data(as_text=True)
    assert "Bruno Manufacturer" in agenda
    ics = anna.get(f"{page}/agenda.ics")
    assert ics.mimetype == "text/calendar" and b"Meeting with Bruno Manufacturer" in ics.data
    plan = admin.get(manage).get_data(as_text=True)
    assert "Anna Designer · Bruno Manufacturer" in plan
    # Feedback from each side; only organisers see it.
    fb = f"/collider/requests/{request.id}/feedback"
    post_form(
        anna,
        fb,
        {"stage": "after", "answer": "cooperation_possible"},
        token_from=f"{fb}?stage=after",
    )
    post_form(
        bruno, fb, {"stage": "followup", "answer": "agreement"}, token_from=f"{fb}?stage=followup"
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MeetingFeedback.id))) == 2
    stranger = signed_in(app, make_user)
    assert stranger.get(f"{fb}?stage=after").status_code == 404
    assert "Cooperation agreement reached" in admin.get(manage).get_data(as_text=True)
    # The organiser records the cooperation between two organisations of two countries.
    with app.app_context():
        a = Organisation(name="Studio Anna", country="IT", kind="cci")
        b = Organisation(name="Bruno Werke", country="AT", kind="avm")
        db.session.add_all([a, b])
        db.session.commit()
        org_ids = [a.id, b.id]
    post_form(
        admin,
        f"/collider/events/{event_id}/cooperations",
        {
            "title": "Packaging pilot",
            "kind": "pilot",
            "agreed_on": utcnow().date().isoformat(),
            "request": request.id,
            "organisations": org_ids,
        },
        token_from=manage,
    )
    with app.app_context():
        cooperation = db.session.scalar(sa.select(Cooperation))
        assert sorted(p.organisation_id for p in cooperation.parties) == sorted(org_ids)
        # Counted in the programme report: two organisations of two countries cooperate (RCO 87),
        # and the follow-up rating confirms it (RCR 84).
        from lms.programme.indicators import compute

        today = utcnow().date()
        figures = {f.code: f for f in compute(today.replace(month=1, day=1), today)}
        assert figures["RCO 87"].available and figures["RCO 87"].total == 2
        assert figures["RCR 84"].total == 2
        assert {r["country"] for r in figures["RCO 87"].rows} == {"IT", "AT"}
    # Locking needs the tick, then nothing moves.
    post_form(admin, f"/collider/events/{event_id}/lock", {}, token_from=manage)
    with app.app_context():
        assert db.session.scalar(sa.select(Matchmaking.locked_at)) is None
    post_form(admin, f"/collider/events/{event_id}/lock", {"confirm": "yes"}, token_from=manage)
    refused = post_form(admin, f"/collider/events/{event_id}/schedule", {}, token_from=manage)
    assert refused.status_code == 302
    assert "locked" in admin.get(manage).get_data(as_text=True)


def test_requests_are_refused_outside_the_booking_window(app, make_user):
    event_id = make_event(app)
    admin = signed_in(app, make_user, "admin")
    set_up(admin, event_id)
    with app.app_context():
        setup = db.session.scalar(sa.select(Matchmaking))
        setup.booking_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    anna = signed_in(app, make_user)
    bruno = signed_in(app, make_user)
    page = f"/collider/events/{event_id}"
    for client in (anna, bruno):
        post_form(client, f"{page}/register", {}, token_from=page)
    ids = participant_ids(app)
    response = post_form(
        anna,
        f"{page}/requests",
        {"recipient": ids[bruno.user_id]},
        token_from=page,
        follow_redirects=True,
    )
    assert "Booking is not open" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MeetingRequest.id))) == 0


def test_a_hand_placed_meeting_never_double_books(app, make_user):
    event_id = make_event(app)
    admin = signed_in(app, make_user, "admin")
    set_up(admin, event_id, slots=1, tables=2)
    people = [signed_in(app, make_user) for _ in range(3)]
    page = f"/collider/events/{event_id}"
    for client in people:
        post_form(client, f"{page}/register", {}, token_from=page)
    ids = participant_ids(app)
    a, b, c = people
    post_form(a, f"{page}/requests", {"recipient": ids[b.user_id]}, token_from=page)
    post_form(a, f"{page}/requests", {"recipient": ids[c.user_id]}, token_from=page)
    with app.app_context():
        requests = list(db.session.scalars(sa.select(MeetingRequest).order_by(MeetingRequest.id)))
        setup = db.session.scalar(sa.select(Matchmaking))
        slot, tables = setup.slots[0].id, [t.id for t in setup.tables]
    post_form(
        b, f"/collider/requests/{requests[0].id}/answer", {"answer": "accept"}, token_from=page
    )
    post_form(
        c, f"/collider/requests/{requests[1].id}/answer", {"answer": "accept"}, token_from=page
    )
    manage = f"/collider/events/{event_id}/manage"
    post_form(
        admin,
        f"{page}/place",
        {"request": requests[0].id, "slot": slot, "table": tables[0]},
        token_from=manage,
    )
    clash = post_form(
        admin,
        f"{page}/place",
        {"request": requests[1].id, "slot": slot, "table": tables[1]},
        token_from=manage,
        follow_redirects=True,
    )
    assert "already taken" in clash.get_data(as_text=True)
    post_form(admin, f"{page}/schedule", {}, token_from=manage)
    with app.app_context():
        rows = list(db.session.scalars(sa.select(MeetingRequest).order_by(MeetingRequest.id)))
        assert rows[0].slot_id == slot and rows[0].pinned
        assert rows[1].slot_id is None  # A cannot be in two meetings in the only slot


def test_organiser_pages_refuse_people_who_do_not_organise(app, make_user):
    event_id = make_event(app)
    admin = signed_in(app, make_user, "admin")
    set_up(admin, event_id)
    facilitator = signed_in(app, make_user, "facilitator")
    for url in ("manage", "setup"):
        assert facilitator.get(f"/collider/events/{event_id}/{url}").status_code == 403
    assert re.search("Brokerage day", facilitator.get("/collider/events").get_data(as_text=True))
