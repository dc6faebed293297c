"""Admin area: admins only; users with search and pages; roles, disabling; the audit log."""

import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.audit.services import record_event
from lms.extensions import db
from tests.conftest import login, post_form, sign_up


@pytest.fixture
def admin_client(client, make_user):
    admin_id, email = make_user("admin", name="Ada Admin")
    login(client, email)
    client.user_id = admin_id
    return client


def events(app, kind=None):
    with app.app_context():
        select = sa.select(AuditEvent).order_by(AuditEvent.id)
        if kind:
            select = select.where(AuditEvent.kind == kind)
        return db.session.scalars(select).all()


def role_of(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).role


ADMIN_PAGES = ["/admin/users", "/admin/users/{id}", "/admin/audit", "/admin/users/{id}/disable"]
ADMIN_POSTS = [
    ("/admin/users/{id}/role", {"role": "admin", "confirmed": "yes"}),
    ("/admin/users/{id}/disable", {}),
    ("/admin/users/{id}/enable", {}),
]


@pytest.mark.parametrize("role", ["learner", "facilitator"])
def test_learners_and_facilitators_get_403_everywhere_in_admin(app, client, make_user, role):
    user_id, email = make_user(role)
    login(client, email)
    for page in ADMIN_PAGES:
        assert client.get(page.format(id=user_id)).status_code == 403, page
    for url, data in ADMIN_POSTS:
        response = post_form(client, url.format(id=user_id), data, token_from="/")
        assert response.status_code == 403, url
    assert role_of(app, user_id) == role
    assert 'href="/admin/users"' not in client.get("/").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client, make_user):
    user_id, _ = make_user()
    for page in ADMIN_PAGES:
        response = client.get(page.format(id=user_id))
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admins_find_the_admin_area_in_the_header(admin_client):
    html = admin_client.get("/").get_data(as_text=True)
    assert 'href="/admin/users"' in html


def test_users_list_searches_by_name_or_email_and_filters(admin_client, make_user):
    make_user("learner", email="mila@example.org", name="Mila Novak")
    make_user("facilitator", email="tomas@example.org", name="Tomáš Král")
    html = admin_client.get("/admin/users?q=novak").get_data(as_text=True)
    assert "Mila Novak" in html and "Tomáš Král" not in html
    html = admin_client.get("/admin/users?q=TOMAS@").get_data(as_text=True)
    assert "Tomáš Král" in html and "Mila Novak" not in html
    html = admin_client.get("/admin/users?role=facilitator").get_data(as_text=True)
    assert "Tomáš Král" in html and "Mila Novak" not in html
    html = admin_client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "No account matches this search." in html


def test_users_list_is_paginated(app, admin_client, make_user):
    app.config["LMS_PAGE_SIZE"] = 2
    for n in range(4):
        make_user(name=f"Learner {n}")
    first = admin_client.get("/admin/users").get_data(as_text=True)
    assert "5 accounts" in first and 'rel="next"' in first
    names = lambda html: re.findall(r">((?:Ada Admin|Learner \d))</a></th>", html)  # noqa: E731
    pages = [
        names(admin_client.get(f"/admin/users?page={n}").get_data(as_text=True)) for n in (1, 2, 3)
    ]
    assert sorted(sum(pages, [])) == [
        "Ada Admin",
        "Learner 0",
        "Learner 1",
        "Learner 2",
        "Learner 3",
    ]
    for odd in ("999", "-3", "abc"):
        assert admin_client.get(f"/admin/users?page={odd}").status_code == 200


def test_user_page_shows_role_status_dates_and_cohorts(admin_client, make_user, make_cohort):
    learner_id, _ = make_user(name="Mila Novak")
    fac_id, _ = make_user("facilitator")
    make_cohort([fac_id], [learner_id], name="Ljubljana spring")
    html = admin_client.get(f"/admin/users/{learner_id}").get_data(as_text=True)
    for text in (
        "Mila Novak",
        "Learner",
        "Active",
        "Created",
        "Last signed in",
        "Ljubljana spring",
    ):
        assert text in html
    assert admin_client.get("/admin/users/99999").status_code == 404


def test_a_role_change_asks_for_confirmation_first(app, admin_client, make_user):
    user_id, _ = make_user()
    url = f"/admin/users/{user_id}/role"
    page = post_form(
        admin_client, url, {"role": "facilitator"}, token_from=f"/admin/users/{user_id}"
    )
    assert page.status_code == 200 and "Change the role" in page.get_data(as_text=True)
    assert role_of(app, user_id) == "learner"
    done = post_form(
        admin_client, url, {"role": "facilitator", "confirmed": "yes"}, token_from="/admin/users"
    )
    assert done.status_code == 302
    assert role_of(app, user_id) == "facilitator"
    [event] = events(app, "user.role_changed")
    assert event.target == f"user:{user_id}" and event.actor_id == admin_client.user_id
    assert event.details == {"old": "learner", "new": "facilitator"}


def test_an_unknown_role_is_refused_beside_the_field(app, admin_client, make_user):
    user_id, _ = make_user()
    response = post_form(
        admin_client,
        f"/admin/users/{user_id}/role",
        {"role": "root", "confirmed": "yes"},
        token_from="/",
    )
    assert response.status_code == 422 and 'id="role-error"' in response.get_data(as_text=True)
    assert role_of(app, user_id) == "learner"


def test_the_last_admin_cannot_demote_themselves(app, admin_client):
    response = post_form(
        admin_client,
        f"/admin/users/{admin_client.user_id}/role",
        {"role": "learner", "confirmed": "yes"},
        token_from="/",
        follow_redirects=True,
    )
    assert "last administrator account" in response.get_data(as_text=True)
    assert role_of(app, admin_client.user_id) == "admin"


def test_an_admin_can_step_down_when_another_admin_remains(app, admin_client, make_user):
    make_user("admin")
    response = post_form(
        admin_client,
        f"/admin/users/{admin_client.user_id}/role",
        {"role": "facilitator", "confirmed": "yes"},
        token_from="/",
    )
    assert response.status_code == 302
    assert role_of(app, admin_client.user_id) == "facilitator"
    assert admin_client.get("/facilitate").status_code == 200  # still signed in
    assert admin_client.get("/admin/users").status_code == 403


def test_disabling_asks_first_then_signs_the_person_out(app, admin_client, make_user):
    user_id, email = make_user()
    learner = app.test_client()
    login(learner, email)
    page = admin_client.get(f"/admin/users/{user_id}/disable")
    assert "Disable the account" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).active
    response = post_form(admin_client, f"/admin/users/{user_id}/disable", token_from="/")
    assert response.status_code == 302
    assert learner.get("/me/learning").status_code == 302
    post_form(learner, "/login", {"email": email, "password": "correct horse battery"})
    assert learner.get("/me/learning").status_code == 302
    assert [e.target for e in events(app, "user.disabled")] == [f"user:{user_id}"]
    post_form(admin_client, f"/admin/users/{user_id}/enable", token_from="/")
    login(learner, email)
    assert [e.target for e in events(app, "user.enabled")] == [f"user:{user_id}"]


def test_admins_cannot_disable_themselves(app, admin_client, make_user):
    make_user("admin")
    response = post_form(
        admin_client,
        f"/admin/users/{admin_client.user_id}/disable",
        token_from="/",
        follow_redirects=True,
    )
    assert "cannot disable your own account" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin_client.user_id).active


def test_sign_in_events_are_written_without_the_password(app, client, make_user):
    user_id, email = make_user()
    post_form(client, "/login", {"email": email.upper(), "password": "wrong password here"})
    post_form(client, "/login", {"email": "ghost@example.org", "password": "wrong password here"})
    login(client, email)
    post_form(client, "/logout", token_from="/")
    kinds = [(e.kind, e.target, e.details.get("email")) for e in events(app)]
    assert kinds == [
        ("login.failure", f"user:{user_id}", email),
        ("login.failure", None, "ghost@example.org"),
        ("login.success", f"user:{user_id}", None),
        ("logout", f"user:{user_id}", None),
    ]
    assert all("wrong password" not in str(e.details) for e in events(app))
    assert events(app)[0].details["reason"] == "wrong_password"


def test_signup_and_cli_record_user_created(app, client, runner):
    from lms.cli import main

    sign_up(
        client,
        {
            "name": "Mila",
            "email": "mila@example.org",
            "password": "tulips and lathes",
            "confirm": "tulips and lathes",
            "locale": "en",
        },
    )
    runner.invoke(
        main,
        [
            "users",
            "create",
            "--email",
            "op@example.org",
            "--name",
            "Op",
            "--password",
            "tulips and lathes",
        ],
    )
    assert [e.details["via"] for e in events(app, "user.created")] == ["signup", "cli"]


def test_cohort_exports_are_recorded(app, client, alma_and_boris):
    for kind in ("matrix", "quiz-results", "attendance"):
        assert (
            client.get(f"/facilitate/cohorts/{alma_and_boris}/export/{kind}.csv").status_code == 200
        )
    exported = events(app, "cohort.exported")
    assert [e.details["export"] for e in exported] == ["matrix", "quiz-results", "attendance"]
    assert {e.target for e in exported} == {f"cohort:{alma_and_boris}"}


def test_audit_log_shows_newest_first_and_filters(app, admin_client, make_user):
    user_id, email = make_user(name="Mila Novak")
    with app.app_context():
        mila = db.session.get(User, user_id)
        record_event("cohort.exported", mila, "cohort:7", export="matrix")
        record_event("user.disabled", None, f"user:{user_id}")
        db.session.commit()
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    order = [
        html.index(f'<code class="muted">{k}</code>')
        for k in ("user.disabled", "cohort.exported", "login.success")
    ]
    assert order == sorted(order)
    only = admin_client.get("/admin/audit?kind=cohort.exported").get_data(as_text=True)
    assert "cohort:7" in only and '<code class="muted">login.success</code>' not in only
    by_actor = admin_client.get("/admin/audit?actor=novak").get_data(as_text=True)
    assert "cohort:7" in by_actor and '<code class="muted">login.success</code>' not in by_actor
    about = admin_client.get(f"/admin/audit?target=user:{user_id}").get_data(as_text=True)
    assert '<code class="muted">user.disabled</code>' in about and "cohort:7" not in about
    assert "Account disabled" in about  # the event in words, not only its code
    assert admin_client.get("/admin/audit?kind=nonsense&page=x").status_code == 200


def test_audit_log_is_paginated(app, admin_client):
    app.config["LMS_PAGE_SIZE"] = 5
    with app.app_context():
        for n in range(11):
            record_event("test.event", None, f"thing:{n}")
        db.session.commit()
    first = admin_client.get("/admin/audit?kind=test.event").get_data(as_text=True)
    assert "11 events" in first and "thing:10" in first and "thing:5" not in first
    third = admin_client.get("/admin/audit?kind=test.event&page=3").get_data(as_text=True)
    assert "thing:0" in third and "thing:1<" not in third
