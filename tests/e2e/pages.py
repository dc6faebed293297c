"""Every page type, with the data it needs: checked by axe-core, by hand-written rules and by vnu."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from playwright.sync_api import Page, Response
from werkzeug.datastructures import MultiDict

from lms.accounts.services import create_user
from lms.certificates.services import certificates_of, issue_if_complete
from lms.cohorts.attendance import record_attendance
from lms.cohorts.meetings import set_meeting_modules
from lms.cohorts.operations import add_member, create_cohort, new_token
from lms.courses.models import Course
from lms.courses.services import current_modules
from lms.extensions import db, utcnow
from lms.progress import services as progress
from lms.quizzes import services as quizzes
from tests.e2e.conftest import PASSWORD, in_app
from tests.e2e.course import as_displayed, right_answers, shortest_course
from tests.factories import new_meeting


@dataclass
class Site:
    """What the page list points at."""

    course: str
    module: str
    emails: dict  #: by role: "learner", "facilitator"
    failed_attempt: int
    passed_attempt: int
    certificate: str
    cohort: int
    at_risk_learner: int
    past_meeting: int
    event: int = 0  #: a public event (with registrations) the admin organises
    event_checkin: str = ""  #: its self check-in path


def build_site(live_app, language: str = "en") -> Site:
    """A learner who finished the course (one failed attempt on the way), in a cohort with a
    learner at risk, a past session with attendance and an upcoming one; their facilitator."""
    journey = shortest_course()
    with in_app(live_app):
        learner = create_user(
            f"a11y-learner-{language}@example.org", "Lena Finished", PASSWORD, locale=language
        )
        behind = create_user(
            f"a11y-behind-{language}@example.org", "Bruno Behind", PASSWORD, locale=language
        )
        admin = create_user(
            f"a11y-admin-{language}@example.org",
            "Ada Admin",
            PASSWORD,
            role="admin",
            locale=language,
        )
        facilitator = create_user(
            f"a11y-facilitator-{language}@example.org",
            "Fiona Facilitator",
            PASSWORD,
            role="facilitator",
            locale=language,
        )
        course = db.session.scalar(sa.select(Course).where(Course.slug == journey.slug))
        attempts = []
        for module in current_modules(course):
            quiz = quizzes.current_quiz(module)
            if quiz is not None:
                if not attempts:
                    failed = quizzes.open_attempt(learner.id, quiz, [])
                    quizzes.submit_attempt(failed, MultiDict())
                    attempts.append(failed)
                attempt = quizzes.open_attempt(
                    learner.id, quiz, quizzes.attempts_for(learner.id, quiz)
                )
                quizzes.submit_attempt(
                    attempt, as_displayed(right_answers(quiz.questions), attempt.layout)
                )
                assert attempt.passed, module.slug
                attempts.append(attempt)
            progress.mark_read(learner.id, module)
        issue_if_complete(learner, course)
        # Bruno read the first module once, weeks ago, and failed its quiz twice.
        first = current_modules(course)[0]
        progress.record_visit(behind.id, first)
        quiz = quizzes.current_quiz(first)
        for _ in range(2):
            attempt = quizzes.open_attempt(behind.id, quiz, quizzes.attempts_for(behind.id, quiz))
            quizzes.submit_attempt(attempt, MultiDict())
        today = dt.date.today()
        cohort = create_cohort(
            "Graz winter cohort",
            "Partner",
            "en",
            today - dt.timedelta(days=30),
            today + dt.timedelta(days=60),
            [course.id],
            [facilitator.id],
        )
        for user in (learner, behind):
            add_member(cohort, user, joined_at=utcnow() - dt.timedelta(days=20))
        now = utcnow()
        past = new_meeting(
            cohort_id=cohort.id,
            title="Kick-off",
            starts_at=now - dt.timedelta(days=2, hours=2),
            ends_at=now - dt.timedelta(days=2),
            timezone="Europe/Vienna",
            place="Maker space, Graz",
            checkin_token=new_token(),
        )
        upcoming = new_meeting(
            cohort_id=cohort.id,
            title="Factory visit",
            starts_at=now + dt.timedelta(days=5),
            ends_at=now + dt.timedelta(days=5, hours=3),
            timezone="Europe/Vienna",
            place="Partner factory, Graz",
            online_url="https://meet.example.org/factory-visit",
            capacity=20,
            checkin_token=new_token(),
            notes="Safety shoes are provided.",
        )
        db.session.add_all([past, upcoming])
        db.session.flush()
        modules = current_modules(course)
        set_meeting_modules(upcoming, [modules[0].id], [modules[1].id])
        record_attendance(past, {learner.id: "present", behind.id: "absent"}, facilitator.id)
        event = _public_event(language)
        db.session.commit()
        return Site(
            course=journey.slug,
            module=journey.modules[0].slug,
            emails={
                "learner": learner.email,
                "facilitator": facilitator.email,
                "admin": admin.email,
            },
            failed_attempt=attempts[0].id,
            passed_attempt=attempts[1].id,
            certificate=certificates_of(learner.id)[0].code,
            cohort=cohort.id,
            at_risk_learner=behind.id,
            past_meeting=past.id,
            event=event.id,
            event_checkin=f"/events/{event.id}/checkin/{event.checkin_token}",
        )


def _public_event(language: str):
    """An Info Day by a partner, with people who have a place, one waiting and one checked in."""
    import secrets

    from lms.organisations.models import Organisation
    from lms.programme.models import Event, EventRegistration

    partner = Organisation(
        name=f"Creative Hub ({language})", short_name="CH", country="SI", kind="cci", is_partner=True
    )
    db.session.add(partner)
    db.session.flush()
    now = utcnow()
    event = Event(
        organiser_id=partner.id,
        kind="info_day",
        title="Info Day Ljubljana",
        description="Meet the partners.",
        starts_at=now + dt.timedelta(days=9),
        ends_at=now + dt.timedelta(days=9, hours=3),
        timezone="Europe/Ljubljana",
        place="Trubarjeva 1, Ljubljana",
        capacity=2,
        languages="sl,en",
        checkin_token=secrets.token_urlsafe(16),
    )
    db.session.add(event)
    db.session.flush()
    for n, (name, status, attendance) in enumerate(
        (("Nina Novak", "confirmed", "present"), ("Luka Kovač", "confirmed", ""),
         ("Eva Horvat", "waiting", ""))
    ):
        db.session.add(
            EventRegistration(
                event_id=event.id, name=name, email=f"guest{n}-{language}@example.org",
                organisation="Studio", country="SI", status=status, attendance=attendance,
                attendance_source="self" if attendance else "", token=secrets.token_urlsafe(16),
                confirmed_at=now,
            )
        )
    return event


def _submit_empty(page: Page) -> Response:
    with page.expect_navigation() as navigation:
        page.click('main form[method="post"] button[type="submit"]')
    return navigation.value


def _sign_up_badly(page: Page) -> Response:
    page.fill("#email", "not an address")
    page.fill("#password", "short")
    page.fill("#confirm", "different")
    return _submit_empty(page)


def _sign_in_wrongly(page: Page) -> Response:
    page.fill("#email", "nobody@example.org")
    page.fill("#password", "not the password")
    return _submit_empty(page)


def _send_sign_in_link(page: Page) -> Response:
    with page.expect_navigation() as navigation:
        page.click('#sign-in button[type="submit"]')
    return navigation.value


def _import_a_list(page: Page) -> Response:
    """Preview and import a list with one new learner (a fresh address each time) and a bad row."""
    import secrets

    listing = f"name,email\nIda Import,ida-{secrets.token_hex(4)}@example.org\nNo Mail,x\n"
    page.fill("#csv_text", listing)
    with page.expect_navigation():
        page.click('button[name="action"][value="preview"]')
    with page.expect_navigation() as navigation:
        page.click('button[name="action"][value="import"]')
    return navigation.value


def _submit_unanswered(page: Page) -> Response:
    """Send the quiz with nothing answered, past lms.js's prompt (``form.submit()`` fires no
    submit event): the server's "not answered yet" step, which records nothing."""
    with page.expect_navigation() as navigation:
        page.evaluate("document.querySelector('form.quiz-form').submit()")
    return navigation.value


@dataclass(frozen=True)
class PageType:
    name: str
    role: str  #: "anonymous", "learner", "facilitator" or "admin"
    path: Callable[[Site], str]
    status: int = 200
    #: After opening ``path``: what the user does; returns the response of the page it shows.
    act: Callable[[Page], Response] | None = None


PAGE_TYPES = [
    PageType("catalogue", "anonymous", lambda s: "/"),
    PageType("course-public", "anonymous", lambda s: f"/courses/{s.course}/"),
    PageType("sign-in", "anonymous", lambda s: "/login"),
    PageType("sign-in-error", "anonymous", lambda s: "/login", 401, _sign_in_wrongly),
    PageType("sign-up", "anonymous", lambda s: "/signup"),
    PageType("sign-up-errors", "anonymous", lambda s: "/signup", 422, _sign_up_badly),
    PageType("verify-form", "anonymous", lambda s: "/verify"),
    PageType("verification", "anonymous", lambda s: f"/verify/{s.certificate}"),
    PageType("verification-unknown", "anonymous", lambda s: "/verify/C4-AAAA-BBBB-CCCC", 404),
    PageType("accessibility", "anonymous", lambda s: "/accessibility"),
    PageType("error-404", "anonymous", lambda s: "/no-such-page", 404),
    PageType("privacy", "anonymous", lambda s: "/privacy"),
    PageType("password-forgot", "anonymous", lambda s: "/password/forgot"),
    PageType("password-reset-invalid", "anonymous", lambda s: "/password/reset/not-a-token", 400),
    PageType("set-password-invalid", "anonymous", lambda s: "/set-password/not-a-token", 404),
    PageType("course", "learner", lambda s: f"/courses/{s.course}/"),
    PageType("module", "learner", lambda s: f"/courses/{s.course}/{s.module}"),
    PageType("quiz", "learner", lambda s: f"/courses/{s.course}/{s.module}/quiz"),
    PageType(
        "quiz-unanswered",
        "learner",
        lambda s: f"/courses/{s.course}/{s.module}/quiz",
        200,
        _submit_unanswered,
    ),
    PageType("quiz-result-failed", "learner", lambda s: f"/attempts/{s.failed_attempt}"),
    PageType("quiz-result-passed", "learner", lambda s: f"/attempts/{s.passed_attempt}"),
    PageType("certificate", "learner", lambda s: f"/certificates/{s.certificate}"),
    PageType("my-learning", "learner", lambda s: "/me/learning"),  # the cohort's home
    # Not a member of any cohort: the plain page (here its "not started yet" state).
    PageType("my-learning-no-cohort", "facilitator", lambda s: "/me/learning"),
    PageType("my-sessions", "learner", lambda s: "/me/sessions"),
    PageType("error-403", "learner", lambda s: "/facilitate", 403),
    PageType("account", "learner", lambda s: "/account"),
    PageType("your-data", "learner", lambda s: "/account/data"),
    PageType("delete-account", "learner", lambda s: "/account/delete"),
    PageType("dashboard", "facilitator", lambda s: "/facilitate"),
    PageType("cohort-matrix", "facilitator", lambda s: f"/facilitate/cohorts/{s.cohort}"),
    PageType(
        "cohort-learner",
        "facilitator",
        lambda s: f"/facilitate/cohorts/{s.cohort}/learners/{s.at_risk_learner}",
    ),
    PageType(
        "nudge", "facilitator", lambda s: f"/facilitate/cohorts/{s.cohort}/nudge?show=at_risk"
    ),
    PageType("announce", "facilitator", lambda s: f"/facilitate/cohorts/{s.cohort}/announce"),
    PageType(
        "attendance", "facilitator", lambda s: f"/facilitate/sessions/{s.past_meeting}/attendance"
    ),
    PageType(
        "checkin-projector",
        "facilitator",
        lambda s: f"/facilitate/sessions/{s.past_meeting}/checkin-code",
    ),
    PageType(
        "session-form", "facilitator", lambda s: f"/facilitate/cohorts/{s.cohort}/sessions/new"
    ),
    PageType(
        "session-form-errors",
        "facilitator",
        lambda s: f"/facilitate/cohorts/{s.cohort}/sessions/new",
        422,
        _submit_empty,
    ),
    PageType(
        "class-list-import", "facilitator", lambda s: f"/facilitate/cohorts/{s.cohort}/import"
    ),
    PageType(
        "class-list-imported",
        "facilitator",
        lambda s: f"/facilitate/cohorts/{s.cohort}/import",
        act=_import_a_list,
    ),
    PageType(
        "sign-in-link",
        "facilitator",
        lambda s: f"/facilitate/cohorts/{s.cohort}/learners/{s.at_risk_learner}",
        act=_send_sign_in_link,
    ),
    PageType("organise-events", "admin", lambda s: "/organise/events"),
    PageType("organise-event", "admin", lambda s: f"/organise/events/{s.event}"),
    PageType("event-form", "admin", lambda s: f"/organise/events/{s.event}/edit"),
    PageType("event-attendance", "admin", lambda s: f"/organise/events/{s.event}/attendance"),
    PageType("event-checkin-code", "admin", lambda s: f"/organise/events/{s.event}/checkin-code"),
    PageType("event-checkin", "anonymous", lambda s: s.event_checkin),
    PageType("admin-users", "admin", lambda s: "/admin/users"),
    PageType("admin-user", "admin", lambda s: f"/admin/users/{s.at_risk_learner}"),
    PageType("admin-audit-log", "admin", lambda s: "/admin/audit"),
    PageType("admin-delete-confirm", "admin", lambda s: f"/admin/users/{s.at_risk_learner}/delete"),
]


def visit(page: Page, page_type: PageType, site: Site) -> Response:
    """Open the page type as its user would; returns the response of the page shown."""
    response = page.goto(page_type.path(site))
    if page_type.act is not None:
        response = page_type.act(page)
    assert response.status == page_type.status, (page_type.name, response.status, page.url)
    return response
