"""In the room: the projector page and its live count, attendance confirmations, the session
form's time zone, and where the confirmation of a saved session shows."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.meetings import COUNTRY_ZONES, default_timezone
from lms.cohorts.models import Cohort, Meeting
from lms.cohorts.operations import add_member, new_token
from lms.extensions import db, utcnow
from lms.organisations.models import Organisation
from tests.conftest import login, logout, post_form
from tests.factories import make_meeting, new_meeting


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
        meeting = make_meeting(
            cohort_id=cohort_id,
            title="Sensor lab",
            starts_at=utcnow() - timedelta(minutes=5),
            ends_at=utcnow() + timedelta(hours=2),
            timezone="Europe/Ljubljana",
            place="Maker space",
            checkin_token=new_token(),
        )
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


# --- the projector page ---------------------------------------------------------------------


def test_the_projector_page_has_no_site_header_and_shows_the_title_code_and_count(client, room):
    login(client, room["fac"])
    html = client.get(f"/facilitate/sessions/{room['meeting']}/checkin-code").get_data(as_text=True)
    assert 'class="site-header"' not in html and 'class="site-footer"' not in html
    assert "<h1>Sensor lab</h1>" in html
    assert '<svg viewBox="0 0' in html and 'class="qr-code"' in html
    assert 'width="' not in html.split("<svg", 1)[1].split(">", 1)[0]  # sized by the CSS
    assert f"/checkin/{room['token']}</code>" in html
    assert ">0 of 3 checked in</p>" in html
    assert "Scan the code to check in." in html
    assert f'href="/facilitate/sessions/{room["meeting"]}/attendance"' in html
    assert re.search(r'<html lang="en(-GB)?">', html)


def test_without_javascript_the_projector_page_refreshes_itself_while_check_in_is_open(
    app, client, room
):
    login(client, room["fac"])
    url = f"/facilitate/sessions/{room['meeting']}/checkin-code"
    head = client.get(url).get_data(as_text=True).split("</head>")[0]
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in head
    assert f'data-checkin-count="/facilitate/sessions/{room["meeting"]}/checkin-count.json"' in (
        client.get(url).get_data(as_text=True)
    )
    _move(app, room["meeting"], -timedelta(hours=5))
    html = client.get(url).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html and "data-checkin-count" not in html


def test_the_projector_page_says_when_check_in_is_not_open(app, client, room):
    login(client, room["fac"])
    url = f"/facilitate/sessions/{room['meeting']}/checkin-code"
    # 14:00 in Ljubljana, on a winter or a summer day alike: the time is the room's.
    with app.app_context():
        meeting = db.session.get(Meeting, room["meeting"])
        from datetime import datetime
        from zoneinfo import ZoneInfo

        start = datetime(2030, 1, 15, 14, 0, tzinfo=ZoneInfo("Europe/Ljubljana"))
        meeting.starts_at, meeting.ends_at = start, start + timedelta(hours=2)
        db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Check-in opens at 13:30." in html and "<svg" in html
    _move(app, room["meeting"], -timedelta(hours=5))
    html = client.get(url).get_data(as_text=True)
    assert "Check-in closed at" in html and "<svg" not in html
    assert ">0 of 3 checked in</p>" in html
    _move(app, room["meeting"], timedelta(days=1), cancelled=True)
    html = client.get(url).get_data(as_text=True)
    assert "This session is cancelled" in html and "<svg" not in html


# --- the live count -------------------------------------------------------------------------


def test_the_count_follows_check_ins_and_the_facilitators_marks(app, client, room):
    count_url = f"/facilitate/sessions/{room['meeting']}/checkin-count.json"
    _check_in(client, room["learners"][0][1], room["token"])
    login(client, room["fac"])
    data = client.get(count_url).get_json()
    assert data == {"checked_in": 1, "expected": 3, "text": "1 of 3 checked in", "state": "open"}
    attendance = f"/facilitate/sessions/{room['meeting']}/attendance"
    post_form(
        client,
        attendance,
        {f"status-{room['learners'][1][0]}": "late", f"status-{room['learners'][2][0]}": "absent"},
        token_from=attendance,
    )
    response = client.get(count_url)
    assert response.get_json()["text"] == "2 of 3 checked in"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_learner_who_joined_after_the_start_and_checked_in_counts_in_both_figures(
    app, client, room, make_user
):
    late_id, late_email = make_user("learner")
    with app.app_context():
        add_member(db.session.get(Cohort, room["cohort"]), db.session.get(User, late_id))
        db.session.commit()
    _check_in(client, late_email, room["token"])
    login(client, room["fac"])
    data = client.get(f"/facilitate/sessions/{room['meeting']}/checkin-count.json").get_json()
    assert (data["checked_in"], data["expected"]) == (1, 4)


def test_only_the_sessions_facilitators_get_the_check_in_count(client, room):
    url = f"/facilitate/sessions/{room['meeting']}/checkin-count.json"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(client, room["learners"][0][1])
    assert client.get(url).status_code == 403
    logout(client)
    login(client, room["other_fac"])
    assert client.get(url).status_code == 404
    assert client.get("/facilitate/sessions/999999/checkin-count.json").status_code == 404
    logout(client)
    login(client, room["fac"])
    assert client.get(url).status_code == 200


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


# --- the session form -----------------------------------------------------------------------


def _default_zone(client, cohort_id) -> str:
    html = client.get(f"/facilitate/cohorts/{cohort_id}/sessions/new").get_data(as_text=True)
    select = html.split('id="timezone"', 1)[1].split("</select>", 1)[0]
    selected = re.findall(
        r'<option[^>]*\bselected\b[^>]*value="([^"]+)"|<option[^>]*value="([^"]+)"[^>]*\bselected\b',
        select,
    )
    assert len(selected) == 1, selected
    return "".join(selected[0])


def test_a_new_session_is_in_the_time_zone_of_the_partners_country(app, client, room):
    with app.app_context():
        partner = db.session.get(Cohort, room["cohort"]).partner
        partner.country = "PL"
        db.session.commit()
    login(client, room["fac"])
    assert _default_zone(client, room["cohort"]) == "Europe/Warsaw"


def test_without_a_known_country_a_new_session_is_in_the_zone_last_used(app, client, room):
    with app.app_context():
        partner = db.session.get(Cohort, room["cohort"]).partner
        partner.country = "FR"  # not a programme country: no zone of its own here
        db.session.add(
            new_meeting(
                cohort_id=room["cohort"],
                title="Later one",
                starts_at=utcnow() - timedelta(days=9),
                ends_at=utcnow() - timedelta(days=9) + timedelta(hours=1),
                timezone="Europe/Rome",
                place="Roma",
                checkin_token=new_token(),
                updated_at=utcnow() + timedelta(minutes=1),
            )
        )
        db.session.commit()
    login(client, room["fac"])
    assert _default_zone(client, room["cohort"]) == "Europe/Rome"


def test_a_first_session_without_a_country_is_in_the_sites_zone(app, client, room):
    login(client, room["other_fac"])
    with app.app_context():
        partner = db.session.get(Cohort, room["other_cohort"]).partner
        assert partner.country == ""
        assert not db.session.scalars(
            sa.select(Meeting).where(Meeting.cohort_id == room["other_cohort"])
        ).all()
    assert _default_zone(client, room["other_cohort"]) == app.config["BABEL_DEFAULT_TIMEZONE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Prague"
    assert _default_zone(client, room["other_cohort"]) == "Europe/Prague"


def test_each_country_of_the_programme_has_a_zone_the_form_offers(app):
    from lms.cohorts.forms import PROGRAMME_ZONES

    assert set(COUNTRY_ZONES.values()) <= set(PROGRAMME_ZONES)
    with app.app_context():
        partner = Organisation(name="Hub Zagreb", country="hr", is_partner=True)
        cohort = Cohort(name="x", partner=partner)
        assert default_timezone(cohort) == "Europe/Zagreb"


def test_editing_a_session_keeps_its_own_zone(app, client, room):
    with app.app_context():
        db.session.get(Cohort, room["cohort"]).partner.country = "DE"
        db.session.commit()
    login(client, room["fac"])
    html = client.get(f"/facilitate/sessions/{room['meeting']}/edit").get_data(as_text=True)
    select = html.split('id="timezone"', 1)[1].split("</select>", 1)[0]
    assert re.search(
        r'<option[^>]*selected[^>]*value="Europe/Ljubljana"|value="Europe/Ljubljana"[^>]*selected',
        select,
    )


# --- where a saved session is confirmed -----------------------------------------------------


def test_a_saved_session_is_confirmed_in_the_sessions_section(client, room):
    login(client, room["fac"])
    url = f"/facilitate/sessions/{room['meeting']}/edit"
    data = {
        "title": "Sensor lab, part 2",
        "day": (utcnow() + timedelta(days=3)).date().isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "timezone": "Europe/Ljubljana",
        "place": "Maker space",
    }
    response = post_form(client, url, data, token_from=url)
    location = response.headers["Location"]
    assert location == f"/facilitate/cohorts/{room['cohort']}?saved={room['meeting']}#sessions"
    html = client.get(location.split("#")[0]).get_data(as_text=True)
    sessions = html.split('id="sessions"', 1)[1]
    assert "Session saved." in sessions and "Session saved." not in html.split('id="sessions"')[0]
    assert f'data-meeting="{room["meeting"]}" class="just-saved"' in sessions
    # Anywhere else, and once read, confirmations are at the top as usual.
    again = client.get(location.split("#")[0]).get_data(as_text=True)
    assert "Session saved." not in again
    other = client.get(f"/facilitate/cohorts/{room['cohort']}?saved=999999").get_data(as_text=True)
    assert "just-saved" not in other
