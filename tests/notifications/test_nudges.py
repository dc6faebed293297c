"""Nudges from the cohort matrix and cohort announcements (issue 16)."""

import re

import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from lms.notifications.cohort_models import Announcement, Nudge
from lms.notifications.models import Notification, OutboxMessage
from tests.conftest import csrf_token, login, logout


def _nudge_url(cohort_id):
    return f"/facilitate/cohorts/{cohort_id}/nudge"


def _post(client, cohort_id, data, query=""):
    url = _nudge_url(cohort_id) + query
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def _ids(app, *names):
    with app.app_context():
        return [db.session.scalar(sa.select(User.id).where(User.name == n)) for n in names]


def test_the_matrix_links_to_the_nudge_page_with_its_filters(client, alma_and_boris):
    html = client.get(f"/facilitate/cohorts/{alma_and_boris}?show=at_risk").get_data(as_text=True)
    assert f"/facilitate/cohorts/{alma_and_boris}/nudge?" in html and "show=at_risk" in html
    assert f"/facilitate/cohorts/{alma_and_boris}/announce" in html


def test_everyone_the_filter_shows_is_chosen(app, client, alma_and_boris):
    html = client.get(_nudge_url(alma_and_boris) + "?q=boris").get_data(as_text=True)
    alma, boris = _ids(app, "Alma Active", "Boris Behind")
    assert f'value="{boris}" checked' in html
    assert f'value="{alma}"' not in html


def test_preview_fills_the_placeholders_per_learner_then_sends_once(app, client, alma_and_boris):
    alma, boris = _ids(app, "Alma Active", "Boris Behind")
    with app.app_context():
        db.session.get(User, boris).locale = "it"
        db.session.commit()
    own = {
        "template": "own",
        "subject": "Hello {name}",
        "body": "{name}, you are at {progress} in {cohort}; next: {next_module}. {unknown}",
        "learner": [str(alma), str(boris)],
    }
    preview = _post(client, alma_and_boris, {**own, "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Hello Alma Active" in html and "Hello Boris Behind" in html
    assert "Alma Active, you are at 50% in Test cohort; next: Second steps. {unknown}" in html
    assert "Send to 2 learners" in html
    assert db_count(app, Nudge) == 0  # a preview sends nothing
    batch = re.search(r'name="batch"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="batch"', html
    )
    send = {**own, "action": "send", "batch": batch.group(1)}
    response = _post(client, alma_and_boris, send)
    assert response.status_code == 302
    again = _post(client, alma_and_boris, send)  # the same form twice
    assert again.status_code == 302
    with app.app_context():
        nudges = db.session.scalars(sa.select(Nudge).order_by(Nudge.user_id)).all()
        assert [n.user_id for n in nudges] == sorted([alma, boris])
        mails = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "cohort.nudge")
        ).all()
        assert len(mails) == 2
        boris_mail = next(m for m in mails if m.user_id == boris)
        assert boris_mail.subject == "Hello Boris Behind" and boris_mail.locale == "it"
        # Boris's progress written the Italian way.
        assert "you are at 0%" in boris_mail.text_body or "0 %" in boris_mail.text_body
    # The learner's page records what was sent when.
    page = client.get(f"/facilitate/cohorts/{alma_and_boris}/learners/{boris}")
    assert "Hello Boris Behind" in page.get_data(as_text=True)


def test_a_stock_template_is_written_in_each_learners_language(app, client, alma_and_boris):
    alma, boris = _ids(app, "Alma Active", "Boris Behind")
    response = _post(
        client,
        alma_and_boris,
        {"template": "next_module", "learner": [str(boris)], "action": "preview"},
    )
    html = response.get_data(as_text=True)
    assert "Your next module: First steps" in html
    assert "You have completed 0% of Test cohort." in html


def test_the_learner_sees_the_nudge_in_their_list(app, client, alma_and_boris):
    alma, boris = _ids(app, "Alma Active", "Boris Behind")
    data = {"template": "miss_you", "learner": [str(boris)], "action": "send", "batch": "b1"}
    assert _post(client, alma_and_boris, data).status_code == 302
    with app.app_context():
        (entry,) = db.session.scalars(
            sa.select(Notification).where(Notification.user_id == boris)
        ).all()
        assert entry.kind == "cohort.nudge" and entry.title == "We miss you in Test cohort"


def test_own_words_need_a_subject_and_a_message_and_someone_to_send_to(client, alma_and_boris):
    response = _post(
        client, alma_and_boris, {"template": "own", "subject": "", "body": "", "action": "preview"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please write a subject." in html and "Please write a message." in html
    response = _post(client, alma_and_boris, {"template": "miss_you", "action": "preview"})
    assert response.status_code == 422
    assert "Choose at least one learner." in response.get_data(as_text=True)


def test_a_facilitator_nudges_only_their_own_cohorts_learners(
    app, client, alma_and_boris, make_user, make_cohort
):
    stranger, stranger_email = make_user("learner")
    other_fac, other_email = make_user("facilitator")
    other_cohort = make_cohort([other_fac], [stranger], name="Other cohort")
    # Not their cohort: 404, on the page and on the send.
    assert client.get(_nudge_url(other_cohort)).status_code == 404
    data = {"template": "miss_you", "learner": [str(stranger)], "action": "send", "batch": "x"}
    url = _nudge_url(other_cohort)
    token = csrf_token(client, _nudge_url(alma_and_boris))
    assert client.post(url, data={**data, "csrf_token": token}).status_code == 404
    # Their cohort, but a learner of another: 404 too, nothing recorded.
    assert _post(client, alma_and_boris, data).status_code == 404
    assert db_count(app, Nudge) == 0
    # A learner may not nudge at all.
    logout(client)
    login(client, stranger_email)
    assert client.get(_nudge_url(other_cohort)).status_code in (403, 404)


def test_without_the_csrf_token_nothing_is_sent(app, client, alma_and_boris):
    alma, _ = _ids(app, "Alma Active", "Boris Behind")
    response = client.post(
        _nudge_url(alma_and_boris),
        data={"template": "miss_you", "learner": [str(alma)], "action": "send", "batch": "z"},
    )
    assert response.status_code in (400, 422)
    assert db_count(app, Nudge) == 0


def test_an_announcement_is_previewed_then_sent_to_every_member(app, client, alma_and_boris):
    url = f"/facilitate/cohorts/{alma_and_boris}/announce"
    form = {"subject": "Room change", "body": "We meet in room 4 from now on."}
    preview = client.post(
        url, data={**form, "action": "preview", "csrf_token": csrf_token(client, url)}
    )
    html = preview.get_data(as_text=True)
    assert "Send to 2 learners" in html and "We meet in room 4" in html
    assert db_count(app, Announcement) == 0
    sent = client.post(url, data={**form, "action": "send", "csrf_token": csrf_token(client, url)})
    assert sent.status_code == 302
    with app.app_context():
        (announcement,) = db.session.scalars(sa.select(Announcement)).all()
        assert announcement.recipients == 2
        mails = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "cohort.announcement")
        ).all()
        assert len(mails) == 2 and all(m.subject == "Room change" for m in mails)
        assert all(m.dedupe_key.endswith(f"announcement:{announcement.id}") for m in mails)
    empty = client.post(
        url, data={"subject": "", "body": "", "csrf_token": csrf_token(client, url)}
    )
    assert empty.status_code == 422 and "Please write a subject." in empty.get_data(as_text=True)


def test_only_the_cohorts_facilitators_may_announce(client, alma_and_boris, make_user, make_cohort):
    other_fac, _ = make_user("facilitator")
    other = make_cohort([other_fac], [])
    assert client.get(f"/facilitate/cohorts/{other}/announce").status_code == 404


def db_count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))
