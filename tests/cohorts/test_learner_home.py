"""The learner's home that knows the cohort (issue 13, item 1): /me/learning shows each current
cohort's courses in order with progress, what is due soon (overdue said kindly), the next session
with what to prepare and the learner's answer, and where to continue; a learner without a cohort
keeps the plain page."""

import datetime as dt
import html as htmllib
import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts import operations
from lms.cohorts.meetings import set_meeting_modules
from lms.cohorts.models import Cohort, Rsvp
from lms.cohorts.operations import add_member, create_cohort, new_token
from lms.courses.models import Course, Module
from lms.extensions import db, utcnow
from tests.conftest import complete_with_quiz, login, logout, post_form
from tests.factories import make_meeting


def text(response) -> str:
    """The page as words: tags dropped, entities decoded, whitespace collapsed."""
    assert response.status_code == 200, response.status_code
    body = response.get_data(as_text=True)
    body = body[body.index('<main id="main"') :]
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def module_ids(app) -> dict[str, int]:
    with app.app_context():
        return {m.slug: m.id for m in db.session.scalars(sa.select(Module))}


def course_ids(app) -> dict[str, int]:
    with app.app_context():
        return {c.slug: c.id for c in db.session.scalars(sa.select(Course))}


def make_home_cohort(app, name, learner_ids, course_slugs=("sample-course",), archived=False):
    """A cohort following ``course_slugs`` in that order."""
    ids = course_ids(app)
    with app.app_context():
        cohort = create_cohort(
            name,
            "Partner",
            "en",
            dt.date(2026, 1, 1),
            dt.date(2027, 12, 31),
            [ids[slug] for slug in course_slugs],
            [],
        )
        for user_id in learner_ids:
            add_member(cohort, db.session.get(User, user_id))
        if archived:
            cohort.archived_at = utcnow()
        db.session.commit()
        return cohort.id


def set_targets(app, cohort_id, days_by_slug: dict[str, int]):
    """Target dates ``days`` from today (negative: in the past)."""
    ids = module_ids(app)
    today = utcnow().date()
    with app.app_context():
        operations.set_targets(
            db.session.get(Cohort, cohort_id),
            {ids[slug]: today + dt.timedelta(days=days) for slug, days in days_by_slug.items()},
        )
        db.session.commit()


def add_meeting(app, cohort_id, title, days, prepare=(), capacity=None, cancelled=False):
    """A session ``days`` from now (negative: over), with modules to prepare."""
    ids = module_ids(app)
    with app.app_context():
        start = utcnow() + dt.timedelta(days=days)
        meeting = make_meeting(
            cohort_id=cohort_id,
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            timezone="Europe/Vienna",
            place="Maker space, Graz",
            capacity=capacity,
            checkin_token=new_token(),
            cancelled_at=utcnow() if cancelled else None,
        )
        set_meeting_modules(meeting, [ids[slug] for slug in prepare], [])
        db.session.commit()
        return meeting.id


def complete(client, module="second-steps"):
    return post_form(
        client,
        f"/courses/sample-course/{module}/complete",
        token_from=f"/courses/sample-course/{module}",
    )


@pytest.fixture
def learner(client, make_user):
    """``client`` signed in as a learner; returns their id."""
    user_id, email = make_user("learner", name="Lena Learner")
    login(client, email)
    return user_id


def test_a_learner_without_a_cohort_keeps_the_plain_page(client, learner):
    client.get("/courses/sample-course/second-steps")
    page = text(client.get("/me/learning"))
    assert "Continue where you left off" in page and "Your courses" in page
    assert "Due soon" not in page and "Next session" not in page


def test_a_learner_only_in_an_archived_cohort_keeps_the_plain_page(app, client, learner):
    make_home_cohort(app, "Old spring cohort", [learner], archived=True)
    page = text(client.get("/me/learning"))
    assert "Old spring cohort" not in page
    assert "You have not started a course yet" in page


def test_sign_in_lands_on_the_home_and_the_header_links_to_it(app, client, make_user):
    user_id, email = make_user("learner")
    make_home_cohort(app, "Graz winter cohort", [user_id])
    response = login(client, email)
    assert response.headers["Location"] == "/me/learning"
    html = client.get("/me/learning").get_data(as_text=True)
    assert '<a href="/me/learning" aria-current="page">My learning</a>' in html
    assert "Graz winter cohort" in html


def test_the_home_shows_the_cohort_and_its_courses_in_order_with_progress(app, client, learner):
    make_home_cohort(
        app, "Graz winter cohort", [learner], course_slugs=("future-course", "sample-course")
    )
    complete(client)  # second-steps: 1 of the sample course's 2 modules
    html = client.get("/me/learning").get_data(as_text=True)
    page = text(client.get("/me/learning"))
    assert "Graz winter cohort" in page and "Your cohort with Partner" in page
    assert "Courses, in order" in page
    assert html.index('data-course="future-course"') < html.index('data-course="sample-course"')
    sample = html[html.index('data-course="sample-course"') :].split("</li>")[0]
    assert "50% complete" in sample and "Next: First steps" in sample
    future = html[html.index('data-course="future-course"') :].split("</li>")[0]
    assert "0% complete" in future and "Next: Looking ahead" in future
    # Where they left off: the course they opened last, at its first unfinished module.
    assert "Continue where you left off First steps · Sample course" in page
    assert "You have not started a course yet" not in page


def test_a_learner_who_opened_nothing_is_told_where_to_start(app, client, learner):
    make_home_cohort(app, "Graz winter cohort", [learner], course_slugs=("future-course",))
    page = text(client.get("/me/learning"))
    assert "Where to start Looking ahead · Future course Start" in page
    assert "Continue where you left off" not in page


def test_due_soon_lists_unfinished_targets_and_says_overdue_kindly(app, client, learner):
    cohort_id = make_home_cohort(
        app, "Graz winter cohort", [learner], course_slugs=("sample-course", "future-course")
    )
    # first-steps overdue, second-steps due in 5 days but completed, looking-ahead due today.
    set_targets(app, cohort_id, {"first-steps": -3, "second-steps": 5, "looking-ahead": 0})
    complete(client)
    html = client.get("/me/learning").get_data(as_text=True)
    due = html[html.index("data-due>") :].split("</section>")[0]
    assert re.findall(r'data-due-state="(\w+)"', due) == ["overdue", "today"]
    words = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", due)).split())
    overdue = (utcnow().date() - dt.timedelta(days=3)).strftime("%-d %B %Y")
    assert f"First steps Sample course Was due {overdue} — you can still catch up" in words
    assert "Looking ahead Future course Due today" in words
    assert "Second steps" not in words
    assert "due-late" in due and "error" not in due and "risk" not in due


def test_due_soon_leaves_out_targets_further_than_two_weeks(app, client, learner):
    cohort_id = make_home_cohort(app, "Graz winter cohort", [learner])
    set_targets(app, cohort_id, {"first-steps": 10, "second-steps": 15})
    page = text(client.get("/me/learning"))
    soon = (utcnow().date() + dt.timedelta(days=10)).strftime("%-d %B %Y")
    assert f"First steps Sample course Due {soon}" in page
    assert "Second steps Sample course Due" not in page
    set_targets(app, cohort_id, {"first-steps": 20})
    assert "Nothing is due in the next two weeks." in text(client.get("/me/learning"))


def test_the_next_session_shows_what_to_prepare_and_whether_it_is_done(app, client, learner):
    cohort_id = make_home_cohort(app, "Graz winter cohort", [learner])
    add_meeting(app, cohort_id, "Kick-off", -3)
    add_meeting(app, cohort_id, "Cancelled visit", 2, cancelled=True)
    add_meeting(app, cohort_id, "Factory visit", 5, prepare=("first-steps", "second-steps"))
    add_meeting(app, cohort_id, "Later workshop", 20)
    complete(client)
    html = client.get("/me/learning").get_data(as_text=True)
    box = html[html.index("data-next-session>") :].split("</section>")[0]
    assert "Factory visit" in box and "Maker space, Graz" in box
    for other in ("Kick-off", "Cancelled visit", "Later workshop"):
        assert other not in html
    prepared = dict(re.findall(r'data-prepared="(\w+)">.*?<a [^>]*>([^<]+)</a>', box, re.S))
    assert prepared == {"no": "First steps", "yes": "Second steps"}
    assert "(Central European" in box or "(Vienna" in box  # in the session's own zone


def test_will_you_come_from_the_home_returns_to_the_home(app, client, learner):
    cohort_id = make_home_cohort(app, "Graz winter cohort", [learner])
    meeting_id = add_meeting(app, cohort_id, "Factory visit", 5, capacity=12)
    page = text(client.get("/me/learning"))
    assert "Will you come? Places taken: 0 of 12" in page and "Your answer:" not in page
    response = post_form(
        client,
        f"/me/sessions/{meeting_id}/rsvp",
        {"answer": "maybe", "back": "home"},
        token_from="/me/learning",
    )
    assert response.status_code == 302 and response.headers["Location"] == "/me/learning"
    page = text(client.get("/me/learning"))
    assert "Thank you, your answer is saved." in page
    assert "Your answer: Maybe" in page
    post_form(
        client,
        f"/me/sessions/{meeting_id}/rsvp",
        {"answer": "yes", "back": "home"},
        token_from="/me/learning",
    )
    assert "Places taken: 1 of 12" in text(client.get("/me/learning"))
    # From the sessions page (no "back"), the answer still returns there.
    response = post_form(
        client, f"/me/sessions/{meeting_id}/rsvp", {"answer": "no"}, token_from="/me/sessions"
    )
    assert response.headers["Location"] == "/me/sessions"
    # Anything else in "back" is not a way to send the learner elsewhere.
    response = post_form(
        client,
        f"/me/sessions/{meeting_id}/rsvp",
        {"answer": "no", "back": "https://evil.example.org/"},
        token_from="/me/sessions",
    )
    assert response.headers["Location"] == "/me/sessions"


def test_another_learners_data_never_appears(app, client, make_user):
    alma, alma_email = make_user("learner", name="Alma Active")
    boris, boris_email = make_user("learner", name="Boris Behind")
    shared = make_home_cohort(app, "Shared cohort", [alma, boris])
    alone = make_home_cohort(app, "Alma's own cohort", [alma])
    meeting_id = add_meeting(app, shared, "Factory visit", 5, prepare=("second-steps",))
    add_meeting(app, alone, "Private coaching", 3)
    set_targets(app, shared, {"second-steps": 2})
    login(client, alma_email)
    complete(client)
    complete_with_quiz(client)
    post_form(
        client, f"/me/sessions/{meeting_id}/rsvp", {"answer": "yes"}, token_from="/me/learning"
    )
    alma_page = text(client.get("/me/learning"))
    assert "100% complete" in alma_page and "Your answer: Yes, I will come" in alma_page
    logout(client)
    login(client, boris_email)
    html = client.get("/me/learning").get_data(as_text=True)
    page = text(client.get("/me/learning"))
    assert "Alma" not in page  # neither her name, nor her own cohort and its session
    assert "Private coaching" not in page
    assert "0% complete" in page and "100% complete" not in page
    assert "Your answer:" not in page and "aria-pressed" not in html
    assert "Second steps Sample course Due" in page  # still due for Boris
    assert 'data-prepared="no"' in html and 'data-prepared="yes"' not in html
    assert "Your certificates" not in page
    # Places taken counts everyone (Alma said yes) without saying who.
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Rsvp.id))) == 1


def test_a_learner_in_two_cohorts_sees_each(app, client, learner):
    first = make_home_cohort(app, "Graz winter cohort", [learner], course_slugs=("sample-course",))
    second = make_home_cohort(app, "Ljubljana lab", [learner], course_slugs=("future-course",))
    add_meeting(app, first, "Factory visit", 5)
    add_meeting(app, second, "Lab tour", 8)
    set_targets(app, second, {"looking-ahead": -1})
    html = client.get("/me/learning").get_data(as_text=True)
    sections = {
        name: html[html.index(f'id="cohort-{cid}"') :].split('class="cohort-home"')[0]
        for name, cid in (("first", first), ("second", second))
    }
    assert "Graz winter cohort" in sections["first"] and "Factory visit" in sections["first"]
    assert 'data-course="sample-course"' in sections["first"]
    assert "Lab tour" not in sections["first"] and "Looking ahead" not in sections["first"]
    assert "Ljubljana lab" in sections["second"] and "Lab tour" in sections["second"]
    assert 'data-due-state="overdue"' in sections["second"]
    assert 'data-course="future-course"' in sections["second"]


def test_courses_opened_outside_the_cohorts_are_still_listed(app, client, learner):
    make_home_cohort(app, "Graz winter cohort", [learner], course_slugs=("future-course",))
    client.get("/courses/sample-course/second-steps")
    page = text(client.get("/me/learning"))
    assert "Other courses you have opened Sample course" in page
    assert "Continue where you left off Second steps · Sample course" in page


def test_the_home_speaks_the_learners_content_language(app, client, learner):
    app.config["LMS_LANGUAGES"] = {"en": "English", "it": "Italiano"}
    with app.app_context():
        db.session.get(User, learner).locale = "it"
        db.session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "it"
    cohort_id = make_home_cohort(app, "Coorte di Graz", [learner])
    set_targets(app, cohort_id, {"first-steps": 3})
    add_meeting(app, cohort_id, "Visita", 5, prepare=("first-steps",))
    html = client.get("/me/learning").get_data(as_text=True)
    due = html[html.index("data-due>") :].split("</section>")[0]
    box = html[html.index("data-next-session>") :].split("</section>")[0]
    assert 'lang="it"' not in due or "Primi passi" in due
    assert "Primi passi" in due and "Corso di esempio" in due
    assert "Primi passi" in box
    assert "Corso di esempio" in html[html.index('data-course="sample-course"') :]


def test_the_home_costs_the_same_queries_for_one_cohort_or_three(app, make_user):
    """The learner's home runs a fixed number of queries, whatever the number of cohorts,
    courses, targets, sessions and visits."""

    def count_queries(email):
        client = app.test_client()
        login(client, email)
        statements = []

        def count(*_args):
            statements.append(1)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get("/me/learning")
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(statements)

    small, small_email = make_user("learner")
    cohort_id = make_home_cohort(app, "One", [small])
    set_targets(app, cohort_id, {"first-steps": 2})
    add_meeting(app, cohort_id, "Visit", 5, prepare=("first-steps",), capacity=10)

    big, big_email = make_user("learner")
    for n in range(3):
        cohort_id = make_home_cohort(
            app, f"Cohort {n}", [big], course_slugs=("sample-course", "future-course")
        )
        set_targets(app, cohort_id, {"first-steps": 2 + n, "second-steps": -n, "looking-ahead": 1})
        add_meeting(app, cohort_id, f"Visit {n}", 5 + n, ("first-steps", "looking-ahead"), 10)
    visitor = app.test_client()
    login(visitor, big_email)
    for url in ("/courses/sample-course/second-steps", "/courses/future-course/looking-ahead"):
        visitor.get(url)
    login(app.test_client(), small_email)
    small_visitor = app.test_client()
    login(small_visitor, small_email)
    small_visitor.get("/courses/sample-course/second-steps")
    counts = (count_queries(small_email), count_queries(big_email))
    assert counts[0] == counts[1], counts
    print("home queries", counts)
