"""The RSVP buttons mean what they record, in every language (issue 12, item 9)."""

import datetime as dt
import re

import pytest

from lms.cohorts.models import Meeting
from lms.extensions import db, utcnow
from tests.conftest import csrf_token, login

#: What each recorded answer means, in each language's words (a second reader's check).
MEANINGS = {
    "en": {"yes": "Yes", "maybe": "Maybe", "no": "No"},
    "it": {"yes": "Sì", "maybe": "Forse", "no": "No"},
    "de": {"yes": "Ja", "maybe": "Vielleicht", "no": "Nein"},
    "sl": {"yes": "Da", "maybe": "Morda", "no": "Ne"},
}
ANSWERS = {
    "it": {"maybe": "Forse", "no": "No, non posso esserci"},
    "de": {"maybe": "Vielleicht", "no": "Nein, ich kann nicht kommen"},
    "sl": {"maybe": "Morda", "no": "Ne, ne morem priti"},
}
TAKEN = {"it": "1 posto occupato su 25", "de": "1 von 25 Plätzen belegt", "sl": "Zasedeno 1 mesto od 25"}


@pytest.mark.parametrize("language", ["en", "it", "de", "sl"])
def test_each_rsvp_button_records_what_it_says(app, make_user, make_cohort, language):
    fac_id, _ = make_user("facilitator")
    learner_id, email = make_user()
    cohort_id = make_cohort([fac_id], [learner_id])
    with app.app_context():
        start = utcnow() + dt.timedelta(days=3)
        meeting = Meeting(
            cohort_id=cohort_id, title="Kick-off", starts_at=start,
            ends_at=start + dt.timedelta(hours=1), timezone="Europe/Vienna",
            checkin_token="c" * 32, capacity=25,
        )
        db.session.add(meeting)
        db.session.commit()
        meeting_id = meeting.id
    client = app.test_client()
    login(client, email)
    client.post("/language", data={"csrf_token": csrf_token(client, "/"), "language": language})
    html = client.get("/me/sessions").get_data(as_text=True)
    buttons = dict(re.findall(r'name="answer" value="(\w+)"[^>]*>([^<]+)</button>', html))
    assert buttons == MEANINGS[language], buttons
    for value, words in ANSWERS.get(language, {}).items():
        client.post(
            f"/me/sessions/{meeting_id}/rsvp",
            data={"csrf_token": csrf_token(client, "/me/sessions"), "answer": value},
        )
        page = client.get("/me/sessions").get_data(as_text=True)
        assert f"<strong>{words}</strong>" in page, (language, value)
    client.post(
        f"/me/sessions/{meeting_id}/rsvp",
        data={"csrf_token": csrf_token(client, "/me/sessions"), "answer": "yes"},
    )
    if language in TAKEN:
        assert TAKEN[language] in client.get("/me/sessions").get_data(as_text=True)
