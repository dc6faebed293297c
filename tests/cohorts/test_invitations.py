"""No dead end for invitations (issue 13, item 6): a set-password link that no longer works
says why and what to do; facilitators send a new link from the learner's page; an import's
links can be copied or downloaded, with the file's line numbers."""

import csv
import html as html_lib
import io
import re
import time

import pytest
import sqlalchemy as sa

from lms.accounts import links as mail_links
from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.cohorts import classlist
from lms.cohorts.models import Cohort
from lms.cohorts.operations import add_member
from lms.extensions import db
from tests.conftest import login, logout, post_form

LINK = re.compile(r'value="[^"]*(/set-password/[^"]+)"')


@pytest.fixture
def world(app, make_user, make_cohort):
    """A cohort with its facilitator, an invited learner who never signed in, and a learner
    with a password; another cohort with its own facilitator."""
    fac_id, fac = make_user("facilitator")
    other_fac_id, other_fac = make_user("facilitator")
    alma_id, alma = make_user("learner", name="Alma Active")
    cohort_id = make_cohort([fac_id], [alma_id])
    other_cohort_id = make_cohort([other_fac_id], name="Other cohort")
    with app.test_request_context():
        nina = accounts.create_invited_user("nina@example.org", "Nina New")
        add_member(db.session.get(Cohort, cohort_id), nina)
        db.session.commit()
        nina_id = nina.id
    return {
        "fac": fac,
        "other_fac": other_fac,
        "alma": alma,
        "alma_id": alma_id,
        "nina_id": nina_id,
        "cohort": cohort_id,
        "other_cohort": other_cohort_id,
    }


def token_for(app, user_id: int) -> str:
    with app.test_request_context():
        return mail_links.set_password_token(db.session.get(User, user_id))


def page_text(response) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def learner_url(world, user_id=None) -> str:
    return f"/facilitate/cohorts/{world['cohort']}/learners/{user_id or world['nina_id']}"


def send_new_link(client, world, user_id=None):
    url = learner_url(world, user_id)
    return post_form(client, url + "/sign-in-link", token_from=url)


# --- a link that no longer works ----------------------------------------------------------


def test_a_used_link_says_it_was_used_and_offers_sign_in_and_a_new_link(app, client, world):
    path = f"/set-password/{token_for(app, world['nina_id'])}"
    assert (
        post_form(client, path, {"password": "nina's own words"}, token_from=path).status_code
        == 302
    )
    logout(client)
    response = client.get(path)
    assert response.status_code == 410
    text = page_text(response)
    assert "This link no longer works" in text
    assert "This link was already used" in text
    assert "Already chose a password?" in text and 'href="/login"' in text
    assert "Ask your facilitator for a new link" in text
    # Without mail, a reset would be another dead end: it is not offered.
    assert "/password/forgot" not in text


def test_with_mail_a_dead_link_also_offers_a_password_reset(app, client, world, mailbox):
    response = client.get(f"/set-password/{token_for(app, world['nina_id'])}x")
    assert response.status_code == 404
    text = page_text(response)
    assert "not complete or not valid" in text
    assert 'href="/password/forgot"' in text and "Request a new password" in text


def test_an_expired_link_says_so(app, client, world, monkeypatch):
    from itsdangerous.timed import TimestampSigner

    fifteen_days_ago = int(time.time()) - 15 * 24 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: fifteen_days_ago)
    token = token_for(app, world["nina_id"])
    monkeypatch.undo()
    response = client.get(f"/set-password/{token}")
    assert response.status_code == 410
    text = page_text(response)
    assert "work for 14 days, and this one is older" in text
    assert "Ask your facilitator for a new link" in text
    # Posting to it changes nothing either.
    assert (
        post_form(client, f"/set-password/{token}", {"password": "too late now"}).status_code == 410
    )


def test_a_cut_link_is_a_404_with_the_same_advice(client):
    response = client.get("/set-password/not-a-token")
    assert response.status_code == 404
    assert "Ask your facilitator for a new link" in page_text(response)


# --- a new link from the learner's page ---------------------------------------------------


def test_the_learner_page_offers_a_new_link_to_a_learner_who_never_signed_in(client, world):
    login(client, world["fac"])
    text = page_text(client.get(learner_url(world)))
    assert "Nina New has not signed in yet" in text
    assert "Send a new sign-in link" in text
    assert "Email is not set up on this site" in text
    assert f'action="{learner_url(world)}/sign-in-link"' in text


def test_a_new_link_is_shown_to_copy_and_retires_the_older_ones(app, client, world):
    old = f"/set-password/{token_for(app, world['nina_id'])}"
    login(client, world["fac"])
    response = send_new_link(client, world)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = page_text(response)
    assert "A new sign-in link for Nina New" in text
    assert "Email is not set up on this site" in text
    assert "Earlier links sent to Nina New no longer work." in text
    # Without JavaScript: a read-only field to select; the Copy button is lms.js's.
    assert re.search(
        r'<input type="text" id="sign-in-link" class="copy-input" value="[^"]+" readonly', text
    )
    assert re.search(r'<button type="button"[^>]*data-copy="sign-in-link"[^>]*hidden>Copy', text)
    new = LINK.search(response.get_data(as_text=True)).group(1)
    logout(client)
    replaced = client.get(old)
    assert replaced.status_code == 410
    assert "A newer link was made for you" in page_text(replaced)
    assert client.get(new).status_code == 200
    assert (
        post_form(client, new, {"password": "nina's own words"}, token_from=new).status_code == 302
    )
    with app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.kind == "user.sign_in_link")
        )
        assert event.target == f"user:{world['nina_id']}"
        assert event.details == {
            "cohort": world["cohort"],
            "emailed": False,
            "earlier_links_retired": True,
        }


def test_with_mail_the_new_link_is_emailed_and_the_page_says_so(app, client, world, mailbox):
    login(client, world["fac"])
    response = send_new_link(client, world)
    text = page_text(response)
    assert "It is on its way by email to nina@example.org" in text
    link = LINK.search(response.get_data(as_text=True)).group(1)
    ((to, subject, body),) = mailbox
    assert to == "nina@example.org" and "sign-in link" in subject
    assert link in body


def test_a_learner_with_a_password_gets_a_link_that_lets_them_choose_a_new_one(app, client, world):
    learner = app.test_client()
    login(learner, world["alma"])
    older = f"/set-password/{token_for(app, world['alma_id'])}"
    login(client, world["fac"])
    assert "Alma Active has signed in before" in page_text(
        client.get(learner_url(world, world["alma_id"]))
    )
    response = send_new_link(client, world, world["alma_id"])
    text = page_text(response)
    assert "has signed in before: the link lets them choose a new password" in text
    assert "Earlier links" not in text
    # Neither signed out nor locked out: the learner's session and older link still work.
    assert learner.get("/me/learning").status_code == 200
    assert app.test_client().get(older).status_code == 200


def test_only_the_cohorts_facilitators_and_admins_send_links(app, client, world, make_user):
    url = learner_url(world) + "/sign-in-link"
    assert client.post(url).status_code in (302, 400)  # anonymous: sign in (or CSRF first)
    login(client, world["other_fac"])
    assert post_form(client, url, token_from="/facilitate").status_code == 404
    # Not even for their own cohort's id with another cohort's learner.
    other = f"/facilitate/cohorts/{world['other_cohort']}/learners/{world['nina_id']}/sign-in-link"
    assert post_form(client, other, token_from="/facilitate").status_code == 404
    logout(client)
    login(client, world["alma"])
    assert post_form(client, url, token_from="/me/learning").status_code == 403
    logout(client)
    _, admin = make_user("admin")
    login(client, admin)
    assert post_form(client, url, token_from="/facilitate").status_code == 200
    with app.app_context():
        kinds = db.session.scalars(
            sa.select(AuditEvent.actor_id).where(AuditEvent.kind == "user.sign_in_link")
        )
        assert len(list(kinds)) == 1


def test_no_link_for_a_staff_account_in_the_cohort(app, client, world, make_user):
    staff_id, _ = make_user("facilitator")
    with app.app_context():
        add_member(db.session.get(Cohort, world["cohort"]), db.session.get(User, staff_id))
        db.session.commit()
    login(client, world["fac"])
    assert "Send a new sign-in link" not in page_text(client.get(learner_url(world, staff_id)))
    response = send_new_link(client, world, staff_id)
    assert response.status_code == 403
    assert "/set-password/" not in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_sends_no_link(client, world):
    login(client, world["fac"])
    response = client.post(learner_url(world) + "/sign-in-link", data={})
    assert response.status_code == 400
    assert "/set-password/" not in response.get_data(as_text=True)


# --- the import's links -------------------------------------------------------------------

LISTING = (
    "name;email\n"  # line 1: the header
    "Nina Two;nina2@example.org\n"  # 2: created
    "\n"  # 3: blank, skipped without a row
    "Alma Active;{alma}\n"  # 4: already in the cohort
    "No Mail;not-an-email\n"  # 5: rejected
    "=Formula Fan;formula@example.org\n"  # 6: created, a name that looks like a formula
    "Nina Again;NINA2@example.org\n"  # 7: rejected: the address of line 2
)


def import_through_preview(client, world):
    """Preview, then Import with what the preview carried, as the browser does."""
    login(client, world["fac"])
    url = f"/facilitate/cohorts/{world['cohort']}/import"
    listing = LISTING.format(alma=world["alma"])
    preview = post_form(client, url, {"csv_text": listing, "action": "preview"}, token_from=url)
    carried = html_lib.unescape(
        re.search(
            r'name="carried" type="hidden" value="([^"]*)"', preview.get_data(as_text=True)
        ).group(1)
    )
    return post_form(client, url, {"carried": carried, "action": "import"}, token_from=url)


def rows_of(response) -> dict[int, tuple[str, str]]:
    """Line number -> (outcome, the row's text) on the import's result page."""
    found = re.findall(
        r'<tr data-outcome="(\w+)" data-line="(\d+)">(.*?)</tr>',
        response.get_data(as_text=True),
        re.S,
    )
    return {int(line): (outcome, html_lib.unescape(text)) for outcome, line, text in found}


def test_the_import_report_keeps_the_files_line_numbers_for_every_row(client, world):
    response = import_through_preview(client, world)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    rows = rows_of(response)
    assert sorted(rows) == [2, 4, 5, 6, 7]
    assert rows[2][0] == "create" and "/set-password/" in rows[2][1]
    assert rows[4][0] == "member" and "Already in the cohort" in rows[4][1]
    assert rows[5][0] == "reject" and "This is not a valid email address." in rows[5][1]
    assert rows[7][0] == "reject" and "already on line 2" in rows[7][1]
    assert rows[6][0] == "create"
    # Each link in a read-only field with a Copy button named after its learner.
    assert 'id="link-2" class="copy-input"' in rows[2][1] and "readonly" in rows[2][1]
    assert (
        'Copy<span class="visually-hidden"> Set-password link for Nina Two (line 2)' in rows[2][1]
    )
    assert "Download links (CSV)" in response.get_data(as_text=True)


def test_posting_the_class_list_itself_still_reports_its_lines(client, world):
    login(client, world["fac"])
    url = f"/facilitate/cohorts/{world['cohort']}/import"
    listing = LISTING.format(alma=world["alma"])
    response = post_form(client, url, {"csv_text": listing, "action": "import"}, token_from=url)
    assert sorted(rows_of(response)) == [2, 4, 5, 6, 7]


def download(client, world, response):
    result = re.search(
        r'name="result" type="hidden" value="([^"]+)"', response.get_data(as_text=True)
    )
    url = f"/facilitate/cohorts/{world['cohort']}/import/links.csv"
    return post_form(client, url, {"result": result.group(1)}, token_from="/facilitate")


def test_the_links_download_as_csv_by_line_made_afresh_and_formula_safe(app, client, world):
    done = import_through_preview(client, world)
    shown = {
        line: LINK.search(text).group(1)
        for line, (_o, text) in rows_of(done).items()
        if LINK.search(text)
    }
    response = download(client, world, done)
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Line", "Name", "Email", "Set-password link", "Note"]
    assert [r[:3] for r in rows[1:]] == [
        ["2", "Nina Two", "nina2@example.org"],
        ["6", "'=Formula Fan", "formula@example.org"],
    ]
    assert all("/set-password/" in r[3] for r in rows[1:])
    # The page's links and the file's both work (making one retires none).
    logout(client)
    assert client.get(shown[2]).status_code == 200
    path = rows[1][3][rows[1][3].index("/set-password/") :]
    assert (
        post_form(client, path, {"password": "nina two's words"}, token_from=path).status_code
        == 302
    )
    assert client.get(shown[2]).status_code == 410
    # Who has signed in since gets no link in a later download.
    logout(client)
    login(client, world["fac"])
    again = list(csv.reader(io.StringIO(download(client, world, done).get_data(as_text=True))))
    assert again[1][0] == "2" and again[1][3] == "" and again[1][4] == "signed in already"
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(
                    AuditEvent.kind == "cohort.exported",
                    AuditEvent.details["export"].as_string() == "import-links",
                )
            )
            == 2
        )


def test_the_links_download_is_only_for_that_import_its_cohort_and_who_imported(
    app, client, world, make_user
):
    done = import_through_preview(client, world)
    result = re.search(
        r'name="result" type="hidden" value="([^"]+)"', done.get_data(as_text=True)
    ).group(1)
    # Another cohort's facilitator: the cohort is not theirs.
    other = app.test_client()
    login(other, world["other_fac"])
    url = f"/facilitate/cohorts/{world['cohort']}/import/links.csv"
    assert post_form(other, url, {"result": result}, token_from="/facilitate").status_code == 404
    # Their own cohort with this import's result: refused, no file.
    own = f"/facilitate/cohorts/{world['other_cohort']}/import/links.csv"
    response = post_form(other, own, {"result": result}, token_from="/facilitate")
    assert response.status_code == 302 and "/set-password/" not in response.get_data(as_text=True)
    # A learner.
    learner = app.test_client()
    login(learner, world["alma"])
    assert post_form(learner, url, {"result": result}, token_from="/me/learning").status_code == 403
    # A changed result: refused.
    response = post_form(client, url, {"result": result[:-2] + "xx"}, token_from="/facilitate")
    assert response.status_code == 302
    assert "can no longer be downloaded" in page_text(client.get(response.headers["Location"]))


def test_a_changed_carried_list_is_refused_with_a_message_not_an_error(client, world):
    login(client, world["fac"])
    url = f"/facilitate/cohorts/{world['cohort']}/import"
    for carried in ("x,y", "1,Nina,nina@example.org,reason,extra", "²,A,a@example.org", '"'):
        response = post_form(client, url, {"carried": carried, "action": "import"}, token_from=url)
        assert response.status_code == 422, carried
        assert "could not be read" in page_text(response)


def test_carried_rows_are_checked_again_on_import(app, world):
    """A row the form says is acceptable is judged again; a rejected one keeps its reason."""
    with app.test_request_context():
        rows = classlist.parse_carried(
            '3,Bad Address,not-an-email\n5,Fine,fine@example.org\n4,X,,"The email address is missing."\n',
            world["cohort"],
        )
    assert [(r.line, r.outcome) for r in rows] == [(3, "reject"), (4, "reject"), (5, "create")]
    assert rows[1].reason == "The email address is missing."
