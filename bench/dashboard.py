"""How fast is the facilitator's cohort page for 50, 500 and 2,000 learners?

For each size this builds a fresh SQLite database (bulk inserts, realistic varied data),
signs a facilitator in through the real test client and times ``GET /facilitate/cohorts/<id>``,
counting the SQL statements each request runs. Usage and measured figures: ``bench/README.md``.

    .venv/bin/python bench/dashboard.py [--sizes 50,500,2000] [--modules 40] [--repeat N]

The last line printed is one JSON object with every figure, for scripts and CI.
"""

# ruff: noqa: E402
# (The warnings filter comes first so that it also silences warnings raised while importing.)
import warnings

# Deprecation and resource notices are not what this benchmark measures: keep the output clean.
warnings.simplefilter("ignore")

import argparse
import cProfile
import io
import json
import math
import os
import platform
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa
from common import code_version, percentile  # noqa: E402 - bench/ is the script's folder
from flask import url_for
from markupsafe import escape
from werkzeug.security import generate_password_hash

from lms import create_app
from lms.accounts.models import User
from lms.accounts.services import create_user
from lms.cohorts.models import (
    ATTENDANCE_STATUSES,
    Attendance,
    Cohort,
    CohortCourse,
    CohortFacilitator,
    Meeting,
    Membership,
    ModuleTarget,
)
from lms.cohorts.operations import new_join_code, new_token
from lms.content.quizformat import parse_quiz
from lms.content.render import Renderer
from lms.content.tree import AREAS
from lms.content.yamlfile import load_yaml
from lms.courses.models import Course, Module
from lms.extensions import db, utcnow
from lms.progress.models import Completion, ModuleVisit
from lms.publishing.sync import render_questions
from lms.quizzes.grading import grade, make_layout
from lms.quizzes.models import Attempt, AttemptAnswer, Quiz

PASSWORD = "bench password 2026"
FACILITATOR_EMAIL = "facilitator@bench.example.org"
COURSES = 4
TARGET_LEARNERS, TARGET_P50_MS = 2000, 500
#: Growth counts as linear while p50 ~ n^k with k at most this between two sizes: 1 is exactly
#: linear, the 0.1 absorbs timing noise on a shared 2-core machine; quadratic work shows as ~2.
LINEAR_EXPONENT = 1.1
#: Learners generated and inserted per batch (bounds memory at 2,000+ learners).
BATCH = 250

FIRST_NAMES = (
    "Amira Anna Ben Carla Chiara Dario Eleni Elif Emma Finn Francesca Georg Hana Ines Ivan "
    "Jana Jonas Karim Katarzyna Lars Laura Lea Lukas Maja Marco Marta Mateo Mia Nadia Niamh "
    "Noah Olga Paul Petra Rosa Sofia Tomás Ulla Yusuf Zoë Łukasz Siobhán Ștefan Ágnes"
).split()
LAST_NAMES = (
    "Abadi Bauer Berger Costa Dimitrova Dubois Eriksson Fischer García Gruber Hansen Horvat "
    "Huber Ivanova Jansen Kaya Keller Kovács Kowalski Lang Lindqvist Mayer Moreau Müller "
    "Nagy Novak O'Brien Papadopoulos Pichler Rossi Santos Schmid Schneider Silva Steiner "
    "Szabó Van-der-Berg Vogel Wagner Weber Wolf Yılmaz Zimmermann Ziegler Černý"
).split()
TOPICS = (
    "Introduction",
    "Materials and processes",
    "Design for additive manufacturing",
    "Slicing and print settings",
    "Post-processing",
    "Quality and inspection",
    "Costs and business models",
    "Sustainability",
    "Case study",
    "Putting it together",
)

QUIZ_YAML = """\
pass_mark: 70
reveal: after_each_attempt
questions:
  - id: core-idea
    type: single
    prompt: "Module {n}: which statement describes the core idea of **{topic}**?"
    choices:
      - text: The one the module argues for
        correct: true
      - text: A common misconception
        feedback: This is what many people believe, but the module shows otherwise.
      - text: An unrelated process
      - text: None of these
    explanation: The module's second section explains why.
  - id: pick-all
    type: multiple
    prompt: "Module {n}: select every factor that matters for {topic}."
    choices:
      - text: Material
        correct: true
      - text: Geometry
        correct: true
      - text: The colour of the printer
      - text: The day of the week
  - id: true-or-false
    type: truefalse
    prompt: "Module {n}: {topic} always needs a specialised lab."
    answer: false
    correct_feedback: Right, a makerspace is often enough.
    incorrect_feedback: Many makerspaces can do this.
  - id: name-it
    type: short
    prompt: "Module {n}: name the process that builds parts layer by layer."
    answers: [additive manufacturing, 3d printing]
  - id: reflect
    type: reflection
    prompt: "Module {n}: how would you use {topic} in your own practice?"
"""

MODULE_BODY = (
    "<h2 id='overview'>Overview</h2>"
    + "<p>Creative professionals meet advanced manufacturing in workshops, studios and labs. "
    "This paragraph stands for the prose of a real module, with <strong>emphasis</strong>, "
    "<a href='https://example.org'>links</a> and lists.</p>" * 30
)


def build_questions(renderer: Renderer, number: int, topic: str) -> list[dict]:
    """A module's quiz questions in the app's own normalised, rendered form."""
    data = load_yaml(QUIZ_YAML.format(n=number, topic=topic))
    quiz, errors = parse_quiz(data, f"bench/{number:02d}.quiz.yml")
    assert not errors, errors
    return render_questions(quiz["questions"], renderer)


# --- building the database ----------------------------------------------------------------


@dataclass
class Dataset:
    """What the pages should show, kept to check each response."""

    cohort_id: int
    modules: int
    learners: dict[int, str]  #: user id -> name, the cohort's members
    others: set[int]  #: learners of another cohort: never on this cohort's page
    counts: dict[str, int] = field(default_factory=dict)  #: rows inserted per table


def _insert(model, rows: list[dict], counts: dict[str, int]) -> None:
    if rows:
        db.session.execute(sa.insert(model), rows)
        counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(rows)


def _wrong_choices(rng: random.Random, size: int, right: set[int]) -> list[int]:
    while True:
        picked = {i for i in range(size) if rng.random() < 0.5}
        if picked and picked != right:
            return sorted(picked)


def _response(rng: random.Random, question: dict, right: bool) -> dict | None:
    """What a learner sends for ``question``, aiming to be right or wrong."""
    qtype = question["type"]
    if qtype == "reflection":
        return {"text": "I would prototype a stage set with it."} if rng.random() < 0.8 else None
    if not right and rng.random() < 0.05:
        return None  # left unanswered
    if qtype == "single":
        correct = next(i for i, c in enumerate(question["choices"]) if c["correct"])
        others = [i for i in range(len(question["choices"])) if i != correct]
        return {"choice": correct if right else rng.choice(others)}
    if qtype == "multiple":
        correct = {i for i, c in enumerate(question["choices"]) if c["correct"]}
        return {
            "choices": sorted(correct)
            if right
            else _wrong_choices(rng, len(question["choices"]), correct)
        }
    if qtype == "truefalse":
        return {"answer": question["answer"] if right else not question["answer"]}
    if qtype == "short":
        return {"text": question["answers"][0]["text"] if right else "milling"}
    raise ValueError(qtype)


class Builder:
    """Generates and bulk-inserts one cohort's worth of realistic data."""

    def __init__(self, rng: random.Random, now: datetime, modules: list[dict], counts):
        self.rng, self.now, self.modules, self.counts = rng, now, modules, counts
        self.start = now - timedelta(days=70)
        self.next_attempt_id = 1

    def attempt(self, user_id, module, number, ability, at, outcome) -> tuple[dict, list[dict]]:
        """One attempt and its graded answers. ``outcome``: pass, fail, free or open."""
        rng, questions = self.rng, module["questions"]
        attempt_id = self.next_attempt_id
        self.next_attempt_id += 1
        row = {
            "id": attempt_id,
            "user_id": user_id,
            "quiz_id": module["quiz_id"],
            "module_id": module["id"],
            "number": number,
            "questions": questions,
            "quiz_hash": module["quiz_hash"],
            "pass_mark": 70,
            "reveal": "after_each_attempt",
            "layout": make_layout(questions, False, f"{user_id}:{module['quiz_id']}:{number}"),
            "started_at": at - timedelta(minutes=12),
            "submitted_at": None,
            "score": None,
            "max_score": None,
            "percent": None,
            "passed": None,
        }
        if outcome == "open":
            return row, []
        for _ in range(50):
            answers, score, max_score = [], 0.0, 0.0
            for question, difficulty in zip(questions, module["difficulty"], strict=True):
                if outcome == "pass":
                    chance = 1.0 if number >= 3 else min(0.98, ability + 0.35 - difficulty)
                elif outcome == "fail":
                    chance = 0.3
                else:
                    chance = max(0.05, min(0.98, ability + 0.15 - difficulty))
                response = _response(rng, question, rng.random() < chance)
                points, maximum, correct = grade(question, response)
                score, max_score = score + points, max_score + maximum
                answers.append(
                    {
                        "attempt_id": attempt_id,
                        "question_id": question["id"],
                        "question_type": question["type"],
                        "response": response,
                        "score": points,
                        "max_score": maximum,
                        "correct": correct,
                    }
                )
            percent = round(100 * score / max_score, 2) if max_score else 100.0
            if outcome != "fail" or percent < 70:
                break
        row.update(
            submitted_at=at,
            score=round(score, 4),
            max_score=max_score,
            percent=percent,
            passed=percent >= 70,
        )
        return row, answers

    def learners(self, cohort_id, users, meetings, facilitator_id) -> None:
        """Members with visits, completions, attempts and attendance, inserted in batches."""
        for first in range(0, len(users), BATCH):
            batch: dict[type, list[dict]] = defaultdict(list)
            for user_id in users[first : first + BATCH]:
                self._learner(cohort_id, user_id, meetings, facilitator_id, batch)
            for model in (Membership, ModuleVisit, Completion, Attempt, AttemptAnswer, Attendance):
                _insert(model, batch[model], self.counts)

    def _learner(self, cohort_id, user_id, meetings, facilitator_id, batch) -> None:
        rng, now, modules = self.rng, self.now, self.modules
        ability = rng.betavariate(4, 2)
        joined = self.start + (
            timedelta(hours=rng.uniform(0, 72))
            if rng.random() < 0.85
            else timedelta(days=rng.uniform(10, 60))
        )
        batch[Membership].append({"cohort_id": cohort_id, "user_id": user_id, "joined_at": joined})
        kind = rng.random()
        if kind < 0.08:
            done, open_ = 0, 0  # never started
        elif kind < 0.20:
            done, open_ = len(modules), 0  # finished everything
        else:
            done = min(len(modules) - 1, int(len(modules) * rng.betavariate(2.5, 1.5)))
            open_ = min(len(modules) - done, rng.choice((0, 1, 1, 2)))
        visited = done + open_
        if visited:
            if rng.random() < 0.2:  # inactive for a while: flagged "at risk"
                last = now - timedelta(days=rng.uniform(15, 45))
            else:
                last = now - timedelta(days=rng.uniform(0, 10), minutes=rng.uniform(0, 600))
            last = max(last, joined + timedelta(hours=1))
        for index, module in enumerate(modules[:visited]):
            at = joined + (last - joined) * (index + 1) / visited
            completed = index < done
            batch[ModuleVisit].append(
                {
                    "user_id": user_id,
                    "module_id": module["id"],
                    "first_visited_at": max(joined, at - timedelta(minutes=rng.uniform(20, 90))),
                    "last_visited_at": at,
                    "read_at": at - timedelta(minutes=5) if completed else None,
                }
            )
            if completed:
                batch[Completion].append(
                    {"user_id": user_id, "module_id": module["id"], "completed_at": at}
                )
                outcomes = ["pass"]
            else:
                outcomes = rng.choice(([], [], ["fail"], ["fail", "fail"], ["free"], ["open"]))
            number = 0
            for outcome in outcomes:
                while True:
                    number += 1
                    when = at - timedelta(minutes=10 * (4 - number))
                    row, graded = self.attempt(user_id, module, number, ability, when, outcome)
                    batch[Attempt].append(row)
                    batch[AttemptAnswer].extend(graded)
                    if outcome != "pass" or row["passed"]:
                        break
        for meeting in meetings:
            if meeting["starts_at"] > now or meeting["starts_at"] < joined:
                continue
            if rng.random() < 0.03:
                continue  # not recorded yet
            (status,) = rng.choices(ATTENDANCE_STATUSES, weights=(72, 12, 8, 8))
            batch[Attendance].append(
                {
                    "meeting_id": meeting["id"],
                    "user_id": user_id,
                    "status": status,
                    "source": "checkin"
                    if status != "absent" and rng.random() < 0.5
                    else "facilitator",
                    "recorded_at": meeting["starts_at"] + timedelta(hours=2),
                    "recorded_by_id": facilitator_id,
                }
            )


def populate(learners: int, module_count: int, seed: int) -> Dataset:
    """Fill the empty database of the current app; returns what the page should show."""
    rng = random.Random(seed)
    now = utcnow()
    counts: dict[str, int] = {}
    facilitator = create_user(FACILITATOR_EMAIL, "Fran Facilitator", PASSWORD, role="facilitator")
    db.session.flush()

    renderer = Renderer()
    course_count = max(1, min(COURSES, module_count))
    sizes = [
        module_count // course_count + (1 if c < module_count % course_count else 0)
        for c in range(course_count)
    ]
    course_rows, module_rows, quiz_rows, modules = [], [], [], []
    for c, size in enumerate(sizes, start=1):
        course_rows.append(
            {
                "id": c,
                "slug": f"bench-course-{c}",
                "area": AREAS[(c - 1) % len(AREAS)],
                "title": f"Course {c}: additive manufacturing for creatives",
                "summary": "A benchmark course.",
                "level": "beginner",
                "duration_hours": 6.0,
                "language": "en",
                "objectives": ["Understand the process", "Plan a first project"],
                "prerequisites": [],
                "intro_html": "<p>What this course is about.</p>",
                "required_sessions": 0,
                "source_path": f"technology/bench-course-{c}",
                "content_hash": f"{c:064x}",
                "created_at": now - timedelta(days=200),
                "updated_at": now - timedelta(days=100),
                "archived_at": None,
            }
        )
        for position in range(1, size + 1):
            module_id = len(module_rows) + 1
            topic = TOPICS[(position - 1) % len(TOPICS)]
            module_rows.append(
                {
                    "id": module_id,
                    "course_id": c,
                    "slug": f"{position:02d}-{topic.lower().replace(' ', '-')}",
                    "position": position,
                    "title": topic,
                    "duration_minutes": 30,
                    "objectives": ["Explain the idea", "Apply it"],
                    "body_html": MODULE_BODY,
                    "toc": [{"id": "overview", "name": "Overview", "children": []}],
                    "word_count": 1200,
                    "source_path": f"technology/bench-course-{c}/{position:02d}-module.md",
                    "content_hash": f"{module_id:064x}",
                    "created_at": now - timedelta(days=200),
                    "updated_at": now - timedelta(days=100),
                    "archived_at": None,
                }
            )
            questions = build_questions(renderer, module_id, topic)
            quiz_hash = f"{module_id + 1000:064x}"
            quiz_rows.append(
                {
                    "id": module_id,
                    "module_id": module_id,
                    "pass_mark": 70,
                    "max_attempts": 0,
                    "shuffle": False,
                    "reveal": "after_each_attempt",
                    "questions": questions,
                    "content_hash": quiz_hash,
                    "updated_at": now - timedelta(days=100),
                    "archived_at": None,
                }
            )
            modules.append(
                {
                    "id": module_id,
                    "quiz_id": module_id,
                    "quiz_hash": quiz_hash,
                    "questions": questions,
                    # Some questions are much harder than others: "hardest questions" has data.
                    "difficulty": [rng.uniform(0.0, 0.55) for _ in questions],
                }
            )
    _insert(Course, course_rows, counts)
    _insert(Module, module_rows, counts)
    _insert(Quiz, quiz_rows, counts)

    password_hash = generate_password_hash(PASSWORD, method="scrypt")
    others = max(10, learners // 10)
    first_id = facilitator.id + 1
    user_rows, names = [], {}
    for index in range(learners + others):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
        name = f"{first} {last}"
        if index >= len(FIRST_NAMES) * len(LAST_NAMES):
            name += f" {index // (len(FIRST_NAMES) * len(LAST_NAMES)) + 1}"
        user_id = first_id + index
        names[user_id] = name
        user_rows.append(
            {
                "id": user_id,
                "email": f"learner{index:05d}@bench.example.org",
                "name": name,
                "password_hash": password_hash,
                "role": "learner",
                "locale": "en",
                "active": True,
                "created_at": now - timedelta(days=80),
                "last_seen_at": None,
            }
        )
    rng.shuffle(user_rows)  # insertion order unrelated to name order
    _insert(User, user_rows, counts)

    builder = Builder(rng, now, modules, counts)
    ids = sorted(names)
    members, outsiders = ids[:learners], ids[learners:]
    for number, (users, name) in enumerate(
        ((members, "Bench cohort"), (outsiders, "Another cohort")), start=1
    ):
        _insert(
            Cohort,
            [
                {
                    "id": number,
                    "name": f"{name} ({len(users)} learners)",
                    "partner": "Bench Partner Makerspace",
                    "language": "en",
                    "starts_on": builder.start.date(),
                    "ends_on": (now + timedelta(days=60)).date(),
                    "join_code": new_join_code(),
                    "join_open": True,
                    "calendar_token": new_token(),
                    "created_at": builder.start - timedelta(days=14),
                    "archived_at": None,
                }
            ],
            counts,
        )
        _insert(
            CohortCourse,
            [
                {"cohort_id": number, "course_id": c, "position": c - 1}
                for c in range(1, course_count + 1)
            ],
            counts,
        )
        _insert(CohortFacilitator, [{"cohort_id": number, "user_id": facilitator.id}], counts)
        # A target every four days: a good third of the modules are already due.
        _insert(
            ModuleTarget,
            [
                {
                    "cohort_id": number,
                    "module_id": m["id"],
                    "due_on": (builder.start + timedelta(days=10 + 4 * i)).date(),
                }
                for i, m in enumerate(modules)
                if i < len(modules) * 3 // 4
            ],
            counts,
        )
        meetings = []
        for index, day in enumerate((7, 21, 35, 49, 76)):  # four past, one upcoming
            starts = builder.start.replace(hour=16, minute=0, second=0, microsecond=0)
            starts += timedelta(days=day)
            meetings.append(
                {
                    "id": (number - 1) * 10 + index + 1,
                    "cohort_id": number,
                    "title": f"Studio session {index + 1}",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                    "timezone": "Europe/Vienna",
                    "place": "Makerspace, Room 2",
                    "online_url": "",
                    "capacity": None,
                    "notes": "",
                    "checkin_token": new_token(),
                    "created_at": builder.start,
                    "updated_at": builder.start,
                    "sequence": 0,
                    "cancelled_at": None,
                }
            )
        _insert(Meeting, meetings, counts)
        builder.learners(number, users, meetings, facilitator.id)
    db.session.commit()
    return Dataset(
        cohort_id=1,  # the first cohort built; the second only surrounds it
        modules=len(modules),
        learners={i: names[i] for i in members},
        others=set(outsiders),
        counts=counts,
    )


# --- measuring ----------------------------------------------------------------------------


def csrf_token(client, url: str = "/login") -> str:
    """The CSRF token the page at ``url`` gives this client's session."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    if not match:
        raise SystemExit(f"no CSRF token on {url}")
    return match.group(1)


def expect(condition, message: str) -> None:
    """Like ``assert``, but also under ``python -O``: a wrong page must never be timed."""
    if not condition:
        raise AssertionError(message)


PAGE_SIZE = 100  # learners per page of the matrix (lms.cohorts.lists.PAGE_SIZE)


def check_page(html: str, data: Dataset, learner_link: str, rng: random.Random) -> tuple[int, int]:
    """Page 1 shows the first learners by name, with every cell. Returns (rows, at risk)."""
    shown = [int(i) for i in re.findall(rf'href="{re.escape(learner_link)}(\d+)"', html)]
    by_name = sorted(data.learners, key=lambda i: data.learners[i].casefold())
    expected = by_name[:PAGE_SIZE]
    expect(shown == expected, f"page 1 shows {len(shown)} rows, not the first {len(expected)}")
    expect(not data.others & set(shown), "learners of another cohort are on the page")
    for user_id in rng.sample(expected, min(5, len(expected))):
        expect(str(escape(data.learners[user_id])) in html, f"{data.learners[user_id]} not shown")
    cells = html.count('<td class="cell cell-')
    expect(cells == len(shown) * data.modules, f"{cells} cells, not {len(shown)}x{data.modules}")
    if len(data.learners) > PAGE_SIZE:
        expect(f"of {len(data.learners)}</p>" in html, "no 'Learners 1-100 of N' line")
    return len(shown), html.count('<tr class="at-risk">')


def check_all_pages(client, url: str, data: Dataset, learner_link: str) -> int:
    """Untimed: walking every page shows each member exactly once. Returns the page count."""
    seen: list[int] = []
    pages = -(-len(data.learners) // PAGE_SIZE)
    for number in range(1, pages + 1):
        html = client.get(f"{url}?page={number}").get_data(as_text=True)
        seen += [int(i) for i in re.findall(rf'href="{re.escape(learner_link)}(\d+)"', html)]
    expect(sorted(seen) == sorted(data.learners), f"{len(seen)} rows over {pages} pages")
    return pages


def measure(size: int, modules: int, repeat: int, warmup: int, seed: int, profile: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        os.environ["LMS_INSTANCE_PATH"] = str(Path(tmp) / "instance")
        (Path(tmp) / "content").mkdir()
        app = create_app(
            {
                "LMS_ENV": "testing",
                "TESTING": True,
                "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-tests",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                "LMS_CONTENT_DIR": str(Path(tmp) / "content"),
                "LMS_CONTENT_AUTOSYNC": False,
            }
        )
        built = time.perf_counter()
        with app.app_context():
            db.create_all()
            data = populate(size, modules, seed)
            engine = db.engine
        built = time.perf_counter() - built

        statements = [0]

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _count(*_args):
            statements[0] += 1

        client = app.test_client()
        token = csrf_token(client)
        response = client.post(
            "/login", data={"csrf_token": token, "email": FACILITATOR_EMAIL, "password": PASSWORD}
        )
        expect(response.status_code == 302, f"sign-in answered {response.status_code}")
        with app.test_request_context():
            url = url_for("cohorts.cohort", cohort_id=data.cohort_id)
            learner_link = url_for("cohorts.learner", cohort_id=data.cohort_id, user_id=1)[:-1]
        rng = random.Random(seed)

        def get() -> tuple[float, int, str]:
            statements[0] = 0
            started = time.perf_counter()
            response = client.get(url)
            html = response.get_data(as_text=True)
            elapsed = time.perf_counter() - started
            expect(response.status_code == 200, f"GET {url} answered {response.status_code}")
            return elapsed * 1000, statements[0], html

        for _ in range(warmup):
            _ms, _queries, html = get()
            rows, at_risk = check_page(html, data, learner_link, rng)
        check_all_pages(client, url, data, learner_link)
        timings, queries = [], set()
        for _ in range(repeat):
            ms, count, html = get()
            timings.append(ms)
            queries.add(count)
            rows, at_risk = check_page(html, data, learner_link, rng)
        page_kb = len(html.encode()) / 1024

        profile_text = None
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(3):
                client.get(url).get_data()
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("cumulative").print_stats(30)
            stats.sort_stats("tottime").print_stats(20)
            profile_text = out.getvalue()

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return {
            "learners": size,
            "modules": data.modules,
            "queries": max(queries),
            "queries_seen": sorted(queries),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 0.95), 1),
            "ms_per_learner": round(statistics.median(timings) / size, 3),
            "rows": rows,
            "at_risk": at_risk,
            "cells": rows * data.modules,
            "page_kb": round(page_kb),
            "requests": repeat,
            "build_s": round(built, 1),
            "inserted": data.counts,
            "profile": profile_text,
        }


# --- reporting ----------------------------------------------------------------------------


def growth(results: list[dict]) -> tuple[bool | None, list[str]]:
    """Whether p50 grows no faster than the learner count, pair by pair."""
    lines, linear = [], None
    for small, big in zip(results, results[1:], strict=False):
        ratio = big["ms_per_learner"] / small["ms_per_learner"]
        exponent = math.log(big["p50_ms"] / small["p50_ms"]) / math.log(
            big["learners"] / small["learners"]
        )
        ok = exponent <= LINEAR_EXPONENT
        linear = ok if linear is None else linear and ok
        lines.append(
            f"  {small['learners']:>5} -> {big['learners']:<5} learners: per-learner time "
            f"{small['ms_per_learner']:.3f} -> {big['ms_per_learner']:.3f} ms (x{ratio:.2f}), "
            f"p50 ~ n^{exponent:.2f}: {'linear or better' if ok else 'FASTER THAN LINEAR'}"
        )
    return linear, lines


def report(results: list[dict]) -> dict:
    print()
    print(
        f"Cohort page GET /facilitate/cohorts/<id> - SQLite, Python {platform.python_version()}, "
        f"SQLAlchemy {sa.__version__}, {os.cpu_count()} CPUs, code {code_version()}"
    )
    header = (
        f"{'learners':>8} {'modules':>7} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'ms/learner':>10} {'matrix rows':>11} {'at risk':>7} {'cells':>7} {'page KB':>7} "
        f"{'requests':>8} {'build s':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['learners']:>8} {r['modules']:>7} {r['queries']:>7} {r['p50_ms']:>8.1f} "
            f"{r['p95_ms']:>8.1f} {r['ms_per_learner']:>10.3f} {r['rows']:>11} {r['at_risk']:>7} "
            f"{r['cells']:>7} {r['page_kb']:>7} {r['requests']:>8} {r['build_s']:>7}"
        )
    print()
    for r in results:
        rows = ", ".join(f"{k} {v}" for k, v in sorted(r["inserted"].items()))
        print(f"  data for {r['learners']} learners: {rows}")
    print()
    counts = {q for r in results for q in r["queries_seen"]}
    constant = len(counts) == 1
    print(
        f"Queries per page: {'constant at ' + str(counts.pop()) if constant else sorted(counts)}"
        f"{'' if constant else ' - VARIES with the cohort size'}"
    )
    linear, lines = growth(results)
    if linear is None:
        print("Growth: one size only, nothing to compare.")
    else:
        print(f"Growth no faster than linear: {'yes' if linear else 'NO'}")
        print("\n".join(lines))
    target = next((r for r in results if r["learners"] == TARGET_LEARNERS), None)
    meets = None if target is None else target["p50_ms"] < TARGET_P50_MS
    if target is None:
        print(f"Target: {TARGET_LEARNERS} learners not measured (add it to --sizes).")
    else:
        print(
            f"Target: {TARGET_LEARNERS} learners p50 {target['p50_ms']:.0f} ms "
            f"{'<' if meets else '>='} {TARGET_P50_MS} ms: {'MET' if meets else 'MISSED'}"
        )
    return {
        "benchmark": "dashboard",
        "results": [
            {
                k: r[k]
                for k in (
                    "learners",
                    "modules",
                    "queries",
                    "p50_ms",
                    "p95_ms",
                    "ms_per_learner",
                    "rows",
                    "requests",
                )
            }
            for r in results
        ],
        "queries_constant": constant,
        "linear": linear,
        "target_2000_p50_ms": TARGET_P50_MS,
        "meets_target": meets,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,500,2000", help="learner counts, comma-separated")
    parser.add_argument("--modules", type=int, default=40, help="modules in all (4 courses)")
    parser.add_argument(
        "--repeat", type=int, help="timed requests per size (default 20; 10 from 1,000 learners)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of the largest size's page"
    )
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes whole numbers, e.g. 50,500,2000")
    if not sizes or min(sizes) < 1 or args.modules < 1:
        parser.error("give at least one size of 1 or more learners, and 1 or more modules")
    results = []
    for size in sizes:
        repeat = args.repeat or (20 if size < 1000 else 10)
        print(
            f"measuring {size} learners x {args.modules} modules ({repeat} requests) ...",
            flush=True,
        )
        results.append(
            measure(
                size,
                args.modules,
                repeat,
                args.warmup,
                args.seed + size,
                args.profile and size == sizes[-1],
            )
        )
    for r in results:
        if r["profile"]:
            print(f"\ncProfile of 3 requests at {r['learners']} learners:\n{r['profile']}")
    summary = report(results)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
