"""Scheduled collider kinds (issue 16): the reminder before a one-to-one meeting at a
matchmaking event, and the request for feedback after it."""

from datetime import timedelta

import sqlalchemy as sa

from lms.collider.models import MeetingFeedback, MeetingRequest, MeetingSlot, MeetingTable
from lms.extensions import db
from lms.notifications.models import OutboxMessage
from lms.notifications.scheduled_collider import send_collider_reminders, send_feedback_requests
from tests.collider.test_matchmaking import make_event, participant_ids, set_up, signed_in
from tests.conftest import post_form


def _placed_meeting(app, make_user):
    """Anna asked Bruno, Bruno accepted, the organiser placed it in the first slot."""
    event_id = make_event(app)
    admin = signed_in(app, make_user, "admin", name="Olga Organiser")
    set_up(admin, event_id)
    anna = signed_in(app, make_user, name="Anna Designer")
    bruno = signed_in(app, make_user, name="Bruno Manufacturer")
    page = f"/collider/events/{event_id}"
    for client in (anna, bruno):
        post_form(client, f"{page}/register", {}, token_from=page)
    ids = participant_ids(app)
    post_form(anna, f"{page}/requests", {"recipient": ids[bruno.user_id]}, token_from=page)
    with app.app_context():
        request_id = db.session.scalar(sa.select(MeetingRequest.id))
    post_form(
        bruno, f"/collider/requests/{request_id}/answer", {"answer": "accept"}, token_from=page
    )
    with app.app_context():
        found = db.session.get(MeetingRequest, request_id)
        slot = db.session.scalar(
            sa.select(MeetingSlot)
            .where(MeetingSlot.matchmaking_id == found.matchmaking_id)
            .order_by(MeetingSlot.starts_at)
        )
        table = db.session.scalar(
            sa.select(MeetingTable).where(MeetingTable.matchmaking_id == found.matchmaking_id)
        )
        assert found.status == "accepted"
        found.slot_id, found.table_id = slot.id, table.id
        db.session.commit()
        return request_id, slot.starts_at, slot.ends_at, anna.user_id, bruno.user_id, table.label


def _mail(app, kind):
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(OutboxMessage)
                .where(OutboxMessage.kind == kind)
                .order_by(OutboxMessage.id)
            )
        )


def test_both_sides_are_reminded_once_before_their_meeting(app, make_user):
    request_id, starts_at, _ends, anna, bruno, table = _placed_meeting(app, make_user)
    with app.app_context():
        assert send_collider_reminders(starts_at - timedelta(hours=30)) == 0  # not yet
        assert send_collider_reminders(starts_at - timedelta(hours=3)) == 2
        db.session.commit()
        assert send_collider_reminders(starts_at - timedelta(hours=2)) == 0  # twice: once
        db.session.commit()
    sent = _mail(app, "collider.reminder")
    assert sorted(m.user_id for m in sent) == sorted([anna, bruno])
    to_anna = next(m for m in sent if m.user_id == anna)
    assert to_anna.subject == "Your meeting with Bruno Manufacturer at Brokerage day Ljubljana"
    assert f"Table: {table}" in to_anna.text_body
    assert "(Ljubljana)" in to_anna.text_body or "Ljubljana" in to_anna.text_body
    assert "/collider/events/" in to_anna.text_body and "/agenda" in to_anna.text_body


def test_a_moved_meeting_is_reminded_again(app, make_user):
    request_id, starts_at, _ends, _anna, _bruno, _table = _placed_meeting(app, make_user)
    with app.app_context():
        assert send_collider_reminders(starts_at - timedelta(hours=3)) == 2
        found = db.session.get(MeetingRequest, request_id)
        later = db.session.scalars(
            sa.select(MeetingSlot)
            .where(MeetingSlot.matchmaking_id == found.matchmaking_id)
            .order_by(MeetingSlot.starts_at)
        ).all()[1]
        found.slot_id = later.id
        db.session.commit()
        assert send_collider_reminders(later.starts_at - timedelta(hours=3)) == 2
        db.session.commit()


def test_feedback_is_asked_after_the_meeting_of_those_who_have_not_given_it(app, make_user):
    request_id, _starts, ends_at, anna, bruno, _table = _placed_meeting(app, make_user)
    with app.app_context():
        assert send_feedback_requests(ends_at - timedelta(minutes=5)) == 0  # still going on
        db.session.add(
            MeetingFeedback(
                request_id=request_id, user_id=anna, stage="after", answer="informative"
            )
        )
        db.session.commit()
        assert send_feedback_requests(ends_at + timedelta(hours=1)) == 1
        db.session.commit()
        assert send_feedback_requests(ends_at + timedelta(hours=2)) == 0
        assert send_feedback_requests(ends_at + timedelta(days=8)) == 0  # old news
    (asked,) = _mail(app, "collider.feedback")
    assert asked.user_id == bruno
    assert asked.subject == "How did your meeting with Anna Designer go?"
    assert f"/collider/requests/{request_id}/feedback" in asked.text_body
