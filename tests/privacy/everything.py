"""A database with a row in every table, most of them about one learner (Alma)."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from lms.extensions import db, utcnow
from tests.certificates.test_certificates import finish_course
from tests.conftest import FAILING, login, logout, post_form, submit_quiz
from tests.factories import new_meeting

#: Alma's words, looked for in exports and expected gone after deletion.
REFLECTION = "My grandmother's workshop in Maribor taught me patience."


@dataclass
class Filled:
    learner_id: int
    learner_email: str
    facilitator_id: int
    facilitator_email: str
    admin_id: int
    admin_email: str
    other_id: int
    cohort_id: int
    past_meeting_id: int
    future_meeting_id: int
    certificate_code: str


def fill_every_table(app, client, make_user, make_cohort) -> Filled:
    """Alma completes the sample course (quiz with a reflection, certificate), is in a cohort
    with a past session (attendance, RSVP) and a future one (RSVP), has a calendar address and
    audit events; Boris is in the same cohort. ``client`` ends signed out."""
    from lms.audit.services import record_event
    from lms.cohorts.attendance import record_attendance
    from lms.cohorts.meetings import set_meeting_modules
    from lms.cohorts.models import Rsvp
    from lms.cohorts.operations import new_token, set_targets
    from lms.courses.models import Module

    fac_id, fac_email = make_user("facilitator", name="Fabia Facilitator")
    admin_id, admin_email = make_user("admin", name="Ada Admin")
    alma, alma_email = make_user("learner", email="alma@example.org", name="Alma Active")
    boris, boris_email = make_user("learner", name="Boris Behind")
    cohort_id = make_cohort([fac_id], [alma, boris], joined_at=utcnow() - timedelta(days=10))

    login(client, alma_email)
    submit_quiz(client, {"q-first-question": "1", "q-reflect": REFLECTION})
    code = finish_course(client)
    post_form(client, "/me/calendar", token_from="/me/sessions")
    logout(client)
    login(client, boris_email)
    submit_quiz(client, FAILING)
    logout(client)

    with app.app_context():
        from lms.cohorts.models import Cohort

        cohort = db.session.get(Cohort, cohort_id)
        modules = list(db.session.scalars(sa.select(Module).order_by(Module.id)))
        now = utcnow()
        past = new_meeting(
            cohort_id=cohort_id,
            title="Kick-off in Ljubljana",
            starts_at=now - timedelta(days=3, hours=2),
            ends_at=now - timedelta(days=3),
            checkin_token=new_token(),
        )
        future = new_meeting(
            cohort_id=cohort_id,
            title="Factory visit",
            starts_at=now + timedelta(days=5),
            ends_at=now + timedelta(days=5, hours=2),
            checkin_token=new_token(),
        )
        db.session.add_all([past, future])
        db.session.flush()
        set_meeting_modules(future, [modules[0].id], [])
        set_targets(cohort, {modules[0].id: now.date() + timedelta(days=10)})
        record_attendance(past, {alma: "present", boris: "absent"}, fac_id)
        db.session.add_all(
            [
                Rsvp(meeting_id=past.id, user_id=alma, answer="yes"),
                Rsvp(meeting_id=future.id, user_id=alma, answer="maybe"),
                Rsvp(meeting_id=future.id, user_id=boris, answer="yes"),
            ]
        )
        # A visitor's sign-up waiting for its emailed link.
        from lms.accounts.links import request_signup

        request_signup("visitor@example.org", "Vera Visitor", "a visitor's long password")
        # A sign-in failure that typed her address (as a sign-in log would record it).
        record_event("login.failure", actor=None, target=None, email=alma_email, reason="password")
        record_event("login.success", actor=db.session.get(_user_model(), alma), target=None)
        db.session.commit()
        ids = Filled(
            learner_id=alma,
            learner_email=alma_email,
            facilitator_id=fac_id,
            facilitator_email=fac_email,
            admin_id=admin_id,
            admin_email=admin_email,
            other_id=boris,
            cohort_id=cohort_id,
            past_meeting_id=past.id,
            future_meeting_id=future.id,
            certificate_code=code,
        )
    return ids


def _user_model():
    from lms.accounts.models import User

    return User


def table_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with app.app_context():
        rows = {}
        for table in db.metadata.sorted_tables:
            query = sa.select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(r) for r in db.session.execute(query)]
        db.session.remove()
        return rows
