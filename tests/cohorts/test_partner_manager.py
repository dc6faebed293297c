"""A partner manager runs every cohort of their own partner organisation, and nothing of
another partner's (issue 14, item 2)."""

import sqlalchemy as sa

from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.organisations.models import Organisation, OrganisationStaff
from tests.conftest import login, post_form


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


def test_a_partner_manager_creates_cohorts_and_assigns_facilitators_for_their_partner_only(
    app, client, make_user, make_cohort
):
    fac_id, fac_email = make_user("facilitator", name="Fia Facilitator")
    seed = make_cohort([], [], name="Seed")
    ljubljana = _partner_of(app, seed, "Creative Hub Ljubljana", "SI")
    other = make_cohort([], [], name="Other")
    brno = _partner_of(app, other, "Brno Tech Hub", "CZ")
    manager_id, manager_email = make_user("partner_manager")
    with app.app_context():
        db.session.add(OrganisationStaff(organisation_id=ljubljana, user_id=manager_id, role="manager"))
        db.session.commit()
    login(client, manager_email)
    form = client.get("/facilitate/cohorts/new").get_data(as_text=True)
    assert "Creative Hub Ljubljana" in form and "Brno Tech Hub" not in form
    data = {"name": "Ljubljana autumn", "partner_id": str(ljubljana), "language": "sl",
            "starts_on": "2026-09-01", "ends_on": "2026-12-20", "facilitators": [str(fac_id)]}
    response = post_form(client, "/facilitate/cohorts/new", data, token_from="/facilitate/cohorts/new")
    assert response.status_code == 302
    refused = post_form(client, "/facilitate/cohorts/new", {**data, "name": "Not ours", "partner_id": str(brno)},
                        token_from="/facilitate/cohorts/new")
    assert refused.status_code == 422
    with app.app_context():
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == "Ljubljana autumn"))
        assert cohort.partner_id == ljubljana
        assert [f.user_id for f in cohort.facilitators] == [fac_id]
        assert db.session.scalar(sa.select(Cohort).where(Cohort.name == "Not ours")) is None
        cohort_id = cohort.id
    # The facilitator runs it, but cannot change who facilitates; the manager can.
    facilitator = app.test_client()
    login(facilitator, fac_email)
    url = f"/facilitate/cohorts/{cohort_id}/edit"
    assert 'name="facilitators"' not in facilitator.get(url).get_data(as_text=True)
    post_form(facilitator, url, {**data, "facilitators": []}, token_from=url)
    with app.app_context():
        assert [f.user_id for f in db.session.get(Cohort, cohort_id).facilitators] == [fac_id]
    post_form(client, url, {**data, "name": "Ljubljana autumn 2026", "facilitators": []}, token_from=url)
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert cohort.name == "Ljubljana autumn 2026" and cohort.facilitators == []
