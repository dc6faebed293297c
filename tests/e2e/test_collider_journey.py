"""The collider in a real browser: a company posts a challenge, a designer finds it in her
suggestions and says she is interested, both meet at a matchmaking event (request, accept,
scheduled agenda, feedback), the organiser records the cooperation, and the programme report
counts the two organisations."""

import datetime as dt
import re
import secrets

import sqlalchemy as sa
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.collider import matchmaking
from lms.collider.models import Matchmaking, MeetingRequest
from lms.extensions import db, utcnow
from lms.organisations.models import Organisation
from lms.programme.models import Event
from tests.e2e.conftest import in_app, sign_in


def make_event(live_app) -> int:
    """A matchmaking event in two weeks with its booking window open."""
    with in_app(live_app):
        tag = secrets.token_hex(3)
        host = Organisation(name=f"Creative Hub {tag}", country="SI", kind="cci", is_partner=True)
        db.session.add(host)
        db.session.flush()
        start = (utcnow() + dt.timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
        event = Event(
            organiser_id=host.id,
            kind="matchmaking",
            title=f"Brokerage day {tag}",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            timezone="Europe/Ljubljana",
            place="Tech park",
            checkin_token=secrets.token_urlsafe(16),
        )
        db.session.add(event)
        db.session.flush()
        matchmaking.set_up(
            event,
            booking_opens_at=utcnow() - dt.timedelta(days=1),
            booking_closes_at=start - dt.timedelta(days=1),
            slot_minutes=20,
            first_start=start,
            slots=4,
            tables=3,
        )
        db.session.commit()
        return event.id


def set_organisation(live_app, user_id: int, name: str, country: str, kind: str) -> int:
    with in_app(live_app):
        org = Organisation(name=f"{name} {secrets.token_hex(3)}", country=country, kind=kind)
        db.session.add(org)
        db.session.flush()
        db.session.get(User, user_id).organisation_id = org.id
        db.session.commit()
        return org.id


def publish_profile(page, headline: str, sector: str, skills: list[str]):
    page.goto("/collider/profile")
    page.fill("#headline", headline)
    page.select_option("#sector", sector)
    page.fill("#pitch", headline + ". Recycled materials, circular packaging.")
    page.check('input[name="areas"][value="mindset"]')
    for skill in skills:
        page.check(f'input[name="skills"][value="{skill}"]')
    page.check("#published")
    page.click('form[action="/collider/profile"] button[type="submit"]')
    expect(page).to_have_url(re.compile(r"/collider/$"))


def test_company_designer_and_organiser_go_from_profile_to_counted_cooperation(
    new_context, viewport, locale, shots, make_account, live_app
):
    company_id, company_email = make_account("learner", "Karla Company", locale)
    designer_id, designer_email = make_account("learner", "Dana Designer", locale)
    _organiser_id, organiser_email = make_account("admin", "Olga Organiser", locale)
    company_org = set_organisation(live_app, company_id, "Kranjc Precision", "SI", "avm")
    designer_org = set_organisation(live_app, designer_id, "Studio Dana", "IT", "cci")
    event_id = make_event(live_app)

    # The company publishes a profile and posts a challenge that needs packaging design.
    company = new_context(viewport, locale).new_page()
    sign_in(company, company_email)
    publish_profile(company, "Managing director of a machining company", "avm", [])
    company.goto("/collider/posts/new")
    company.fill("#title", "Packaging for precision parts")
    company.fill("#body", "We need recyclable packaging that protects precision parts.")
    company.check('input[name="skills"][value="packaging-design"]')
    company.click('form[action="/collider/posts/new"] button[type="submit"]')
    expect(company).to_have_url(re.compile(r"/collider/posts/\d+$"))
    post_url = re.search(r"/collider/posts/\d+", company.url).group(0)
    shots(company, "challenge")

    # The designer publishes her profile; the challenge is her first suggestion, with reasons.
    designer = new_context(viewport, locale).new_page()
    sign_in(designer, designer_email)
    publish_profile(designer, "Packaging designer", "cci", ["packaging-design", "circular-design"])
    designer.goto("/collider/suggestions")
    # Among her five best challenges (other journeys share this database), with its reasons.
    fit = designer.locator("main ol.stack-list").first.locator(
        "li", has=designer.locator(f'a[href="{post_url}"]')
    )
    expect(fit).to_have_count(1)
    expect(fit.locator("ul.reasons li").first).to_be_visible()
    shots(designer, "suggestions")
    designer.goto(post_url)
    designer.fill("#message", "I did this for a bakery and a bike maker.")
    designer.click(f'form[action="{post_url}/interest"] button[type="submit"]')
    company.goto(post_url)
    expect(company.locator("main")).to_contain_text("I did this for a bakery")

    # Both take part in the matchmaking; she asks him for a meeting and he accepts.
    event_url = f"/collider/events/{event_id}"
    for page in (company, designer):
        page.goto(event_url)
        page.click(f'form[action="{event_url}/register"] button')
    designer.goto(event_url)
    designer.locator(f'form[action="{event_url}/requests"]').first.locator("button").click()
    company.goto(event_url)
    company.click('button[name="answer"][value="accept"]')
    shots(company, "accepted")

    # The organiser places the meetings; both see it on their agenda.
    organiser = new_context(viewport, locale).new_page()
    sign_in(organiser, organiser_email)
    organiser.goto(f"{event_url}/manage")
    organiser.click(f'form[action="{event_url}/schedule"] button')
    expect(organiser.locator("#plan-caption")).to_be_visible()
    shots(organiser, "table-plan")
    with in_app(live_app):
        setup = db.session.scalar(sa.select(Matchmaking).where(Matchmaking.event_id == event_id))
        meeting = db.session.scalar(
            sa.select(MeetingRequest).where(MeetingRequest.matchmaking_id == setup.id)
        )
        assert meeting.slot_id is not None and meeting.table_id is not None
    designer.goto(f"{event_url}/agenda")
    expect(designer.locator("table tbody tr")).to_have_count(1)
    shots(designer, "agenda")

    # Feedback from both sides, right after the meeting and months later.
    for page, after, later in (
        (designer, "cooperation_possible", "agreement"),
        (company, "cooperation_possible", "agreement"),
    ):
        for stage, answer in (("after", after), ("followup", later)):
            page.goto(f"/collider/requests/{meeting.id}/feedback?stage={stage}")
            page.check(f'input[name="answer"][value="{answer}"]')
            page.click(f'form[action="/collider/requests/{meeting.id}/feedback"] button')
            expect(page).to_have_url(re.compile(r"/agenda$"))

    # The organiser records the cooperation; the report counts both organisations.
    organiser.goto(f"{event_url}/manage#outcomes")
    organiser.fill("#coop-title-input", "Recyclable packaging pilot")
    organiser.select_option("#coop-kind", "pilot")
    organiser.fill("#coop-date", dt.date.today().isoformat())
    organiser.select_option("#coop-meeting", str(meeting.id))
    organiser.select_option("#coop-orgs", [str(company_org), str(designer_org)])
    organiser.click(f'form[action="{event_url}/cooperations"] button')
    today = dt.date.today()
    organiser.goto(f"/programme/report?from={today.replace(month=1, day=1)}&to={today}")
    figure = organiser.locator('[data-figure="rco87"]')
    assert int(figure.inner_text()) >= 2
    shots(organiser, "report")
