"""Control characters, huge page numbers and ``next`` with CR/LF (issue 12, items 4 and 5).

Whole-app checks: every form on the pages below gets control characters in every text field,
``next`` gets CR/LF, every paginated list gets absurd page numbers; nothing answers 500, and
the feeds and pages still load with control characters already stored.
"""

import re
from html.parser import HTMLParser

import sqlalchemy as sa

from lms.cohorts.models import Meeting
from lms.extensions import db
from tests.conftest import csrf_token, login
from tests.factories import make_meeting

HOSTILE = "a\r\nb\x00c\x1bd\u2028e"


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {"action": attrs.get("action"), "fields": {}}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select") and attrs.get("name"):
            kind = (attrs.get("type") or tag).lower()
            name = attrs["name"]
            if name == "csrf_token":
                self._current["fields"][name] = attrs.get("value", "")
            elif kind in ("text", "email", "url", "password", "textarea", "search", "tel"):
                self._current["fields"][name] = HOSTILE
            elif kind in ("hidden", "radio", "checkbox", "select", "number", "date", "time", "datetime-local"):
                self._current["fields"].setdefault(name, attrs.get("value") or HOSTILE)

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _post_every_form(client, pages):
    posted = 0
    for page in pages:
        response = client.get(page)
        assert response.status_code < 500, page
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            if not form["action"] or "logout" in form["action"] or "delete" in form["action"]:
                continue
            result = client.post(form["action"], data=form["fields"])
            assert result.status_code < 500, (page, form["action"], result.status_code)
            posted += 1
    return posted


def test_control_characters_in_every_form_field_never_give_a_500(app, make_user, make_cohort):
    fac_id, fac_email = make_user("facilitator")
    learner_id, _ = make_user()
    cohort_id = make_cohort([fac_id], [learner_id])
    anonymous = app.test_client()
    assert _post_every_form(anonymous, ["/login", "/signup", "/password/forgot"]) >= 3
    client = app.test_client()
    login(client, fac_email)
    pages = [
        "/account",
        "/facilitate/cohorts/new",
        f"/facilitate/cohorts/{cohort_id}",
        f"/facilitate/cohorts/{cohort_id}/sessions/new",
        "/me/sessions",
    ]
    assert _post_every_form(client, pages) >= 4


def test_one_line_fields_refuse_control_characters_next_to_the_field(app, make_user, make_cohort):
    fac_id, fac_email = make_user("facilitator")
    cohort_id = make_cohort([fac_id], [])
    client = app.test_client()
    login(client, fac_email)
    url = f"/facilitate/cohorts/{cohort_id}/sessions/new"
    html = client.get(url).get_data(as_text=True)
    parser = _Forms()
    parser.feed(html)
    data = {k: v for k, v in parser.forms[-1]["fields"].items() if v != HOSTILE}
    data.update({"title": "Kick-off", "online_url": "https://meet.example/a\r\nb"})
    response = client.post(url, data=data)
    assert response.status_code in (200, 422)
    assert "A web address cannot contain spaces" in response.get_data(as_text=True) or (
        "control characters" in response.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_next_with_cr_lf_falls_back_to_the_default_page(app, client, make_user):
    _, email = make_user()
    for target in ("/courses%0d%0aSet-Cookie:%20x=1", "/\r\nLocation: http://evil.example"):
        response = client.post(
            f"/login?next={target}",
            data={"csrf_token": csrf_token(client), "email": email, "password": "correct horse battery"},
        )
        assert response.status_code == 302 and "\n" not in response.headers["Location"]
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//")
        assert "Set-Cookie" not in response.headers.get("Set-Cookie", "") or "x=1" not in location
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
        response = client.post(
            "/language", data={"csrf_token": csrf_token(client, "/"), "language": "it", "next": target}
        )
        assert response.status_code in (302, 303), response.status_code
        assert "\n" not in response.headers["Location"]


def test_feeds_and_pages_still_load_with_control_characters_already_stored(
    app, make_user, make_cohort
):
    import datetime as dt

    from lms.extensions import utcnow

    fac_id, fac_email = make_user("facilitator")
    learner_id, learner_email = make_user()
    cohort_id = make_cohort([fac_id], [learner_id])
    with app.app_context():
        from lms.cohorts.models import Cohort

        cohort = db.session.get(Cohort, cohort_id)
        start = utcnow() + dt.timedelta(days=2)
        meeting = make_meeting(
            cohort_id=cohort_id,
            # PostgreSQL text cannot hold NUL at all; SQLite can, so it is tried there.
            title="Kick\r\noff" + ("\x00" if db.engine.dialect.name == "sqlite" else "\x1b"),
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            timezone="Europe/Vienna",
            online_url="https://meet.example/a\r\nb",
            place="Room\r\n1",
            notes="line one\r\nline\x07 two",
            checkin_token="t" * 32,
        )
        db.session.commit()
        token = cohort.calendar_token
        meeting_id = meeting.id
    client = app.test_client()
    login(client, fac_email)
    for url in (
        f"/calendar/cohort/{token}.ics",
        f"/facilitate/cohorts/{cohort_id}",
        f"/facilitate/sessions/{meeting_id}/edit",
        f"/facilitate/sessions/{meeting_id}/attendance",
    ):
        response = client.get(url)
        assert response.status_code < 500, url
    body = client.get(f"/calendar/cohort/{token}.ics").get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and "\x00" not in body
    learner = app.test_client()
    login(learner, learner_email)
    assert learner.get("/me/sessions").status_code == 200


def test_every_paginated_list_clamps_absurd_page_numbers(app, make_user, make_cohort):
    admin_id, admin_email = make_user("admin")
    cohort_id = make_cohort([admin_id], [])
    client = app.test_client()
    login(client, admin_email)
    lists = ["/admin/users", "/admin/audit", f"/facilitate/cohorts/{cohort_id}"]
    for url in lists:
        for page in ("99999999999999999999", "9223372036854775807", "-5", "0", "1e9", "abc"):
            response = client.get(f"{url}?page={page}")
            assert response.status_code == 200, (url, page, response.status_code)
    assert re.search("page", client.get("/admin/users?page=99999999999999999999").get_data(as_text=True))


def test_every_form_of_the_app_checks_for_control_characters(app):
    """The class, not the instances: any form a feature defines inherits ``LmsForm``, so any new
    field is checked too. (Forms on pages the tests above do not visit are covered this way.)"""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import lms
    from lms.forms import LmsForm

    for info in pkgutil.walk_packages(lms.__path__, "lms."):
        if info.name.endswith(("gunicorn_conf", "__main__", ".wsgi")):  # wsgi builds an app
            continue
        importlib.import_module(info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    forms = [c for c in subclasses(FlaskForm) if c.__module__.startswith("lms.")]
    assert len(forms) > 20  # the app's forms were really found
    plain = sorted(f"{c.__module__}.{c.__name__}" for c in forms if not issubclass(c, LmsForm))
    assert plain == [], f"these forms skip the control-character check: {plain}"
