"""Your data: a download of everything the platform holds about you, as JSON or CSV files."""

import csv
import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.privacy import registry as privacy
from lms.privacy.sections import learning
from tests.conftest import login, logout, post_form
from tests.privacy.everything import REFLECTION, fill_every_table


def download(client, fmt: str, url: str = "/account/data"):
    return post_form(client, url, {"format": fmt}, token_from=url)


@pytest.fixture
def filled(app, client, make_user, make_cohort):
    return fill_every_table(app, client, make_user, make_cohort)


def test_every_table_that_points_at_a_person_is_in_the_export_and_the_deletion_rules():
    """Fails when a table or column referring to users is added without export and deletion."""
    pointing = {("users", "id")}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.name == "user_id" or any(
                fk.column.table.name == "users" for fk in column.foreign_keys
            ):
                pointing.add((table.name, column.name))
    assert pointing == set(privacy.EXPORTED), "add it to a source in lms/privacy/registry.py"
    assert pointing == set(privacy.ON_DELETE), "add it to a source in lms/privacy/registry.py"


def test_the_json_download_holds_all_of_a_learners_data(app, client, filled):
    login(client, filled.learner_email)
    response = download(client, "json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data())
    assert data["profile"]["email"] == "alma@example.org"
    assert data["profile"]["name"] == "Alma Active"
    assert "password" not in json.dumps(data["profile"])
    # Every section named in EXPORTED is there and, for Alma, holds something (bar the two
    # a learner has no part in: the cohorts she facilitates and attendance she recorded).
    for section in set(privacy.EXPORTED.values()) - {"profile"}:
        assert section in data, section
    empty = {s for s in privacy.EXPORTED.values() if s != "profile" and not data[s]}
    assert empty == {
        "cohorts_facilitated",
        "attendance_recorded",
        # programme sections (tests/programme/test_privacy.py fills them)
        "partner_organisations",
        "event_registrations",
        "events_created",
        # collider sections (tests/collider/test_privacy.py fills them)
        "collider_profile",
        "collider_posts",
        "collider_interests",
        "collider_meetings",
        "collider_feedback",
        "collider_cooperations",
        # notification sections (tests/notifications fill them; Alma has messages about
        # her sessions and certificate)
        "notification_preferences",
        "nudges_received",
        "messages_to_cohorts",
    }
    # Quiz answers are readable: the choice's text, the reflection's words, the score.
    first, second = data["quiz_attempts"]
    assert first["passed"] is False and second["passed"] is True and second["percent"] == 100
    given = {a["type"]: a["your_answer"] for a in first["answers"]}
    assert given == {"single": "Milling", "reflection": REFLECTION}
    assert data["reflections"][0]["your_answer"] == REFLECTION
    assert data["reflections"][0]["module"] == "First steps"
    assert [c["module"] for c in data["completions"]] == ["First steps", "Second steps"]
    assert data["cohort_memberships"][0]["cohort"] == "Test cohort"
    assert {r["answer"] for r in data["session_rsvps"]} == {"yes", "maybe"}
    assert data["attendance"][0]["status"] == "present"
    assert data["certificates"][0]["code"] == filled.certificate_code
    # The calendar address exists, but its secret is not in the file.
    from lms.cohorts.models import FeedToken

    with app.app_context():
        token = db.session.scalar(sa.select(FeedToken.token))
    assert data["calendar_feed"][0]["private_calendar_address"] == "exists"
    assert token not in response.get_data(as_text=True)
    # The fixture's events and the real sign-in above (now recorded by the accounts feature).
    events = [e["event"] for e in data["security_events"]]
    assert "login.failure" in events and events.count("login.success") >= 2
    # The download itself is recorded, and shows in the next one.
    again = json.loads(download(client, "json").get_data())
    assert [e["event"] for e in again["security_events"]][-1] == "data.exported"


def test_a_facilitators_download_holds_the_cohorts_they_run(client, filled):
    login(client, filled.facilitator_email)
    data = json.loads(download(client, "json").get_data())
    assert data["cohorts_facilitated"] == [{"cohort": "Test cohort", "partner": "Partner"}]
    assert data["attendance_recorded"][0]["learners_recorded"] == 2
    assert "Alma" not in json.dumps(data)


def test_the_csv_download_is_a_zip_of_one_spreadsheet_per_kind(client, filled):
    login(client, filled.learner_email)
    response = download(client, "csv")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = set(archive.namelist())
    assert {"README.txt", "profile.csv", "quiz_answers.csv", "reflections.csv"} <= names
    for section in set(privacy.EXPORTED.values()):
        assert f"{section}.csv" in names, section
    for name in names - {"README.txt"}:
        raw = archive.read(name)
        assert raw.startswith("\ufeff".encode()), name  # UTF-8 with a BOM
    rows = list(csv.DictReader(io.StringIO(archive.read("quiz_answers.csv").decode("utf-8-sig"))))
    assert {r["your_answer"] for r in rows} >= {"Milling", "Printing", REFLECTION}
    profile = dict(csv.reader(io.StringIO(archive.read("profile.csv").decode("utf-8-sig"))))
    assert profile["email"] == "alma@example.org"


def test_csv_cells_that_look_like_formulas_are_neutralised(app, client, make_user):
    _, email = make_user(name='=HYPERLINK("http://evil.example")')
    login(client, email)
    archive = zipfile.ZipFile(io.BytesIO(download(client, "csv").get_data()))
    text = archive.read("profile.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_a_download_is_recorded_in_the_audit_log(app, learner_client):
    from lms.audit.models import AuditEvent

    download(learner_client, "json")
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.kind == "data.exported"))
    assert event.actor_id == learner_client.user_id
    assert event.target == f"user:{learner_client.user_id}"
    assert event.details == {"format": "json"}


def test_the_your_data_page_offers_both_downloads_and_needs_sign_in(client, make_user):
    assert client.get("/account/data").status_code == 302
    _, email = make_user()
    login(client, email)
    html = client.get("/account/data").get_data(as_text=True)
    assert "Download as JSON" in html and "Download as CSV files (zip)" in html
    assert 'value="json"' in html and 'value="csv"' in html


def test_an_unknown_format_or_a_missing_token_downloads_nothing(client, learner_client):
    refused = download(learner_client, "xml")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'value="json"' in html and 'value="csv"' in html and 'value="xml"' not in html
    response = learner_client.post("/account/data", data={"format": "json"})
    assert response.status_code == 400
    assert "attachment" not in response.headers.get("Content-Disposition", "")


def test_the_readable_answer_of_every_question_type():
    choices = [{"text": "Printing"}, {"text": "Milling"}, {"text": "Casting"}]
    pairs = [["PLA", "plastic"], ["Steel", "metal"]]
    assert learning.readable_answer({"type": "single", "choices": choices}, {"choice": 1}) == (
        "Milling"
    )
    multiple = learning.readable_answer(
        {"type": "multiple", "choices": choices}, {"choices": [0, 2]}
    )
    assert multiple == "Printing; Casting"
    assert learning.readable_answer({"type": "truefalse"}, {"answer": False}) == "false"
    assert learning.readable_answer({"type": "short"}, {"text": "additive"}) == "additive"
    assert learning.readable_answer({"type": "numeric"}, {"text": "12 mm", "value": 12}) == "12 mm"
    matching = learning.readable_answer(
        {"type": "matching", "pairs": pairs}, {"matches": [1, None]}
    )
    assert matching == "PLA → metal; Steel → —"
    assert learning.readable_answer({"type": "single"}, None) == ""


def test_admins_download_a_learners_data_on_request(client, filled):
    url = f"/admin/users/{filled.learner_id}/export"
    login(client, filled.admin_email)
    page = client.get(url)
    assert page.status_code == 200 and "alma@example.org" in page.get_data(as_text=True)
    response = download(client, "json", url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert json.loads(response.get_data())["profile"]["email"] == "alma@example.org"


def test_only_admins_may_download_someone_elses_data(client, filled):
    url = f"/admin/users/{filled.learner_id}/export"
    assert client.get(url).status_code == 302  # sign in first
    for email in (filled.facilitator_email, "alma@example.org"):
        login(client, email)
        assert client.get(url).status_code == 403
        assert download(client, "json", "/account/data").status_code == 200
        assert client.post(url, data={"format": "json"}).status_code in (400, 403)
        logout(client)
    login(client, filled.admin_email)
    assert client.get("/admin/users/999999/export").status_code == 404
