"""A partner manager runs every cohort of their own partner organisation, and nothing of
another partner's (issue 14, item 2)."""

from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.organisations.models import Organisation, OrganisationStaff
from tests.conftest import login


def _partner_of(app, cohort_id, name, country):
    with app.app_context():
        organisation = Organisation(name=name, country=country, kind="cci", is_partner=True)
        db.session.add(organisation)
        db.session.flush()
        db.session.get(Cohort, cohort_id).partner_id = organisation.id
        db.session.commit()
        return organisation.id


def test_a_partner_manager_runs_their_partners_cohorts_only(app, client, make_user, make_cohort):
    fac_id, _ = make_user("facilitator")
    learner_id, learner_email = make_user(name="Lara Learner")
    ours = make_cohort([fac_id], [learner_id], name="Ljubljana cohort")
    theirs = make_cohort([fac_id], [], name="Brno cohort")
    ljubljana = _partner_of(app, ours, "Creative Hub Ljubljana", "SI")
    _partner_of(app, theirs, "Brno Tech Hub", "CZ")
    manager_id, manager_email = make_user("partner_manager")
    with app.app_context():
        db.session.add(OrganisationStaff(organisation_id=ljubljana, user_id=manager_id, role="manager"))
        db.session.commit()
    login(client, manager_email)
    dashboard = client.get("/facilitate").get_data(as_text=True)
    assert "Ljubljana cohort" in dashboard and "Brno cohort" not in dashboard
    page = client.get(f"/facilitate/cohorts/{ours}")
    assert page.status_code == 200 and "Lara Learner" in page.get_data(as_text=True)
    assert client.get(f"/facilitate/cohorts/{ours}/learners/{learner_id}").status_code == 200
    assert client.get(f"/facilitate/cohorts/{ours}/export/matrix.csv").status_code == 200
    for url in (f"/facilitate/cohorts/{theirs}", f"/facilitate/cohorts/{theirs}/export/matrix.csv",
                f"/facilitate/cohorts/{theirs}/sessions/new"):
        assert client.get(url).status_code == 404, url
    learner = app.test_client()
    login(learner, learner_email)
    assert learner.get("/facilitate").status_code == 403  # learners still cannot facilitate
