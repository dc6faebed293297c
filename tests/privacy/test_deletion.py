"""Deleting an account: personal data goes, anonymised results stay, cohort figures hold."""

import dataclasses

import pytest
import sqlalchemy as sa

from lms.extensions import db
from tests.conftest import PASSWORD, csrf_token, login, logout, post_form, sign_up
from tests.privacy.everything import REFLECTION, fill_every_table

CONFIRM = {"password": PASSWORD, "confirm": "y"}


@pytest.fixture
def filled(app, client, make_user, make_cohort):
    return fill_every_table(app, client, make_user, make_cohort)


def delete_own_account(client, data=None):
    return post_form(client, "/account/delete", data or CONFIRM, token_from="/account/delete")


def cohort_figures(app, cohort_id):
    """Everything the facilitator's cohort and module pages compute, as plain values."""
    from lms.cohorts.attendance import attendance_of
    from lms.cohorts.models import Cohort
    from lms.cohorts.module_reports import module_report, module_stats
    from lms.cohorts.reports import cohort_report, load_cells
    from lms.extensions import utcnow

    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        now = utcnow()
        report = cohort_report(cohort, now)
        load_cells(report, report.rows)
        rows = [
            (
                r.user.id,
                r.completed,
                r.total,
                r.percent,
                r.started,
                r.last_active,
                r.average_score,
                r.absences,
                r.attended,
                sorted(r.risks),
                {m: dataclasses.astuple(c) for m, c in r.cells.items()},
            )
            for r in report.rows
        ]
        stats = [(s.module.id, s.completion_rate, s.average_score) for s in module_stats(report)]
        modules = []
        for course, course_modules in report.courses:
            for module in course_modules:
                m = module_report(cohort, course, module)
                modules.append(
                    (m.learners, m.completed, m.average_score, m.questions, len(m.not_completed))
                )
        attendance = attendance_of(cohort)
        result = (sorted(rows), report.headline(now), stats, modules, attendance)
        db.session.remove()
        return result


def user_row(app, user_id):
    from lms.accounts.models import User

    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_deleting_your_account_keeps_the_cohort_figures_exactly(app, client, filled):
    before = cohort_figures(app, filled.cohort_id)
    login(client, filled.learner_email)
    assert delete_own_account(client).status_code == 302
    assert cohort_figures(app, filled.cohort_id) == before


def test_deleting_your_account_removes_your_personal_data(app, client, filled):
    from lms.audit.models import AuditEvent
    from lms.certificates.models import Certificate
    from lms.cohorts.models import Attendance, FeedToken, Membership, Rsvp
    from lms.progress.models import Completion
    from lms.quizzes.models import Attempt, AttemptAnswer

    alma = filled.learner_id
    login(client, filled.learner_email)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "What is deleted" in page and "What stays, anonymised" in page
    response = delete_own_account(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"

    user = user_row(app, alma)
    assert user.email == f"deleted-{alma}@invalid"
    assert user.name == "Deleted learner"
    assert user.active is False and user.deleted_at is not None and user.last_seen_at is None
    assert not user.check_password(PASSWORD)
    with app.app_context():
        answers = list(
            db.session.scalars(
                sa.select(AttemptAnswer).join(Attempt).where(Attempt.user_id == alma)
            )
        )
        reflections = [a.response for a in answers if a.question_type == "reflection"]
        assert reflections and all(r == {"text": "", "erased": True} for r in reflections)
        # Graded answers and scores stay (cohort figures need them).
        assert sorted(a.score for a in answers if a.question_type == "single") == [0.0, 1.0]
        assert db.session.scalar(sa.select(sa.func.count()).where(Completion.user_id == alma)) == 2
        assert db.session.scalar(sa.select(sa.func.count()).where(Membership.user_id == alma)) == 1
        assert db.session.scalar(
            sa.select(Attendance.status).where(Attendance.user_id == alma)
        ) == ("present")
        assert db.session.scalar(sa.select(FeedToken).where(FeedToken.user_id == alma)) is None
        # The answer for the session still to come is gone; the past one stays.
        rsvps = db.session.scalars(sa.select(Rsvp.meeting_id).where(Rsvp.user_id == alma)).all()
        assert rsvps == [filled.past_meeting_id]
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == alma))
        assert certificate.withdrawn_at is not None and certificate.learner_name == ""
        # Audit events keep their rows, with nothing but the id.
        events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
        failure = next(e for e in events if e.kind == "login.failure")
        assert failure.details == {"reason": "password"} and failure.ip is None
        deleted = next(e for e in events if e.kind == "user.deleted")
        assert deleted.actor_id == alma and deleted.target == f"user:{alma}"
        assert deleted.details == {"by": "self"} and deleted.ip is None
        everything = " ".join(
            str(v)
            for table in db.metadata.sorted_tables
            for row in db.session.execute(sa.select(table))
            for v in row
        )
    assert "alma@example.org" not in everything
    assert "Alma Active" not in everything
    assert REFLECTION not in everything


def test_a_deleted_account_is_signed_out_and_cannot_sign_in(app, client, filled):
    other_device = app.test_client()
    login(other_device, filled.learner_email)
    login(client, filled.learner_email)
    delete_own_account(client)
    assert client.get("/me/learning").status_code == 302
    assert other_device.get("/me/learning").status_code == 302
    response = post_form(client, "/login", {"email": filled.learner_email, "password": PASSWORD})
    assert response.status_code == 401


def test_the_email_address_can_sign_up_again(app, client, filled):
    login(client, filled.learner_email)
    delete_own_account(client)
    response = sign_up(
        client,
        {
            "name": "Alma Again",
            "email": filled.learner_email,
            "password": "a brand new password",
            "confirm": "a brand new password",
            "locale": "en",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get("/me/learning").get_data(as_text=True)
    assert "Alma Again" in html
    assert "Sample course" not in html  # a new account starts afresh


def test_set_password_and_reset_links_stop_working_when_the_account_is_deleted(app, client, filled):
    from lms.accounts.links import password_reset_token, set_password_token
    from lms.accounts.models import User

    with app.app_context():
        user = db.session.get(User, filled.learner_id)
        token, reset = set_password_token(user), password_reset_token(user)
    assert client.get(f"/set-password/{token}").status_code == 200
    assert client.get(f"/password/reset/{reset}").status_code == 200
    login(client, filled.learner_email)
    delete_own_account(client)
    assert client.get(f"/set-password/{token}").status_code == 404
    assert client.get(f"/password/reset/{reset}").status_code == 400


def test_a_withdrawn_certificate_says_so_without_a_name(app, client, filled):
    login(client, filled.learner_email)
    delete_own_account(client)
    response = app.test_client().get(f"/verify/{filled.certificate_code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "was withdrawn" in html
    assert "Alma" not in html and "genuine" not in html
    login(client, filled.admin_email)
    assert client.get(f"/certificates/{filled.certificate_code}").status_code == 404


def test_deletion_needs_the_password_and_the_tick(app, client, filled):
    login(client, filled.learner_email)
    wrong = delete_own_account(client, {"password": "not the password", "confirm": "y"})
    assert wrong.status_code == 401 and "That password is not right." in wrong.get_data(
        as_text=True
    )
    untick = delete_own_account(client, {"password": PASSWORD})
    assert untick.status_code == 422 and "Please tick the box" in untick.get_data(as_text=True)
    no_token = client.post("/account/delete", data=CONFIRM)
    assert no_token.status_code == 400
    assert user_row(app, filled.learner_id).deleted_at is None
    assert client.get("/me/learning").status_code == 200


def test_facilitators_see_a_deleted_learner_gracefully(app, client, filled):
    login(client, filled.learner_email)
    delete_own_account(client)
    login(client, filled.facilitator_email)
    base = f"/facilitate/cohorts/{filled.cohort_id}"
    cohort_page = client.get(base)
    assert cohort_page.status_code == 200
    assert "Deleted learner" in cohort_page.get_data(as_text=True)
    learner = client.get(f"{base}/learners/{filled.learner_id}")
    html = learner.get_data(as_text=True)
    assert learner.status_code == 200
    assert "This learner deleted their account" in html
    assert "removed when the account was deleted" in html
    assert "@invalid" not in html and REFLECTION not in html
    for kind in ("matrix", "quiz-results", "attendance"):
        export = client.get(f"{base}/export/{kind}.csv")
        assert export.status_code == 200 and "Alma" not in export.get_data(as_text=True)
    meeting = client.get(f"/facilitate/sessions/{filled.past_meeting_id}/attendance")
    assert meeting.status_code == 200 and "Deleted learner" in meeting.get_data(as_text=True)


def test_admins_delete_an_account_on_request_with_their_own_password(app, client, filled):
    from lms.audit.models import AuditEvent

    learner_device = app.test_client()
    login(learner_device, filled.learner_email)
    url = f"/admin/users/{filled.learner_id}/delete"
    login(client, filled.admin_email)
    page = client.get(url).get_data(as_text=True)
    assert "Alma Active" in page and "alma@example.org" in page
    assert post_form(
        client, url, {"password": "wrong password!", "confirm": "y"}, url
    ).status_code == (401)
    assert user_row(app, filled.learner_id).deleted_at is None
    response = post_form(client, url, CONFIRM, token_from=url)
    assert response.status_code == 302
    assert user_row(app, filled.learner_id).deleted_at is not None
    assert "is deleted" in client.get(url).get_data(as_text=True)
    assert learner_device.get("/me/learning").status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.kind == "user.deleted"))
        assert event.actor_id == filled.admin_id and event.target == f"user:{filled.learner_id}"
        assert event.details == {"by": "admin"}


def test_only_admins_may_delete_someone_elses_account(app, client, filled):
    url = f"/admin/users/{filled.learner_id}/delete"
    assert client.get(url).status_code == 302
    for email in (filled.facilitator_email, "alma@example.org"):
        login(client, email)
        assert client.get(url).status_code == 403
        token = csrf_token(client, "/account/data")
        assert client.post(url, data={**CONFIRM, "csrf_token": token}).status_code == 403
        logout(client)
    assert user_row(app, filled.learner_id).deleted_at is None
    login(client, filled.admin_email)
    assert client.get("/admin/users/999999/delete").status_code == 404


def test_the_last_admin_cannot_delete_their_own_account(app, client, make_user):
    admin_id, admin_email = make_user("admin")
    login(client, admin_email)
    page = client.get("/account/delete")
    assert "only administrator account" in page.get_data(as_text=True)
    token = csrf_token(client, "/account/data")
    assert client.post("/account/delete", data={**CONFIRM, "csrf_token": token}).status_code == 409
    url = f"/admin/users/{admin_id}/delete"
    assert client.post(url, data={**CONFIRM, "csrf_token": token}).status_code == 409
    assert user_row(app, admin_id).deleted_at is None
    # With a second admin, the first may go.
    make_user("admin")
    assert delete_own_account(client).status_code == 302
    assert user_row(app, admin_id).deleted_at is not None
