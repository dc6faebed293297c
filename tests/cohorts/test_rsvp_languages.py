"""The RSVP buttons mean what they record, in every language (issue 12, item 9)."""

import datetime as dt
import re

import pytest

from lms.extensions import db, utcnow
from lms.languages import UI_LANGUAGES
from tests.conftest import csrf_token, login
from tests.factories import make_meeting

#: What each recorded answer means, in each language's words (a second reader's check).
MEANINGS = {
    "en": {"yes": "Yes", "maybe": "Maybe", "no": "No"},
    "it": {"yes": "Sì", "maybe": "Forse", "no": "No"},
    "de": {"yes": "Ja", "maybe": "Vielleicht", "no": "Nein"},
    "sl": {"yes": "Da", "maybe": "Morda", "no": "Ne"},
    "hr": {"yes": "Da", "maybe": "Možda", "no": "Ne"},
    "cs": {"yes": "Ano", "maybe": "Možná", "no": "Ne"},
    "sk": {"yes": "Áno", "maybe": "Možno", "no": "Nie"},
    "pl": {"yes": "Tak", "maybe": "Może", "no": "Nie"},
    "hu": {"yes": "Igen", "maybe": "Talán", "no": "Nem"},
}
ANSWERS = {
    "it": {"maybe": "Forse", "no": "No, non posso esserci"},
    "de": {"maybe": "Vielleicht", "no": "Nein, ich kann nicht kommen"},
    "sl": {"maybe": "Morda", "no": "Ne, ne morem priti"},
    "hr": {"maybe": "Možda", "no": "Ne, ne mogu doći"},
    "cs": {"maybe": "Možná", "no": "Ne, nemohu přijít"},
    "sk": {"maybe": "Možno", "no": "Nie, nemôžem prísť"},
    "pl": {"maybe": "Może", "no": "Nie, nie mogę przyjść"},
    "hu": {"maybe": "Talán", "no": "Nem, nem tudok eljönni"},
}
TAKEN = {
    "it": "Posti occupati: 1 su 25",
    "de": "Belegte Plätze: 1 von 25",
    "sl": "Zasedena mesta: 1 od 25",
    "hr": "Zauzeta mjesta: 1 od 25",
    "cs": "Obsazená místa: 1 z 25",
    "sk": "Obsadené miesta: 1 z 25",
    "pl": "Zajęte miejsca: 1 z 25",
    "hu": "25 helyből 1 foglalt",
}


def test_every_offered_language_has_its_meanings_checked_here():
    assert set(MEANINGS) == set(UI_LANGUAGES)
    assert set(ANSWERS) | {"en"} == set(UI_LANGUAGES) and set(TAKEN) | {"en"} == set(UI_LANGUAGES)


@pytest.mark.parametrize("language", list(UI_LANGUAGES))
def test_each_rsvp_button_records_what_it_says(app, make_user, make_cohort, language):
    fac_id, _ = make_user("facilitator")
    learner_id, email = make_user()
    cohort_id = make_cohort([fac_id], [learner_id])
    with app.app_context():
        start = utcnow() + dt.timedelta(days=3)
        meeting = make_meeting(
            cohort_id=cohort_id, title="Kick-off", starts_at=start,
            ends_at=start + dt.timedelta(hours=1), timezone="Europe/Vienna",
            checkin_token="c" * 32, capacity=25,
        )
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
