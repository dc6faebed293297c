"""Who is coming (issue 13, item 5): yes / maybe / no / no answer, with names, on the cohort
page and the attendance page; the learner page shows the learner's own answers."""

import datetime as dt

import pytest

from lms.cohorts.models import Meeting, Rsvp
from lms.extensions import db, utcnow
from tests.conftest import login, post_form
from tests.factories import new_meeting


@pytest.fixture
def session_with_answers(app, make_user, make_cohort):
    fac_id, fac_email = make_user("facilitator")
    people = {name: make_user(name=name)[0] for name in ("Ana Yes", "Bo Maybe", "Cy No", "Di Silent", "Ed Yes")}
    cohort_id = make_cohort([fac_id], list(people.values()))
    with app.app_context():
        start = utcnow() + dt.timedelta(days=4)
        meeting = new_meeting(cohort_id=cohort_id, title="Factory visit", starts_at=start,
                          ends_at=start + dt.timedelta(hours=2), timezone="Europe/Vienna",
                          place="Graz", checkin_token="w" * 32)
        db.session.add(meeting)
        db.session.flush()
        for name, answer in (("Ana Yes", "yes"), ("Bo Maybe", "maybe"), ("Cy No", "no"), ("Ed Yes", "yes")):
            db.session.add(Rsvp(meeting_id=meeting.id, user_id=people[name], answer=answer))
        db.session.commit()
        return {"cohort": cohort_id, "meeting": meeting.id, "fac": fac_email, "people": people}


def _summary(html: str, marker: str) -> str:
    start = html.index(f'<details class="coming" id="{marker}"')
    return html[start : html.index("</details>", start)]


def test_the_cohort_page_counts_and_names_the_answers(client, session_with_answers):
    s = session_with_answers
    login(client, s["fac"])
    html = client.get(f"/facilitate/cohorts/{s['cohort']}").get_data(as_text=True)
    summary = _summary(html, f"coming-{s['meeting']}")
    assert "2 yes · 1 maybe · 1 no · 1 no answer" in " ".join(summary.split())
    assert "<dt>Yes</dt><dd>Ana Yes, Ed Yes</dd>" in summary
    assert "<dt>No answer</dt><dd>Di Silent</dd>" in summary


def test_the_attendance_page_says_who_said_what(client, session_with_answers):
    s = session_with_answers
    login(client, s["fac"])
    html = client.get(f"/facilitate/sessions/{s['meeting']}/attendance").get_data(as_text=True)
    summary = _summary(html, "coming")
    assert "<dt>Maybe</dt><dd>Bo Maybe</dd>" in summary and "<dt>No</dt><dd>Cy No</dd>" in summary


def test_the_learner_page_shows_their_answers(client, session_with_answers):
    s = session_with_answers
    login(client, s["fac"])
    for name, word in (("Bo Maybe", "Maybe"), ("Di Silent", "No answer")):
        html = client.get(f"/facilitate/cohorts/{s['cohort']}/learners/{s['people'][name]}").get_data(as_text=True)
        answers = html[html.index('id="learner-answers"') :].split("</ul>")[0]
        assert "Factory visit" in answers and f"): {word}</li>" in answers, answers


def test_past_sessions_offer_no_cancel(app, client, session_with_answers):
    s = session_with_answers
    with app.app_context():
        meeting = db.session.get(Meeting, s["meeting"])
        meeting.starts_at = utcnow() - dt.timedelta(days=2, hours=2)
        meeting.ends_at = utcnow() - dt.timedelta(days=2)
        db.session.commit()
    login(client, s["fac"])
    html = client.get(f"/facilitate/cohorts/{s['cohort']}").get_data(as_text=True)
    assert f"/facilitate/sessions/{s['meeting']}/cancel" not in html
    response = post_form(client, f"/facilitate/sessions/{s['meeting']}/cancel", {},
                         token_from=f"/facilitate/cohorts/{s['cohort']}")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, s["meeting"]).cancelled_at is None
