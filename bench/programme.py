"""The programme indicator report at programme scale: 12 partners, 60 cohorts, 6,000 learners,
200 events, two years of activity, on a fresh SQLite database.

    .venv/bin/python bench/programme.py [--repeat 20]

Prints the report page's p50/p95 and query count, and the XLSX export time; last line JSON.
Targets (SQLite, 2 cores): p50 < 500 ms, query count independent of learners, XLSX < 5 s.
"""

# ruff: noqa: E402
import warnings

warnings.simplefilter("ignore")

import argparse
import json
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa
from common import code_version, percentile
from werkzeug.security import generate_password_hash

from lms import create_app
from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, CohortCourse, Membership
from lms.courses.models import Course
from lms.extensions import db
from lms.organisations.models import Organisation
from lms.programme.models import Event, EventPartner, EventRegistration

COUNTRIES = ("SI", "IT", "AT", "DE", "CZ", "PL")
PASSWORD = "bench-programme-password"  # noqa: S105
START = date(2024, 4, 1)


def seed(rng: random.Random) -> None:
    now = datetime.now(UTC)
    courses = []
    for n, area in enumerate(("advanced-manufacturing", "circular-economy", "cross-sector") * 2):
        courses.append(
            Course(
                slug=f"c{n}",
                area=area,
                title=f"Course {n}",
                summary="",
                level="beginner",
                duration_hours=4,
                language="en",
                source_path=f"c{n}",
                content_hash="0" * 64,
            )
        )
    db.session.add_all(courses)
    orgs = [
        Organisation(
            name=f"Partner {n}",
            short_name=f"P{n}",
            country=COUNTRIES[n % 6],
            kind="cci",
            is_partner=True,
        )
        for n in range(12)
    ]
    db.session.add_all(orgs)
    db.session.flush()
    cohorts = []
    for n in range(60):
        starts = START + timedelta(days=rng.randrange(0, 600))
        cohort = Cohort(
            name=f"Cohort {n}",
            partner_id=orgs[n % 12].id,
            language="en",
            starts_on=starts,
            ends_on=starts + timedelta(days=120),
            join_code=f"J{n:05d}",
            calendar_token=secrets.token_hex(16),
        )
        cohorts.append(cohort)
    db.session.add_all(cohorts)
    db.session.flush()
    db.session.execute(
        sa.insert(CohortCourse),
        [
            {"cohort_id": c.id, "course_id": courses[k].id, "position": i}
            for c in cohorts
            for i, k in enumerate(rng.sample(range(6), 2))
        ],
    )
    hashed = generate_password_hash(PASSWORD, method="scrypt")
    genders = ("female", "male", "non_binary", "prefer_not", "", "")
    db.session.execute(
        sa.insert(User),
        [
            {
                "email": f"l{n}@bench.example.org",
                "name": f"Learner {n}",
                "password_hash": hashed,
                "role": "learner",
                "locale": "en",
                "active": True,
                "created_at": now,
                "session_version": 1,
                "country": COUNTRIES[n % 6],
                "gender": rng.choice(genders),
                "organisation_name": "",
            }
            for n in range(6000)
        ],
    )
    user_ids = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
    course_of = {}
    for cid, course_id in db.session.execute(
        sa.select(CohortCourse.cohort_id, CohortCourse.course_id)
    ):
        course_of.setdefault(cid, []).append(course_id)
    members, certs = [], []
    for n, uid in enumerate(user_ids):
        cohort = cohorts[n % 60]
        members.append({"cohort_id": cohort.id, "user_id": uid, "joined_at": now})
        for course_id in course_of[cohort.id]:
            if rng.random() < 0.4:
                issued = datetime.combine(cohort.ends_on, datetime.min.time(), tzinfo=UTC)
                certs.append(
                    {
                        "user_id": uid,
                        "course_id": course_id,
                        "code": secrets.token_hex(8),
                        "learner_name": "x",
                        "course_title": "Course",
                        "area": "x",
                        "hours": 4.0,
                        "issued_at": issued,
                    }
                )
    db.session.execute(sa.insert(Membership), members)
    db.session.execute(sa.insert(Certificate), certs)
    events = []
    for n in range(200):
        starts = datetime.combine(
            START + timedelta(days=rng.randrange(0, 730)), datetime.min.time(), tzinfo=UTC
        )
        events.append(
            Event(
                organiser_id=orgs[n % 12].id,
                title=f"Event {n}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                checkin_token=secrets.token_hex(16),
            )
        )
    db.session.add_all(events)
    db.session.flush()
    db.session.execute(
        sa.insert(EventPartner),
        [
            {"event_id": e.id, "organisation_id": orgs[(n + 1) % 12].id}
            for n, e in enumerate(events)
            if n % 2 == 0
        ],
    )
    db.session.execute(
        sa.insert(EventRegistration),
        [
            {
                "event_id": e.id,
                "name": f"Guest {k}",
                "email": f"g{k}-{e.id}@bench.example.org",
                "organisation": "",
                "country": COUNTRIES[k % 6],
                "gender": "",
                "status": "confirmed",
                "token": secrets.token_hex(16),
                "consent_at": now,
                "created_at": now,
                "attendance": "present" if k % 4 else "absent",
                "attendance_source": "organiser",
            }
            for e in events
            for k in range(30)
        ],
    )
    db.session.execute(
        sa.insert(User).values(
            email="pm@bench.example.org",
            name="PM",
            password_hash=hashed,
            role="programme_manager",
            locale="en",
            active=True,
            created_at=now,
            session_version=1,
        )
    )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "content").mkdir()
        app = create_app(
            {
                "LMS_ENV": "testing",
                "SECRET_KEY": "b" * 40,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "LMS_CONTENT_AUTOSYNC": False,
                "LMS_CONTENT_DIR": str(Path(tmp) / "content"),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
            }
        )
        with app.app_context():
            db.create_all()
            t0 = time.perf_counter()
            seed(random.Random(14))
            seeded = time.perf_counter() - t0
        client = app.test_client()
        client.post("/login", data={"email": "pm@bench.example.org", "password": PASSWORD})
        query = {"from": "2024-04-01", "to": "2026-03-31"}
        with app.app_context():
            engine = db.engine
        queries = []
        sa.event.listen(engine, "before_cursor_execute", lambda *a, **k: queries.append(1))
        samples, counts = [], []
        for _ in range(args.repeat):
            queries.clear()
            t = time.perf_counter()
            response = client.get("/programme/report", query_string=query)
            samples.append((time.perf_counter() - t) * 1000)
            counts.append(len(queries))
            assert response.status_code == 200, response.status_code
        t = time.perf_counter()
        xlsx = client.get("/programme/report.xlsx", query_string=query)
        xlsx_s = time.perf_counter() - t
        assert xlsx.status_code == 200
    result = {
        "bench": "programme",
        "code": code_version(),
        "learners": 6000,
        "cohorts": 60,
        "events": 200,
        "seed_s": round(seeded, 1),
        "report_p50_ms": round(percentile(samples, 0.5), 1),
        "report_p95_ms": round(percentile(samples, 0.95), 1),
        "report_queries": max(counts),
        "xlsx_s": round(xlsx_s, 2),
        "xlsx_bytes": len(xlsx.data),
    }
    print(
        f"report page: p50 {result['report_p50_ms']} ms, p95 {result['report_p95_ms']} ms, "
        f"{result['report_queries']} queries"
    )
    print(f"XLSX export: {result['xlsx_s']} s ({len(xlsx.data)} bytes)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
