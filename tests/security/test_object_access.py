"""Object-level checks: an id in a URL or a form never reaches someone else's object.

Two cohorts, A and B, each with a facilitator, a learner and a session under way. Each test
tries an object of the other side and checks both the answer and that nothing changed.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.cohorts.models import Attendance, Cohort, CohortFacilitator, Meeting, Membership, Rsvp
from lms.extensions import db, utcnow
from lms.quizzes.models import Attempt
from tests.conftest import FAILING, csrf_token, login, logout, open_attempt
from tests.factories import make_meeting


@pytest.fixture
def sides(app, client, make_user, make_cohort):
    people = {}
    for key in ("a", "b"):
        people[f"fac_{key}"] = make_user("facilitator", email=f"fac-{key}@example.org")
        people[f"learner_{key}"] = make_user("learner", email=f"learner-{key}@example.org")
    cohorts = {
        key: make_cohort([people[f"fac_{key}"][0]], [people[f"learner_{key}"][0]], name=key)
        for key in ("a", "b")
    }
    meetings = {}
    with app.app_context():
        for key, cohort_id in cohorts.items():
            meeting = make_meeting(
                cohort_id=cohort_id,
                title=f"Session {key}",
                starts_at=utcnow() - timedelta(minutes=5),
                ends_at=utcnow() + timedelta(hours=2),
                checkin_token=f"checkin-{key}",
            )
            db.session.commit()
            meetings[key] = meeting.id
    login(client, people["learner_a"][1])
    attempt_a = open_attempt(client)
    logout(client)
    return {"people": people, "cohorts": cohorts, "meetings": meetings, "attempt_a": attempt_a}


def _as(client, sides, who: str):
    login(client, sides["people"][who][1])
    return csrf_token(client, "/me/learning")


def _count(app, model, **where) -> int:
    with app.app_context():
        query = sa.select(sa.func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def test_a_learner_cannot_rsvp_to_a_session_of_a_cohort_they_are_not_in(app, client, sides):
    token = _as(client, sides, "learner_b")
    url = f"/me/sessions/{sides['meetings']['a']}/rsvp"
    response = client.post(url, data={"csrf_token": token, "answer": "yes"})
    assert response.status_code == 404
    assert _count(app, Rsvp) == 0
    own = f"/me/sessions/{sides['meetings']['b']}/rsvp"
    assert client.post(own, data={"csrf_token": token, "answer": "yes"}).status_code == 302
    assert _count(app, Rsvp) == 1


def test_a_learner_cannot_check_in_to_another_cohorts_session(app, client, sides):
    token = _as(client, sides, "learner_b")
    response = client.post("/checkin/checkin-a", data={"csrf_token": token})
    assert response.status_code == 403
    assert _count(app, Attendance) == 0
    assert client.post("/checkin/checkin-b", data={"csrf_token": token}).status_code == 200
    assert _count(app, Attendance, user_id=sides["people"]["learner_b"][0]) == 1


def test_a_learner_can_neither_see_nor_submit_another_learners_attempt(app, client, sides):
    token = _as(client, sides, "learner_b")
    attempt = sides["attempt_a"]
    assert client.get(f"/attempts/{attempt}").status_code == 404
    response = client.post(f"/attempts/{attempt}", data={"csrf_token": token, **FAILING})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Attempt, attempt).submitted_at is None


def test_a_facilitator_cannot_change_another_facilitators_cohort(app, client, sides):
    with app.app_context():
        before = db.session.get(Cohort, sides["cohorts"]["a"])
        codes = (before.join_code, before.calendar_token, before.name)
    token = _as(client, sides, "fac_b")
    cohort, meeting = sides["cohorts"]["a"], sides["meetings"]["a"]
    learner_a = sides["people"]["learner_a"][0]
    posts = {
        f"/facilitate/cohorts/{cohort}/edit": {"name": "Taken", "partner_id": "1"},
        f"/facilitate/cohorts/{cohort}/targets": {},
        f"/facilitate/cohorts/{cohort}/join-code": {},
        f"/facilitate/cohorts/{cohort}/calendar": {},
        f"/facilitate/cohorts/{cohort}/import": {"csv_text": "X,x@example.org", "action": "import"},
        f"/facilitate/cohorts/{cohort}/sessions/new": {"title": "Mine"},
        f"/facilitate/cohorts/{cohort}/learners/{learner_a}/remove": {},
        f"/facilitate/sessions/{meeting}/edit": {"title": "Mine"},
        f"/facilitate/sessions/{meeting}/cancel": {},
        f"/facilitate/sessions/{meeting}/attendance": {"action": "all_present"},
    }
    for url, data in posts.items():
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 404, url
    with app.app_context():
        after = db.session.get(Cohort, cohort)
        assert (after.join_code, after.calendar_token, after.name) == codes
        assert db.session.get(Meeting, meeting).cancelled_at is None
    assert _count(app, Attendance) == 0
    assert _count(app, Membership, cohort_id=cohort) == 1
    assert _count(app, Meeting, cohort_id=cohort) == 1


def test_attendance_ignores_learners_from_outside_the_sessions_cohort(app, client, sides):
    token = _as(client, sides, "fac_a")
    learner_b = sides["people"]["learner_b"][0]
    url = f"/facilitate/sessions/{sides['meetings']['a']}/attendance"
    response = client.post(url, data={"csrf_token": token, f"status-{learner_b}": "present"})
    assert response.status_code == 302
    assert _count(app, Attendance, user_id=learner_b) == 0


def test_a_facilitator_cannot_reach_another_cohorts_learner_through_their_own(client, sides):
    _as(client, sides, "fac_a")
    learner_b = sides["people"]["learner_b"][0]
    base = f"/facilitate/cohorts/{sides['cohorts']['a']}/learners/{learner_b}"
    assert client.get(base).status_code == 404
    assert client.get(base + "/remove").status_code == 404


def _partner_of(app, cohort_id):
    from lms.cohorts.models import Cohort

    with app.app_context():
        return db.session.get(Cohort, cohort_id).partner_id


def test_only_admins_choose_who_facilitates_a_cohort(app, client, sides):
    token = _as(client, sides, "fac_a")
    cohort = sides["cohorts"]["a"]
    fac_b = sides["people"]["fac_b"][0]
    form = client.get(f"/facilitate/cohorts/{cohort}/edit").get_data(as_text=True)
    assert 'name="facilitators"' not in form
    data = {
        "csrf_token": token,
        "name": "A",
        "partner_id": str(_partner_of(app, cohort)),
        "language": "en",
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "facilitators": [str(fac_b)],
        "join_open": "y",
    }
    response = client.post(f"/facilitate/cohorts/{cohort}/edit", data=data)
    assert response.status_code == 302  # saved, but without the facilitator change
    assert _count(app, CohortFacilitator, cohort_id=cohort, user_id=fac_b) == 0
