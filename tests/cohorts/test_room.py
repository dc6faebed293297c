"""In the room: the projector page and its live count, attendance confirmations, the session
form's time zone, and where the confirmation of a saved session shows."""

import re
from datetime import timedelta

import pytest

from lms.cohorts import services as cohorts
from lms.cohorts.models import Meeting
from lms.extensions import db, utcnow
from tests.conftest import login, logout, post_form


@pytest.fixture
def room(app, make_user, make_cohort):
    """A facilitator, their cohort of three learners in a session that started 5 minutes ago,
    and another facilitator's cohort."""
    fac_id, fac_email = make_user("facilitator")
    other_fac_id, other_fac_email = make_user("facilitator")
    learners = [make_user("learner", name=f"Learner {n}") for n in range(3)]
    joined = utcnow() - timedelta(days=2)
    cohort_id = make_cohort([fac_id], [uid for uid, _ in learners], joined_at=joined)
    other_cohort_id = make_cohort([other_fac_id], [], name="Other cohort")
    with app.app_context():
        meeting = Meeting(
            cohort_id=cohort_id,
            title="Sensor lab",
            starts_at=utcnow() - timedelta(minutes=5),
            ends_at=utcnow() + timedelta(hours=2),
            timezone="Europe/Ljubljana",
            place="Maker space",
            checkin_token=cohorts.new_token(),
        )
        db.session.add(meeting)
        db.session.commit()
        meeting_id, token = meeting.id, meeting.checkin_token
    return {
        "fac": fac_email,
        "other_fac": other_fac_email,
        "learners": learners,
        "cohort": cohort_id,
        "other_cohort": other_cohort_id,
        "meeting": meeting_id,
        "token": token,
    }


def _move(app, meeting_id, start: timedelta, hours: float = 2, cancelled: bool = False):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.starts_at = utcnow() + start
        meeting.ends_at = meeting.starts_at + timedelta(hours=hours)
        meeting.cancelled_at = utcnow() if cancelled else None
        db.session.commit()


def _check_in(client, email, token):
    login(client, email)
    response = post_form(client, f"/checkin/{token}", {}, token_from=f"/checkin/{token}")
    assert "You are checked in" in response.get_data(as_text=True)
    logout(client)


# --- attendance -----------------------------------------------------------------------------


def test_saving_attendance_without_a_change_still_confirms(client, room):
    login(client, room["fac"])
    url = f"/facilitate/sessions/{room['meeting']}/attendance"
    response = post_form(client, url, {}, token_from=url, follow_redirects=True)
    assert "Attendance saved. Nothing changed." in response.get_data(as_text=True)
    first = room["learners"][0][0]
    response = post_form(
        client, url, {f"status-{first}": "present"}, token_from=url, follow_redirects=True
    )
    assert "Attendance saved: 1 change." in response.get_data(as_text=True)
    response = post_form(
        client, url, {f"status-{first}": "present"}, token_from=url, follow_redirects=True
    )
    assert "Attendance saved. Nothing changed." in response.get_data(as_text=True)


def test_the_save_bar_sits_after_the_list(client, room):
    login(client, room["fac"])
    html = client.get(f"/facilitate/sessions/{room['meeting']}/attendance").get_data(as_text=True)
    assert re.search(r'</ul>\s*<div class="save-bar"><button[^>]*id="save-attendance"', html)
