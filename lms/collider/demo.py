"""Demo data for the collider: companies and CCI professionals with profiles, challenges, a past
matchmaking event with meetings, feedback and two agreed cooperations, and an upcoming one in
its booking window. Invented people and firms."""

import secrets
from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.services import create_user, find_user_by_email
from lms.collider import matchmaking
from lms.collider.models import Interest, MeetingFeedback, MeetingRequest, Post, Profile, ProfileTag
from lms.extensions import db, utcnow
from lms.organisations.models import Organisation
from lms.programme.models import Event

#: (email, name, organisation, country, sector, headline, areas, tags, pitch)
PEOPLE = (
    (
        "company@example.org",
        "Karl Kranjc",
        "Kranjc Precision d.o.o.",
        "SI",
        "avm",
        "Managing director of a CNC machining company (60 people)",
        "technology,mindset",
        ["metalworking", "machinery"],
        "We machine precision parts for the automotive industry and want our own product line.",
    ),
    (
        "avm.linz@example.org",
        "Sabine Huber",
        "Huber Kunststofftechnik GmbH",
        "AT",
        "avm",
        "Head of innovation at a plastics moulder",
        "technology,trends",
        ["plastics", "packaging-industry"],
        "Injection moulding for medical and packaging clients; we must move to recycled polymers.",
    ),
    (
        "avm.brno@example.org",
        "Jan Dvořák",
        "Dvořák Robotics s.r.o.",
        "CZ",
        "avm",
        "CTO of a small collaborative-robot maker",
        "technology",
        ["robotics", "electronics"],
        "Our cobots are good engineering and hard to use: operators need a friendlier interface.",
    ),
    (
        "learner@example.org",
        None,
        "Studio Lina",
        "SI",
        "cci",
        "Packaging and product designer working with recycled materials",
        "mindset,trends",
        ["packaging-design", "product-design", "circular-design"],
        "I redesign packaging and small products with recycled board, mycelium and bioplastics.",
    ),
    (
        "cci.verona@example.org",
        "Giulia Rossi",
        "Rossi UX Lab",
        "IT",
        "cci",
        "UX researcher for industrial interfaces",
        "trends,mindset",
        ["ux-ui-design", "user-research", "design-thinking"],
        "Operator interviews, usability tests and redesign of machine control panels (HMI).",
    ),
    (
        "cci.graz@example.org",
        "Lukas Berger",
        "Berger Film",
        "AT",
        "cci",
        "Filmmaker for factories that need young people",
        "trends",
        ["video-film", "storytelling"],
        "Recruitment films and stories of real work on the shop floor.",
    ),
    (
        "cci.wroclaw@example.org",
        "Zofia Nowak",
        "Nowak XR",
        "PL",
        "cci",
        "AR and VR instructions for assembly and training",
        "technology",
        ["xr", "3d-modelling"],
        "Augmented reality assembly instructions and virtual showrooms for complex machines.",
    ),
)

CHALLENGES = (
    (
        "company@example.org",
        "A product of our own from our offcuts",
        "We throw away tonnes of aluminium offcuts. Which product could we design and sell?",
        "mindset",
        ["product-design", "circular-design"],
        "public",
    ),
    (
        "avm.linz@example.org",
        "Packaging from recycled polymer that still protects",
        "Our medical packaging must move to recycled polymer without losing protection.",
        "technology",
        ["packaging-design", "circular-design"],
        "participants",
    ),
    (
        "avm.brno@example.org",
        "Make our cobot's control panel easy to learn",
        "New operators need two days of training. We want them productive in two hours.",
        "trends",
        ["ux-ui-design", "user-research"],
        "participants",
    ),
)


def _organisation(name, country, kind):
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, country=country, kind=kind)
        db.session.add(org)
        db.session.flush()
    return org


def create_collider_demo(password: str) -> None:
    """Flush only; does nothing when the demo company exists already."""
    if db.session.scalar(
        sa.select(Profile.id).join(Profile.user).where(User.email == "company@example.org")
    ):
        return
    host = db.session.scalar(
        sa.select(Organisation).where(Organisation.is_partner.is_(True)).order_by(Organisation.id)
    )
    if host is None:
        return
    users, orgs = {}, {}
    for email, name, org_name, country, sector, headline, areas, tags, pitch in PEOPLE:
        user = find_user_by_email(email) or create_user(email, name or email, password)
        org = _organisation(org_name, country, "avm" if sector == "avm" else "cci")
        user.organisation_id = org.id
        user.country = country
        profile = Profile(
            user_id=user.id,
            published=True,
            sector=sector,
            headline=headline,
            pitch=pitch,
            areas=areas,
            languages="en",
            links=f"https://{org_name.split()[0].lower()}.example.org",
        )
        profile.tags = [ProfileTag(tag=t) for t in tags]
        db.session.add(profile)
        users[email], orgs[email] = user, org
    db.session.flush()
    challenges = []
    for email, title, body, area, tags, visibility in CHALLENGES:
        challenges.append(
            Post(
                kind="challenge",
                author_id=users[email].id,
                organisation_name=orgs[email].name,
                title=title,
                body=body,
                area=area,
                tags=",".join(tags),
                visibility=visibility,
                timing="Spring, about three months",
            )
        )
    db.session.add_all(challenges)
    db.session.flush()
    db.session.add(
        Interest(
            post_id=challenges[0].id,
            user_id=users["learner@example.org"].id,
            status="shortlisted",
            message="I designed a lamp series from machining offcuts; happy to show you.",
            reply="Interesting! Let us meet at the brokerage day.",
            answered_at=utcnow(),
        )
    )
    db.session.add(
        Post(
            kind="offer",
            author_id=users["cci.graz@example.org"].id,
            organisation_name="Berger Film",
            title="A recruitment film in two days of shooting",
            body="I film your people at work and cut a two-minute film for schools and job fairs.",
            area="trends",
            tags="video-film,storytelling",
            visibility="public",
        )
    )
    now = utcnow()
    past = _event(host, "COCO4CCI Brokerage Day Ljubljana", now - timedelta(days=40))
    upcoming = _event(host, "COCO4CCI Matchmaking Graz", now + timedelta(days=21))
    past_setup = matchmaking.set_up(
        past,
        booking_opens_at=now - timedelta(days=70),
        booking_closes_at=now - timedelta(days=42),
        slot_minutes=20,
        first_start=past.starts_at,
        slots=6,
        tables=4,
        pause_minutes=5,
    )
    matchmaking.set_up(
        upcoming,
        booking_opens_at=now - timedelta(days=3),
        booking_closes_at=now + timedelta(days=18),
        slot_minutes=20,
        first_start=upcoming.starts_at,
        slots=8,
        tables=6,
        pause_minutes=5,
    )
    people = {email: matchmaking.register(past_setup, user)[0] for email, user in users.items()}
    pairs = (
        ("learner@example.org", "avm.linz@example.org"),
        ("cci.verona@example.org", "avm.brno@example.org"),
        ("learner@example.org", "company@example.org"),
        ("cci.graz@example.org", "company@example.org"),
        ("cci.wroclaw@example.org", "avm.brno@example.org"),
    )
    requests = []
    for a, b in pairs:
        requests.append(
            MeetingRequest(
                matchmaking_id=past_setup.id,
                requester_id=people[a].id,
                recipient_id=people[b].id,
                status="accepted",
                created_at=now - timedelta(days=50),
                answered_at=now - timedelta(days=49),
            )
        )
    db.session.add_all(requests)
    db.session.flush()
    matchmaking.run_scheduler(past_setup)
    matchmaking.lock(past_setup)
    answers = (
        "cooperation_possible",
        "cooperation_possible",
        "informative",
        "no_interest",
        "informative",
    )
    for request, answer, (a, b) in zip(requests, answers, pairs, strict=True):
        for email in (a, b):
            db.session.add(
                MeetingFeedback(
                    request_id=request.id,
                    user_id=users[email].id,
                    stage="after",
                    answer=answer,
                    created_at=now - timedelta(days=40),
                )
            )
    for request, (a, b) in zip(requests[:2], pairs[:2], strict=True):
        for email in (a, b):
            db.session.add(
                MeetingFeedback(
                    request_id=request.id,
                    user_id=users[email].id,
                    stage="followup",
                    answer="agreement",
                    created_at=now - timedelta(days=5),
                )
            )
    manager = (
        find_user_by_email("manager@example.org")
        or find_user_by_email("admin@example.org")
        or users["company@example.org"]
    )
    for request, (a, b), title, kind in zip(
        requests[:2],
        pairs[:2],
        ("Recycled-polymer packaging pilot", "Cobot interface redesign"),
        ("pilot", "contract"),
        strict=True,
    ):
        matchmaking.record_cooperation(
            title=title,
            kind=kind,
            agreed_on=(now - timedelta(days=20)).date(),
            organisation_ids=[orgs[a].id, orgs[b].id],
            recorded_by=manager,
            request_id=request.id,
            user_ids=[users[a].id, users[b].id],
        )
    db.session.flush()


def _event(host, title, starts_at):
    event = Event(
        organiser_id=host.id,
        kind="matchmaking",
        title=title,
        description="One-to-one meetings between creative professionals and manufacturers.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=4),
        timezone="Europe/Ljubljana",
        place="Technology park",
        capacity=80,
        languages="en",
        checkin_token=secrets.token_urlsafe(16),
    )
    db.session.add(event)
    db.session.flush()
    return event
