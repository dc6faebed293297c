"""Collider at programme scale: suggestions for one profile, and a whole matchmaking scheduled.

2,000 published profiles, 300 challenges, an event with 300 participants, 900 accepted
requests, 12 slots x 40 tables, in a throwaway SQLite database (or ``--database URL``).
Prints suggestions p50/p95 (the first call, which builds the index, apart), the scheduling time
and how many meetings were placed of how many requested; the last line is JSON.

    .venv/bin/python bench/collider.py
"""

import argparse
import json
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import code_version, percentile  # noqa: E402

WORDS = (
    "circular packaging material recycled design prototype sensor robot automation casting "
    "textile composite lightweight ergonomics interface brand story film exhibition user "
    "research service digital twin additive printing metal polymer furniture lighting sound "
    "visual identity sustainability repair modular assembly workshop training safety data "
    "visualisation augmented reality virtual showroom craft heritage wood ceramics glass"
).split()


def seed(app, rng, profiles=2000, challenges=300, participants=300, accepted=900):
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from lms.accounts.models import User
    from lms.collider.models import (
        Matchmaking,
        MeetingRequest,
        MeetingSlot,
        MeetingTable,
        Participant,
        Post,
        Profile,
        ProfileTag,
    )
    from lms.collider.vocabulary import SECTORS, SKILLS
    from lms.extensions import db, utcnow
    from lms.organisations.models import Organisation
    from lms.programme.models import Event

    hashed = generate_password_hash("not used by the benchmark")
    skills, sectors = list(SKILLS), list(SECTORS)
    users = [
        User(email=f"p{i}@bench.example", name=f"Person {i}", password_hash=hashed)
        for i in range(profiles)
    ]
    db.session.add_all(users)
    db.session.flush()
    for i, user in enumerate(users):
        avm = i % 4 == 0
        profile = Profile(
            user_id=user.id,
            published=True,
            sector="avm" if avm else "cci",
            headline=" ".join(rng.sample(WORDS, 4)),
            pitch=" ".join(rng.choices(WORDS, k=40)),
            areas=",".join(rng.sample(["technology", "trends", "mindset"], rng.randint(1, 3))),
        )
        tags = rng.sample(sectors if avm else skills, 4) + rng.sample(skills + sectors, 2)
        profile.tags = [ProfileTag(tag=t) for t in dict.fromkeys(tags)]
        db.session.add(profile)
    for i in range(challenges):
        db.session.add(
            Post(
                kind="challenge",
                author_id=users[(i * 4) % profiles].id,
                title=" ".join(rng.sample(WORDS, 5)),
                body=" ".join(rng.choices(WORDS, k=60)),
                area=rng.choice(["technology", "trends", "mindset"]),
                tags=",".join(rng.sample(skills, 3)),
            )
        )
    host = Organisation(name="Bench hub", country="SI", kind="cci", is_partner=True)
    db.session.add(host)
    db.session.flush()
    start = utcnow() + timedelta(days=30)
    event = Event(
        organiser_id=host.id,
        kind="matchmaking",
        title="Bench brokerage",
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        checkin_token=secrets.token_urlsafe(16),
    )
    db.session.add(event)
    db.session.flush()
    setup = Matchmaking(
        event_id=event.id,
        booking_opens_at=utcnow() - timedelta(days=10),
        booking_closes_at=start - timedelta(days=1),
    )
    for n in range(12):
        slot_start = start + timedelta(minutes=25 * n)
        setup.slots.append(
            MeetingSlot(starts_at=slot_start, ends_at=slot_start + timedelta(minutes=20))
        )
    for n in range(40):
        setup.tables.append(MeetingTable(label=f"T{n + 1}", position=n))
    db.session.add(setup)
    db.session.flush()
    slot_ids = [s.id for s in setup.slots]
    people = []
    for user in users[:participants]:
        busy = rng.sample(slot_ids, rng.randint(0, 4))
        people.append(
            Participant(
                matchmaking_id=setup.id,
                user_id=user.id,
                unavailable=",".join(str(s) for s in busy),
            )
        )
    db.session.add_all(people)
    db.session.flush()
    pairs = set()
    while len(pairs) < accepted:
        a, b = rng.sample(range(participants), 2)
        pairs.add((min(a, b), max(a, b)))
    db.session.add_all(
        MeetingRequest(
            matchmaking_id=setup.id,
            requester_id=people[a].id,
            recipient_id=people[b].id,
            status="accepted",
        )
        for a, b in sorted(pairs)
    )
    db.session.commit()
    return setup.id, db.session.scalar(sa.select(Profile.id).where(Profile.sector == "cci"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: a throwaway SQLite file)")
    parser.add_argument("--repeat", type=int, default=40, help="suggestion calls to time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("LMS_INSTANCE_PATH", tmp)
        from lms import create_app
        from lms.extensions import db

        app = create_app(
            {
                "LMS_ENV": "testing",
                "SECRET_KEY": "bench-secret-key-long-enough-for-the-benchmark",
                "SQLALCHEMY_DATABASE_URI": args.database or f"sqlite:///{tmp}/bench.sqlite3",
                "LMS_CONTENT_AUTOSYNC": False,
            }
        )
        rng = random.Random(2026)
        with app.app_context():
            db.create_all()
            t0 = time.perf_counter()
            setup_id, _ = seed(app, rng)
            seeded = time.perf_counter() - t0
            print(f"seeded in {seeded:.1f} s: 2,000 profiles, 300 challenges, 300 participants")

            import sqlalchemy as sa

            from lms.collider.matchmaking import run_scheduler
            from lms.collider.models import Matchmaking, Profile
            from lms.collider.services import suggestions_for

            profile_ids = list(
                db.session.scalars(sa.select(Profile.id).where(Profile.sector == "cci").limit(500))
            )
            t0 = time.perf_counter()
            suggestions_for(db.session.get(Profile, profile_ids[0]))
            first = (time.perf_counter() - t0) * 1000
            samples = []
            for pid in rng.sample(profile_ids, args.repeat):
                profile = db.session.get(Profile, pid)
                t0 = time.perf_counter()
                found = suggestions_for(profile)
                samples.append((time.perf_counter() - t0) * 1000)
                assert found["posts"] and found["people"]
            p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
            print(
                f"suggestions: first call {first:.0f} ms (builds the index); "
                f"then p50 {p50:.1f} ms, p95 {p95:.1f} ms over {args.repeat} profiles "
                "(target p95 < 200 ms)"
            )

            setup = db.session.get(Matchmaking, setup_id)
            t0 = time.perf_counter()
            result = run_scheduler(setup)
            db.session.commit()
            scheduled = time.perf_counter() - t0
            print(
                f"scheduling: {result['placed']} of {result['requested']} accepted meetings "
                f"placed ({result['seats']} seats: 12 slots x 40 tables) in {scheduled:.2f} s "
                "(target < 5 s)"
            )
        print(
            json.dumps(
                {
                    "bench": "collider",
                    "code": code_version(),
                    "suggestions_first_ms": round(first, 1),
                    "suggestions_p50_ms": round(p50, 1),
                    "suggestions_p95_ms": round(p95, 1),
                    "schedule_s": round(scheduled, 3),
                    "placed": result["placed"],
                    "requested": result["requested"],
                    "seats": result["seats"],
                }
            )
        )


if __name__ == "__main__":
    main()
