"""Facilitators run cohorts: matrix, at-risk flags, import, sessions, attendance, exports."""

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.models import Attendance, Cohort, Meeting, Membership
from lms.extensions import db, utcnow
from tests.conftest import (
    FAILING,
    complete_with_quiz,
    csrf_token,
    login,
    logout,
    post_form,
    submit_quiz,
)
from tests.factories import make_meeting


@pytest.fixture
def setup(app, client, make_user, make_cohort):
    """A facilitator's client, their cohort of two learners, and the learners' emails."""
    fac_id, fac_email = make_user("facilitator")
    l1, l1_email = make_user("learner", name="Alma Active")
    l2, l2_email = make_user("learner", name="Boris Behind")
    cohort_id = make_cohort([fac_id], [l1, l2])
    return {
        "cohort": cohort_id,
        "fac": fac_email,
        "learners": (l1_email, l2_email),
        "ids": (l1, l2),
        "fac_id": fac_id,
    }


def test_matrix_updates_as_a_learner_works(app, client, setup):
    login(client, setup["learners"][0])
    complete_with_quiz(client)
    logout(client)
    login(client, setup["fac"])
    html = client.get(f"/facilitate/cohorts/{setup['cohort']}").get_data(as_text=True)
    assert "Alma Active" in html and "Boris Behind" in html
    row = html[html.index("Alma Active") : html.index("Boris Behind")]
    assert "50%" in row and "100%" in row  # half the course done; quiz scored 100%


def test_at_risk_learner_shows_the_reason(app, client, setup):
    login(client, setup["learners"][1])
    submit_quiz(client, FAILING)
    submit_quiz(client, FAILING)
    logout(client)
    login(client, setup["fac"])
    html = client.get(f"/facilitate/cohorts/{setup['cohort']}?show=at_risk").get_data(as_text=True)
    assert "Boris Behind" in html and "Alma Active" not in html
    assert "failed the quiz of “First steps” twice" in html


def test_inactive_and_behind_schedule_flags(app, client, setup):
    with app.app_context():
        db.session.execute(sa.update(Membership).values(joined_at=utcnow() - timedelta(days=30)))
        db.session.commit()
    login(client, setup["fac"])
    html = client.get(f"/facilitate/cohorts/{setup['cohort']}").get_data(as_text=True)
    assert "inactive for 30 days" in html
    token = csrf_token(client, f"/facilitate/cohorts/{setup['cohort']}/targets")
    with app.app_context():
        from lms.courses.models import Module

        module_id = db.session.scalar(sa.select(Module.id).where(Module.slug == "first-steps"))
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    bad = client.post(
        f"/facilitate/cohorts/{setup['cohort']}/targets",
        data={"csrf_token": token, f"due-{module_id}": "31/12/2026"},
    )
    assert bad.status_code == 422 and "Give a date such as" in bad.get_data(as_text=True)
    client.post(
        f"/facilitate/cohorts/{setup['cohort']}/targets",
        data={"csrf_token": token, f"due-{module_id}": yesterday},
    )
    html = client.get(f"/facilitate/cohorts/{setup['cohort']}").get_data(as_text=True)
    assert "behind schedule on 1 module<" in html


def test_csv_export_holds_what_the_screen_shows(app, client, setup):
    login(client, setup["fac"])
    response = client.get(f"/facilitate/cohorts/{setup['cohort']}/export/matrix.csv?q=alma")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Learner", "Email", "Progress %"]
    assert rows[0][-2:] == ["First steps", "Second steps"]
    assert [r[0] for r in rows[1:]] == ["Alma Active"]


def test_csv_export_neutralises_formulas(app, client, setup, make_user):
    with app.app_context():
        user = db.session.get(User, setup["ids"][0])
        user.name = '=HYPERLINK("http://evil")'
        db.session.commit()
    login(client, setup["fac"])
    text = client.get(f"/facilitate/cohorts/{setup['cohort']}/export/matrix.csv").get_data(
        as_text=True
    )
    assert "'=HYPERLINK" in text


def test_class_list_import_previews_then_imports_once(app, client, setup):
    login(client, setup["fac"])
    url = f"/facilitate/cohorts/{setup['cohort']}/import"
    listing = (
        "name;email\nNina New;nina@example.org\nAlma Active;"
        f"{setup['learners'][0]}\nNo Mail;not-an-email\nNina Again;NINA@example.org\n"
    )
    preview = post_form(client, url, {"csv_text": listing, "action": "preview"}, token_from=url)
    html = preview.get_data(as_text=True)
    assert "1 new account, 0 existing accounts join, 1 already in the cohort, 2 rejected" in html
    assert "This is not a valid email address." in html
    assert "already on line 2" in html
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "nina@example.org")) is None
    done = post_form(client, url, {"csv_text": listing, "action": "import"}, token_from=url)
    html = done.get_data(as_text=True)
    assert "Class list imported" in html and "/set-password/" in html
    link = re.search(r'value="[^"]*(/set-password/[^"]+)"', html).group(1)
    with app.app_context():
        nina = db.session.scalar(sa.select(User).where(User.email == "nina@example.org"))
        assert nina is not None
        assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == 3
    # The new learner sets a password with the link, once.
    logout(client)
    path = link[link.index("/set-password/") :]
    response = post_form(client, path, {"password": "nina's new password"}, token_from=path)
    assert response.status_code == 302
    logout(client)
    assert client.get(path).status_code == 410  # used: a friendly page (test_invitations.py)
    login(client, "nina@example.org", "nina's new password")


def test_import_rejects_an_unreadable_file(app, client, setup):
    login(client, setup["fac"])
    url = f"/facilitate/cohorts/{setup['cohort']}/import"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "action": "preview",
            # Not text at all (an image saved with the wrong name); Windows code pages are read
            # (tests/cohorts/test_classlist_encodings.py).
            "csv_file": (
                io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 3),
                "list.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "save it as “CSV UTF-8”" in response.get_data(as_text=True)


def _schedule(client, cohort_id, day, start="10:00", end="12:00", **extra):
    url = f"/facilitate/cohorts/{cohort_id}/sessions/new"
    data = {
        "title": "Workshop",
        "day": day,
        "start_time": start,
        "end_time": end,
        "timezone": "Europe/Ljubljana",
        "place": "Maker space",
        **extra,
    }
    return post_form(client, url, data, token_from=url)


def test_scheduling_validates_and_stores_the_time_zone(app, client, setup):
    login(client, setup["fac"])
    bad = _schedule(client, setup["cohort"], "2027-07-01", start="12:00", end="10:00", place="")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "The session must end after it starts." in html
    assert "Give a place, an online link, or both." in html
    assert _schedule(client, setup["cohort"], "2027-07-01").status_code == 302
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        assert meeting.starts_at.hour == 8  # 10:00 in Ljubljana in summer is 08:00 UTC


def test_attendance_mark_all_present_then_exceptions(app, client, setup, make_user):
    late_id, _ = make_user()
    with app.app_context():
        db.session.execute(sa.update(Membership).values(joined_at=utcnow() - timedelta(days=9)))
        db.session.commit()
    login(client, setup["fac"])
    _schedule(client, setup["cohort"], (utcnow() - timedelta(days=2)).date().isoformat())
    with app.app_context():
        meeting_id = db.session.scalar(sa.select(Meeting.id))
        cohort = db.session.get(Cohort, setup["cohort"])
        from lms.cohorts.operations import add_member

        add_member(cohort, db.session.get(User, late_id))  # joined after the session
        db.session.commit()
    url = f"/facilitate/sessions/{meeting_id}/attendance"
    page = client.get(url).get_data(as_text=True)
    assert "2 learners expected" in page
    post_form(client, url, {"action": "all_present"}, token_from=url)
    absent = setup["ids"][1]
    post_form(client, url, {f"status-{absent}": "absent"}, token_from=url)
    with app.app_context():
        statuses = dict(db.session.execute(sa.select(Attendance.user_id, Attendance.status)).all())
    assert statuses == {setup["ids"][0]: "present", absent: "absent"}
    html = client.get(f"/facilitate/cohorts/{setup['cohort']}").get_data(as_text=True)
    assert "missed 1 session<" in html
    bad = post_form(client, url, {f"status-{absent}": "asleep"}, token_from=url)
    assert bad.status_code == 400


def test_learner_sees_sessions_prepares_and_answers(app, client, setup):
    login(client, setup["fac"])
    with app.app_context():
        from lms.courses.models import Module

        module_id = db.session.scalar(sa.select(Module.id).where(Module.slug == "second-steps"))
    _schedule(
        client,
        setup["cohort"],
        (utcnow() + timedelta(days=3)).date().isoformat(),
        prepare=str(module_id),
        capacity="1",
    )
    logout(client)
    login(client, setup["learners"][0])
    html = client.get("/me/sessions").get_data(as_text=True)
    assert "Workshop" in html and "Second steps" in html and "To do" in html
    with app.app_context():
        meeting_id = db.session.scalar(sa.select(Meeting.id))
    post_form(
        client, f"/me/sessions/{meeting_id}/rsvp", {"answer": "yes"}, token_from="/me/sessions"
    )
    assert 'aria-pressed="true">Yes' in client.get("/me/sessions").get_data(as_text=True)
    logout(client)
    login(client, setup["learners"][1])
    response = post_form(
        client, f"/me/sessions/{meeting_id}/rsvp", {"answer": "yes"}, token_from="/me/sessions"
    )
    assert "this session is full" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_self_check_in_only_during_the_session(app, client, setup):
    login(client, setup["fac"])
    _schedule(client, setup["cohort"], (utcnow() + timedelta(days=3)).date().isoformat())
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        token, meeting_id = meeting.checkin_token, meeting.id
    qr = client.get(f"/facilitate/sessions/{meeting_id}/checkin-code").get_data(as_text=True)
    assert "<svg" in qr and f"/checkin/{token}" in qr
    logout(client)
    login(client, setup["learners"][0])
    assert client.get(f"/checkin/{token}").status_code == 409
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.starts_at = utcnow() - timedelta(minutes=5)
        meeting.ends_at = utcnow() + timedelta(hours=1)
        db.session.commit()
    response = post_form(client, f"/checkin/{token}", {}, token_from=f"/checkin/{token}")
    assert "You are checked in" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Attendance.status)) == "present"
    assert client.get("/checkin/not-a-token").status_code == 404


def test_learners_join_with_a_code(app, client, setup, make_user):
    _, email = make_user()
    login(client, email)
    with app.app_context():
        code = db.session.get(Cohort, setup["cohort"]).join_code
    response = post_form(client, "/join", {"code": code.lower()}, token_from="/join")
    assert response.headers["Location"] == f"/join/{code}"
    post_form(client, f"/join/{code}", {}, token_from=f"/join/{code}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == 3
    wrong = post_form(client, "/join", {"code": "NOPE1234"}, token_from="/join")
    assert "No cohort is open with this code" in wrong.get_data(as_text=True)


def test_calendar_feeds_parse_and_can_be_revoked(app, client, setup):
    from icalendar import Calendar

    login(client, setup["fac"])
    _schedule(client, setup["cohort"], "2027-07-01")
    with app.app_context():
        token = db.session.get(Cohort, setup["cohort"]).calendar_token
    feed = client.get(f"/calendar/cohort/{token}.ics")
    assert feed.mimetype == "text/calendar"
    events = Calendar.from_ical(feed.data).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Workshop (Test cohort)"]
    post_form(
        client,
        f"/facilitate/cohorts/{setup['cohort']}/calendar",
        {},
        token_from=f"/facilitate/cohorts/{setup['cohort']}",
    )
    assert client.get(f"/calendar/cohort/{token}.ics").status_code == 404
    logout(client)
    login(client, setup["learners"][0])
    post_form(client, "/me/calendar", {}, token_from="/me/sessions")
    html = client.get("/me/sessions").get_data(as_text=True)
    path = html[html.index("/calendar/") :].split("<")[0]
    events = Calendar.from_ical(client.get(path).data).walk("VEVENT")
    assert len(events) == 1


def test_required_sessions_hold_back_the_certificate(app, client, content_dir, setup):
    from lms.cohorts.attendance import record_attendance
    from lms.publishing.sync import sync_content
    from tests.content.test_checker import COURSE, edit

    edit(content_dir, f"{COURSE}/course.md", "language: en", "language: en\nrequired_sessions: 1")
    with app.app_context():
        assert sync_content(content_dir).applied
        db.session.commit()
    login(client, setup["learners"][0])
    complete_with_quiz(client)
    post_form(
        client,
        "/courses/sample-course/second-steps/complete",
        token_from="/courses/sample-course/second-steps",
    )
    assert "/certificates/" not in client.get("/me/learning").get_data(as_text=True)
    with app.app_context():
        cohort = db.session.get(Cohort, setup["cohort"])
        meeting = make_meeting(
            cohort_id=cohort.id,
            title="Day 1",
            starts_at=utcnow(),
            ends_at=utcnow() + timedelta(hours=1),
            checkin_token="t1",
        )
        # Recorded through the attendance operation: the certificate is issued with it, not by
        # a later page view.
        record_attendance(meeting, {setup["ids"][0]: "present"}, None)
        db.session.commit()
    assert "View your certificate" in client.get("/courses/sample-course/").get_data(as_text=True)


def test_a_wrong_join_link_offers_to_type_the_code(app, client, make_user):
    _, email = make_user()
    login(client, email)
    response = client.get("/join/WRONG123")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "No cohort is open with this code" in html and 'action="/join"' in html


def _set_targets(app, cohort_id, days_ago: dict[str, int]):
    from lms.cohorts.models import ModuleTarget
    from lms.courses.models import Module

    with app.app_context():
        for slug, days in days_ago.items():
            module_id = db.session.scalar(sa.select(Module.id).where(Module.slug == slug))
            db.session.add(
                ModuleTarget(
                    cohort_id=cohort_id,
                    module_id=module_id,
                    due_on=(utcnow() - timedelta(days=days)).date(),
                )
            )
        db.session.commit()


def _risks(app, cohort_id) -> dict[str, list[str]]:
    from lms.cohorts.reports import cohort_report

    with app.test_request_context():
        report = cohort_report(db.session.get(Cohort, cohort_id))
        return {row.user.name: [kind for kind, _ in row.risks] for row in report.rows}


def test_targets_that_passed_before_someone_joined_do_not_count_against_them(app, client, setup):
    """Issue 12, item 10: a learner imported today is not "behind schedule" at once."""
    alma, boris = setup["ids"]
    _set_targets(app, setup["cohort"], {"first-steps": 10, "second-steps": 2})
    with app.app_context():
        # Alma joined today; Boris a month ago, before both targets.
        db.session.execute(
            sa.update(Membership)
            .where(Membership.user_id == boris)
            .values(joined_at=utcnow() - timedelta(days=30))
        )
        db.session.commit()
    risks = _risks(app, setup["cohort"])
    assert "behind" not in risks["Alma Active"]
    assert "behind" in risks["Boris Behind"]
    login(client, setup["fac"])
    html = client.get(f"/facilitate/cohorts/{setup['cohort']}").get_data(as_text=True)
    row = html[html.index("Boris Behind") :]
    assert "behind schedule on 2 modules" in row
    assert "behind schedule" not in html[html.index("Alma Active") : html.index("Boris Behind")]


def test_the_grace_period_after_joining_is_configurable(app, setup):
    alma, boris = setup["ids"]
    _set_targets(app, setup["cohort"], {"first-steps": 1})
    with app.app_context():
        db.session.execute(sa.update(Membership).values(joined_at=utcnow() - timedelta(days=5)))
        db.session.commit()
    # The target came 4 days after they joined: inside the default 7-day grace period...
    assert not any("behind" in kinds for kinds in _risks(app, setup["cohort"]).values())
    # ...but an operator with a 2-day grace period counts it.
    app.config["LMS_AT_RISK_GRACE_DAYS"] = 2
    assert all("behind" in kinds for kinds in _risks(app, setup["cohort"]).values())


def test_someone_who_finished_everything_is_not_inactive(app, client, setup):
    login(client, setup["learners"][0])
    complete_with_quiz(client)
    client.post(
        "/courses/sample-course/second-steps/complete",
        data={"csrf_token": csrf_token(client, "/courses/sample-course/second-steps")},
    )
    logout(client)
    with app.app_context():
        from lms.progress.models import ModuleVisit
        from lms.quizzes.models import Attempt

        month_ago = utcnow() - timedelta(days=30)
        db.session.execute(sa.update(Membership).values(joined_at=month_ago - timedelta(days=1)))
        db.session.execute(sa.update(ModuleVisit).values(last_visited_at=month_ago))
        db.session.execute(sa.update(Attempt).values(submitted_at=month_ago, started_at=month_ago))
        db.session.commit()
    risks = _risks(app, setup["cohort"])
    assert risks["Alma Active"] == []  # 100 % done a month ago: nothing to chase
    assert "inactive" in risks["Boris Behind"]  # nothing done for a month


def test_a_class_list_import_hashes_no_password_and_nobody_signs_in_before_choosing_one(
    app, client, setup, monkeypatch
):
    """A 25-row list took seconds: every new account hashed a random password with scrypt."""
    from lms.accounts import models as account_models
    from lms.accounts.services import check_sign_in

    hashed = []
    real_hash = account_models.generate_password_hash
    monkeypatch.setattr(
        account_models,
        "generate_password_hash",
        lambda *args, **kwargs: hashed.append(1) or real_hash(*args, **kwargs),
    )
    login(client, setup["fac"])
    url = f"/facilitate/cohorts/{setup['cohort']}/import"
    listing = "\n".join(f"Class Learner {n}, classlist-{n}@example.org" for n in range(25))
    done = post_form(client, url, {"csv_text": listing, "action": "import"}, token_from=url)
    assert "Class list imported" in done.get_data(as_text=True)
    assert hashed == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == 27
        for password in ("", "!", "invited", "a long password!"):
            assert check_sign_in("classlist-3@example.org", password).user is None
        hashes = db.session.scalars(
            sa.select(User.password_hash).where(User.email.like("classlist-%"))
        ).all()
        assert len(set(hashes)) == 25  # each set-password link names its own account's marker
