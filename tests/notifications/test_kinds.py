"""Kinds of message (issue 16): sessions scheduled, changed, cancelled; certificates."""

import base64
from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar

from lms.accounts.models import User
from lms.cohorts.models import Cohort, Meeting
from lms.extensions import db, utcnow
from lms.notifications.models import Notification, OutboxMessage
from tests.conftest import complete_with_quiz, login, post_form


def _session_form(client, url, day, **extra):
    data = {
        "title": "Workshop",
        "day": day,
        "start_time": "10:00",
        "end_time": "12:00",
        "timezone": "Europe/Ljubljana",
        "place": "Maker space",
        **extra,
    }
    return post_form(client, url, data, token_from=url)


def _schedule(client, cohort_id, day, **extra):
    return _session_form(client, f"/facilitate/cohorts/{cohort_id}/sessions/new", day, **extra)


def _edit(client, meeting_id, day, **extra):
    return _session_form(client, f"/facilitate/sessions/{meeting_id}/edit", day, **extra)


def _outbox(app, kind):
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(OutboxMessage)
                .where(OutboxMessage.kind == kind)
                .order_by(OutboxMessage.id)
            )
        )


def _cohort_of_two(app, make_user, make_cohort):
    fac, fac_email = make_user("facilitator")
    anna, _ = make_user("learner", name="Anna English")
    gianni, _ = make_user("learner", name="Gianni Italiano")
    with app.app_context():
        db.session.get(User, gianni).locale = "it"
        db.session.commit()
    cohort_id = make_cohort([fac], [anna, gianni])
    return cohort_id, fac_email, anna, gianni


def test_a_new_session_tells_every_member_in_their_language_with_the_ics(
    app, client, make_user, make_cohort
):
    cohort_id, fac_email, anna, gianni = _cohort_of_two(app, make_user, make_cohort)
    login(client, fac_email)
    assert _schedule(client, cohort_id, "2027-07-01").status_code == 302
    messages = _outbox(app, "meeting.update")
    assert {m.user_id for m in messages} == {anna, gianni}
    by_user = {m.user_id: m for m in messages}
    english, italian = by_user[anna], by_user[gianni]
    assert english.subject == "New session: Workshop"
    assert "Hello Anna English," in english.text_body
    # The time in the session's zone (10:00 in Ljubljana), not UTC (08:00).
    assert "10:00" in english.text_body and "Maker space" in english.text_body
    assert "<html" in english.html_body and "<img" not in english.html_body
    # Written in Italian (new sentences wait for the translators; dates are Babel's).
    assert italian.locale == "it" and "luglio" in italian.text_body
    assert "July" in english.text_body and "Workshop" in italian.subject
    # Links built from the base URL; the .ics is the session with its calendar sequence.
    assert "http://localhost/me/sessions" in english.text_body
    (attachment,) = english.attachments
    assert attachment["filename"].endswith(".ics")
    event = Calendar.from_ical(base64.b64decode(attachment["data"])).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Workshop (Test cohort)"
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Notification.id)).where(
                    Notification.kind == "meeting.update"
                )
            )
            == 2
        )


def test_saving_a_session_without_a_change_records_nothing_and_a_change_one_each(
    app, client, make_user, make_cohort
):
    cohort_id, fac_email, anna, gianni = _cohort_of_two(app, make_user, make_cohort)
    login(client, fac_email)
    _schedule(client, cohort_id, "2027-07-01")
    with app.app_context():
        meeting_id = db.session.scalar(sa.select(Meeting.id))
    assert _edit(client, meeting_id, "2027-07-01").status_code == 302
    assert len(_outbox(app, "meeting.update")) == 2
    assert _edit(client, meeting_id, "2027-07-02").status_code == 302
    messages = _outbox(app, "meeting.update")
    assert len(messages) == 4
    assert messages[-1].subject.startswith("Session changed") or messages[-2].subject.startswith(
        "Session changed"
    )
    url = f"/facilitate/sessions/{meeting_id}/cancel"
    assert post_form(client, url, {}, token_from=url).status_code == 302
    messages = _outbox(app, "meeting.update")
    assert len(messages) == 6
    cancelled = [m for m in messages if m.user_id == anna][-1]
    assert cancelled.subject == "Cancelled: Workshop"
    event = Calendar.from_ical(base64.b64decode(cancelled.attachments[0]["data"])).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"


def test_only_members_of_the_sessions_cohort_are_told(app, client, make_user, make_cohort):
    cohort_id, fac_email, anna, gianni = _cohort_of_two(app, make_user, make_cohort)
    outsider, _ = make_user("learner")
    make_cohort([], [outsider], name="Other cohort")
    login(client, fac_email)
    _schedule(client, cohort_id, "2027-07-01")
    assert outsider not in {m.user_id for m in _outbox(app, "meeting.update")}


def test_a_certificate_issued_tells_its_holder_with_the_verification_link(
    app, client, learner_client
):
    complete_with_quiz(learner_client)
    assert _outbox(app, "certificate.issued") == []  # one module of two: no certificate yet
    url = "/courses/sample-course/second-steps"
    post_form(learner_client, f"{url}/complete", token_from=url)
    learner_client.get("/me/learning")
    (message,) = _outbox(app, "certificate.issued")
    assert message.user_id == learner_client.user_id
    with app.app_context():
        from lms.certificates.models import Certificate

        cert = db.session.scalar(sa.select(Certificate))
    assert f"http://localhost/verify/{cert.code}" in message.text_body
    assert f"http://localhost/certificates/{cert.code}" in message.text_body
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_learner_who_turned_session_messages_off_gets_none(app, client, make_user, make_cohort):
    from lms.notifications.models import NotificationPreference

    cohort_id, fac_email, anna, gianni = _cohort_of_two(app, make_user, make_cohort)
    with app.app_context():
        db.session.add(NotificationPreference(user_id=anna, kind="meeting.update", channel="off"))
        db.session.commit()
    login(client, fac_email)
    _schedule(client, cohort_id, (utcnow() + timedelta(days=30)).date().isoformat())
    assert {m.user_id for m in _outbox(app, "meeting.update")} == {gianni}
    with app.app_context():
        assert db.session.get(Cohort, cohort_id) is not None


def test_collider_requests_and_acceptances_tell_the_other_side(app, make_user):
    from tests.collider.test_matchmaking import make_event, participant_ids, set_up, signed_in

    event_id = make_event(app)
    admin = signed_in(app, make_user, "admin", name="Olga Organiser")
    set_up(admin, event_id)
    anna = signed_in(app, make_user, name="Anna Designer")
    bruno = signed_in(app, make_user, name="Bruno Manufacturer")
    page = f"/collider/events/{event_id}"
    for client in (anna, bruno):
        post_form(client, f"{page}/register", {}, token_from=page)
    ids = participant_ids(app)
    post_form(
        anna,
        f"{page}/requests",
        {"recipient": ids[bruno.user_id], "message": "Hi"},
        token_from=page,
    )
    (asked,) = _outbox(app, "collider.request")
    assert asked.user_id == bruno.user_id
    assert asked.subject == "Anna Designer asks to meet you at Brokerage day Ljubljana"
    assert f"http://localhost/collider/events/{event_id}#requests" in asked.text_body
    assert _outbox(app, "collider.accepted") == []
    with app.app_context():
        from lms.collider.models import MeetingRequest

        request_id = db.session.scalar(sa.select(MeetingRequest.id))
    post_form(
        bruno, f"/collider/requests/{request_id}/answer", {"answer": "accept"}, token_from=page
    )
    (accepted,) = _outbox(app, "collider.accepted")
    assert accepted.user_id == anna.user_id
    assert accepted.subject == "Bruno Manufacturer will meet you at Brokerage day Ljubljana"


def test_editing_a_session_that_is_over_tells_nobody(app, client, make_user, make_cohort):
    cohort_id, fac_email, anna, gianni = _cohort_of_two(app, make_user, make_cohort)
    login(client, fac_email)
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    assert _schedule(client, cohort_id, yesterday).status_code == 302
    assert _outbox(app, "meeting.update") == []
