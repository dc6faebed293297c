"""Demo data for the programme: 12 partners in six countries, cohorts across several of them,
a past Info Day with attendance, an upcoming one with a waiting list, and managers."""

import random
import secrets
from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.services import create_user, find_user_by_email
from lms.extensions import db, utcnow
from lms.organisations.models import Organisation, OrganisationStaff
from lms.programme.models import Event, EventPartner, EventRegistration

#: Invented names, realistic kinds.
PARTNERS = (
    ("Creative Hub Ljubljana", "CHL", "SI", "cci"),
    ("Štajerska Business Support Agency", "SBSA", "SI", "bso"),
    ("Politecnico Alpino di Trento", "PAT", "IT", "university"),
    ("Camera di Commercio Veneto Est", "CCVE", "IT", "bso"),
    ("Design Werkstatt Graz", "DWG", "AT", "cci"),
    ("Oberösterreich Advanced Manufacturing Cluster", "OAMC", "AT", "avm"),
    ("Kreativwirtschaft Sachsen", "KWS", "DE", "cci"),
    ("Fraunhofer-like Institut Chemnitz", "FIC", "DE", "university"),
    ("Brno Creative Centre", "BCC", "CZ", "cci"),
    ("Moravian Regional Development Agency", "MRDA", "CZ", "public"),
    ("Wrocław Design Foundation", "WDF", "PL", "cci"),
    ("Lower Silesia Industry Chamber", "LSIC", "PL", "bso"),
)
MANAGER = ("manager@example.org", "Paola Programme", "programme_manager")
PARTNER_MANAGER = ("partner@example.org", "Pia Partner", "partner_manager")


def create_programme_demo(demo_cohort, password: str) -> None:
    """Flush only; does nothing when the partners exist already."""
    from lms.certificates.models import Certificate
    from lms.cohorts.models import Membership
    from lms.cohorts.operations import add_member, create_cohort

    if db.session.scalar(sa.select(Organisation.id).where(Organisation.name == PARTNERS[0][0])):
        return
    rng = random.Random(14)  # noqa: S311 - made-up demo data  # nosec B311
    partners = []
    for name, short, country, kind in PARTNERS:
        org = Organisation(name=name, short_name=short, country=country, kind=kind,
                           website=f"https://{short.lower()}.example.org", is_partner=True)
        db.session.add(org)
        partners.append(org)
    db.session.flush()
    manager = find_user_by_email(MANAGER[0]) or create_user(*MANAGER[:2], password, role=MANAGER[2])
    pmanager = find_user_by_email(PARTNER_MANAGER[0]) or create_user(
        *PARTNER_MANAGER[:2], password, role=PARTNER_MANAGER[2]
    )
    db.session.add(OrganisationStaff(organisation_id=partners[0].id, user_id=pmanager.id, role="manager"))
    facilitator = find_user_by_email("facilitator@example.org")
    if facilitator:
        db.session.add(OrganisationStaff(organisation_id=partners[0].id, user_id=facilitator.id))
    demo_cohort.partner_id = partners[0].id
    from lms.accounts.models import User
    from lms.cohorts.models import CohortCourse
    from lms.courses.models import Course

    courses = list(db.session.scalars(
        sa.select(Course).join(CohortCourse, CohortCourse.course_id == Course.id)
        .where(CohortCourse.cohort_id == demo_cohort.id).order_by(CohortCourse.position)))
    learners = list(db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == demo_cohort.id)))
    genders = ("female", "male", "non_binary", "prefer_not", "", "")
    for user in learners:
        user.gender = rng.choice(genders)
        user.country = "SI"
    today = utcnow().date()
    # Cohorts across several partners, with learners and certificates.
    for n, partner in enumerate(partners[2:10:2]):
        cohort = create_cohort(
            f"{partner.short_name} cohort {today.year}", partner, "en",
            today - timedelta(days=60 + n * 20), today + timedelta(days=40),
            [c.id for c in courses], [],
        )
        for k in range(6):
            email = f"demo.{partner.short_name.lower()}{k + 1}@example.org"
            user = find_user_by_email(email) or create_user(
                email, f"Learner {k + 1} of {partner.short_name}", password
            )
            user.country = partner.country
            user.gender = rng.choice(genders)
            add_member(cohort, user, joined_at=utcnow() - timedelta(days=50))
            if courses and k < 3:
                course = courses[0]
                db.session.add(Certificate(
                    user_id=user.id, course_id=course.id, code=secrets.token_hex(6).upper(),
                    learner_name=user.name, course_title=course.title, area=course.area,
                    hours=4.0, issued_at=utcnow() - timedelta(days=5 + k)))
    db.session.flush()
    now = utcnow()
    past = Event(organiser_id=partners[0].id, kind="info_day", title="COCO4CCI Info Day Ljubljana",
                 description="What the programme offers CCI professionals and manufacturers.",
                 starts_at=now - timedelta(days=20), ends_at=now - timedelta(days=20, hours=-3),
                 timezone="Europe/Ljubljana", place="Creative Hub Ljubljana, Trubarjeva 5",
                 capacity=40, languages="en,sl", checkin_token=secrets.token_urlsafe(16),
                 created_by_id=manager.id)
    upcoming = Event(organiser_id=partners[4].id, kind="info_day", title="COCO4CCI Info Day Graz",
                     description="Meet the partners; matchmaking preview.",
                     starts_at=now + timedelta(days=14), ends_at=now + timedelta(days=14, hours=3),
                     timezone="Europe/Vienna", place="Design Werkstatt Graz, Lendplatz 1",
                     capacity=5, languages="en,de", checkin_token=secrets.token_urlsafe(16),
                     created_by_id=manager.id)
    db.session.add_all([past, upcoming])
    db.session.flush()
    db.session.add(EventPartner(event_id=past.id, organisation_id=partners[4].id))
    db.session.add(EventPartner(event_id=upcoming.id, organisation_id=partners[2].id))
    for k in range(12):
        db.session.add(EventRegistration(
            event_id=past.id, name=f"Guest {k + 1}", email=f"guest{k + 1}@example.org",
            organisation=PARTNERS[k % 12][0], country=PARTNERS[k % 12][2],
            gender=rng.choice(genders), status="confirmed", token=secrets.token_urlsafe(24),
            confirmed_at=now - timedelta(days=30),
            attendance="present" if k < 9 else "absent", attendance_source="organiser",
            recorded_at=now - timedelta(days=20)))
    for k in range(7):
        db.session.add(EventRegistration(
            event_id=upcoming.id, name=f"Visitor {k + 1}", email=f"visitor{k + 1}@example.org",
            country="AT", status="confirmed" if k < 5 else "waiting",
            token=secrets.token_urlsafe(24), confirmed_at=now - timedelta(days=1)))
    db.session.flush()
