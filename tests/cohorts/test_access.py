"""Every facilitation route, tried as each role: learners never reach facilitator pages,
facilitators see only their own cohorts, admins see all."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.extensions import db, utcnow
from tests.conftest import login, open_attempt
from tests.factories import make_meeting


@pytest.fixture
def world(app, make_user, make_cohort):
    own_fac, own_fac_email = make_user("facilitator")
    other_fac, other_fac_email = make_user("facilitator")
    _, admin_email = make_user("admin")
    learner, learner_email = make_user("learner")
    cohort_id = make_cohort([own_fac], [learner])
    make_cohort([other_fac], [], name="Someone else's cohort")
    with app.app_context():
        meeting = make_meeting(
            cohort_id=cohort_id,
            title="Day",
            starts_at=utcnow() + timedelta(days=1),
            ends_at=utcnow() + timedelta(days=1, hours=2),
            checkin_token="tok",
        )
        db.session.commit()
        meeting_id = meeting.id
        from lms.courses.models import Module

        module_id = db.session.scalar(sa.select(Module.id).where(Module.slug == "first-steps"))
    return {
        "cohort": cohort_id,
        "meeting": meeting_id,
        "module": module_id,
        "learner": learner,
        "emails": {
            "own": own_fac_email,
            "other": other_fac_email,
            "admin": admin_email,
            "learner": learner_email,
        },
    }


def facilitator_urls(w):
    c, m, u = w["cohort"], w["meeting"], w["learner"]
    return [
        f"/facilitate/cohorts/{c}",
        f"/facilitate/cohorts/{c}?page=2",
        f"/facilitate/cohorts/{c}/modules/{w['module']}",
        f"/facilitate/cohorts/{c}/edit",
        f"/facilitate/cohorts/{c}/targets",
        f"/facilitate/cohorts/{c}/import",
        f"/facilitate/cohorts/{c}/export/matrix.csv",
        f"/facilitate/cohorts/{c}/export/quiz-results.csv",
        f"/facilitate/cohorts/{c}/export/attendance.csv",
        f"/facilitate/cohorts/{c}/learners/{u}",
        f"/facilitate/cohorts/{c}/learners/{u}/remove",
        f"/facilitate/cohorts/{c}/sessions/new",
        f"/facilitate/sessions/{m}/edit",
        f"/facilitate/sessions/{m}/cancel",
        f"/facilitate/sessions/{m}/attendance",
        f"/facilitate/sessions/{m}/checkin-code",
        f"/facilitate/sessions/{m}/checkin-count.json",
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in [*facilitator_urls(world), "/facilitate", "/me/sessions", "/join"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_learners_get_403_on_every_facilitator_page(client, world):
    login(client, world["emails"]["learner"])
    for url in [*facilitator_urls(world), "/facilitate", "/facilitate/cohorts/new"]:
        assert client.get(url).status_code == 403, url
    token = _token(client)
    for url in facilitator_urls(world):
        if not url.endswith(".csv"):
            # With a valid CSRF token, so that only the access rule can refuse the post.
            assert client.post(url, data={"csrf_token": token}).status_code in (403, 405), url


def test_facilitators_see_only_their_own_cohorts(client, world):
    login(client, world["emails"]["other"])
    for url in facilitator_urls(world):
        assert client.get(url).status_code == 404, url
    dashboard = client.get("/facilitate").get_data(as_text=True)
    assert "Someone else&#39;s cohort" in dashboard and "Test cohort" not in dashboard
    assert client.get("/facilitate/cohorts/new").status_code == 403


def test_own_facilitator_and_admins_reach_every_page(client, world):
    for who in ("own", "admin"):
        login(client, world["emails"][who])
        for url in facilitator_urls(world):
            assert client.get(url).status_code == 200, (who, url)
        client.post("/logout", data={"csrf_token": _token(client)})
    login(client, world["emails"]["admin"])
    assert client.get("/facilitate/cohorts/new").status_code == 200
    assert "Someone else&#39;s cohort" in client.get("/facilitate").get_data(as_text=True)


def test_a_facilitator_cannot_open_a_learner_outside_their_cohorts(client, world, make_user):
    stranger, _ = make_user("learner")
    login(client, world["emails"]["own"])
    url = f"/facilitate/cohorts/{world['cohort']}/learners/{stranger}"
    assert client.get(url).status_code == 404


def test_learners_never_see_another_learners_attempt(client, world, make_user):
    login(client, world["emails"]["learner"])
    attempt_id = open_attempt(client)
    client.post("/logout", data={"csrf_token": _token(client)})
    _, other = make_user("learner")
    login(client, other)
    assert client.get(f"/attempts/{attempt_id}").status_code == 404


def test_calendar_feed_needs_the_exact_token(client, world):
    assert client.get("/calendar/cohort/guess.ics").status_code == 404
    assert client.get("/calendar/guess.ics").status_code == 404


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/")


def test_dashboard_queries_do_not_grow_with_cohort_size(app, make_user, make_cohort):
    """The cohort page (any page of it), a module's page, a learner's page and the exports
    cost the same number of SQL queries for 10 and 300 learners."""
    from lms.accounts.models import User
    from lms.cohorts.models import Membership
    from lms.progress.models import Completion, ModuleVisit

    fac, fac_email = make_user("facilitator")
    counts = {}
    for size in (10, 300):
        with app.app_context():
            from lms.courses.models import Module

            modules = list(db.session.scalars(sa.select(Module.id)))
            start = db.session.scalar(sa.select(sa.func.count(User.id)))
            db.session.execute(
                sa.insert(User),
                [
                    {
                        "email": f"s{size}-{i}@example.org",
                        "name": f"L {i}",
                        "password_hash": "x",
                        "role": "learner",
                        "locale": "en",
                        "active": True,
                        "created_at": utcnow(),
                    }
                    for i in range(size)
                ],
            )
            ids = list(db.session.scalars(sa.select(User.id).where(User.id > start)))
            db.session.commit()
        cohort_id = make_cohort([fac], [], name=f"Cohort {size}")
        with app.app_context():
            db.session.execute(
                sa.insert(Membership),
                [{"cohort_id": cohort_id, "user_id": i, "joined_at": utcnow()} for i in ids],
            )
            db.session.execute(
                sa.insert(ModuleVisit),
                [
                    {
                        "user_id": i,
                        "module_id": modules[0],
                        "first_visited_at": utcnow(),
                        "last_visited_at": utcnow(),
                    }
                    for i in ids
                ],
            )
            db.session.execute(
                sa.insert(Completion),
                [
                    {"user_id": i, "module_id": modules[0], "completed_at": utcnow()}
                    for i in ids[::2]
                ],
            )
            db.session.commit()
        client = app.test_client()
        login(client, fac_email)
        statements = []

        def count(*_args, statements=statements):
            statements.append(1)

        with app.app_context():
            engine = db.engine
        base = f"/facilitate/cohorts/{cohort_id}"
        urls = {
            "page": base,
            "page 2": f"{base}?page=2&sort=progress",
            "module": f"{base}/modules/{modules[0]}",
            "learner": f"{base}/learners/{ids[0]}",
            "export": f"{base}/export/quiz-results.csv",
        }
        counts[size] = {}
        for name, url in urls.items():
            statements.clear()
            sa.event.listen(engine, "before_cursor_execute", count)
            try:
                response = client.get(url)
            finally:
                sa.event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 200, url
            if name == "page":
                assert f"{size} learners" in response.get_data(as_text=True)
            counts[size][name] = len(statements)
    assert counts[10] == counts[300], counts
