"""The fuzzing world: two cohorts with their people and objects, saved as a template file.

Every generated request runs against a copy of the template database. After a request that
wrote anything, the whole database is compared with the template: each changed row must
belong to something the requesting role may change (see :func:`row_scopes` and
:meth:`World.may_change`), then the live file is replaced by the template again.
"""

import logging
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

from lms.extensions import db, utcnow
from tests.conftest import FIXTURES, PASSWORD, complete_with_quiz, csrf_token, login, submit_quiz
from tests.factories import make_meeting
from tests.support import build_test_app

#: The roles every endpoint is tried as.
ROLES = ("anonymous", "learner", "other_learner", "facilitator", "other_facilitator", "admin")

#: Request methods the fuzzer sends (HEAD and OPTIONS are answered by Werkzeug itself).
METHODS = ("GET", "POST")

#: Statements that change data (the snapshot comparison runs only after one of them).
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)

#: Tables only an admin may change, whoever the rows name.
ADMIN_ONLY_TABLES = {"cohort_facilitators"}
#: Tables any request may add rows to: recording a refused sign-in, a signed-out session (its
#: key names nobody) or a sign-up waiting for its emailed link is not a change of anyone's data.
APPEND_ONLY_TABLES = {"audit_events", "ended_logins", "signup_requests"}
#: Columns of a user's own row that only an admin may change.
ADMIN_ONLY_USER_COLUMNS = {"role"}


class _FormParser(HTMLParser):
    """The POST forms of a page: action and the names (and sample values) of their fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": {},
                "files": set(),
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag in ("input", "textarea", "button") and name:
            values = self._form["fields"].setdefault(name, set())
            if attrs.get("value") is not None:
                values.add(attrs["value"])
            if attrs.get("type") == "file":
                self._form["files"].add(name)
        elif tag == "select" and name:
            self._select = name
            self._form["fields"].setdefault(name, set())
        elif tag == "option" and self._select and attrs.get("value") is not None:
            self._form["fields"][self._select].add(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def parse_forms(html: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


class _ServerErrors(logging.Handler):
    """Keeps the tracebacks that ``lms.errors`` logs for unexpected exceptions."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(self.format(record))


@dataclass
class World:
    """The app, the template database and what the fuzzer draws values from."""

    app: object
    live: Path
    template: Path
    people: dict[str, dict] = field(default_factory=dict)  #: role -> id, cookie, csrf token
    cohorts: dict[str, int] = field(default_factory=dict)  #: "a"/"b" -> cohort id
    pools: dict[str, list] = field(default_factory=dict)  #: path parameter name -> real values
    forms: dict[str, dict] = field(default_factory=dict)  #: endpoint -> field -> sample values
    files: dict[str, set] = field(default_factory=dict)  #: endpoint -> file field names
    baseline: dict = field(default_factory=dict)
    errors: _ServerErrors = field(default_factory=_ServerErrors)
    wrote: list = field(default_factory=list)

    # --- database ----------------------------------------------------------------------

    def snapshot(self) -> dict[str, dict]:
        """Every row of every table, keyed by table and primary key."""
        connection = sqlite3.connect(self.live)
        try:
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
                )
            ]
            result = {}
            for table in tables:
                cursor = connection.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our names
                columns = [c[0] for c in cursor.description]
                result[table] = {
                    row[0] if "id" == columns[0] else row: dict(zip(columns, row, strict=True))
                    for row in cursor
                }
            return result
        finally:
            connection.close()

    def reset(self) -> None:
        """Put the template back (cheap: a file copy of a few hundred KiB)."""
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.live}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.live)

    # --- who may change what -----------------------------------------------------------

    def foreign_changes(self, role: str, after: dict) -> list[str]:
        """Rows changed by a request of ``role`` that ``role`` may not change."""
        before = self.baseline
        if role == "admin":
            return []
        context = _Context(before, after)
        me = self.people[role]["id"] if role != "anonymous" else None
        problems = []
        for table in sorted(set(before) | set(after)):
            old_rows, new_rows = before.get(table, {}), after.get(table, {})
            for key in set(old_rows) | set(new_rows):
                old, new = old_rows.get(key), new_rows.get(key)
                if old == new:
                    continue
                if table in APPEND_ONLY_TABLES and old is None:
                    continue
                if not self.may_change(role, me, table, old, new, context):
                    problems.append(f"{table} {key}: {old!r} -> {new!r}")
        return problems

    def may_change(self, role, me, table, old, new, context) -> bool:
        if table in ADMIN_ONLY_TABLES:
            return False
        if table == "users" and old is not None and new is not None:
            changed = {k for k in old if old[k] != new.get(k)}
            if changed & ADMIN_ONLY_USER_COLUMNS:
                return False
        scopes = set()
        for row in (old, new):
            if row is not None:
                scopes |= row_scopes(table, row, context)
        if not scopes:
            return False  # content, or a table nobody may change over HTTP
        new_user = table == "users" and old is None
        if new_user and role in ("anonymous", "facilitator", "other_facilitator"):
            return True  # sign-up; a facilitator's class list import creates accounts
        users = {s[1] for s in scopes if s[0] == "user"}
        cohorts = {s[1] for s in scopes if s[0] == "cohort"}
        if role in ("facilitator", "other_facilitator"):
            mine = {self.cohorts["a" if role == "facilitator" else "b"]}
            if cohorts & mine:
                return True
            new_ids = context.new_user_ids
            if users and users <= new_ids:
                return True  # accounts the import just created
        if me is None or me not in users:
            return False
        # The user's own row that names a cohort (an RSVP, a check-in, a membership): only
        # a cohort the user belongs to (before or after, for joining and leaving) or runs.
        return all(context.belongs(me, cohort) for cohort in cohorts)


class _Context:
    """Lookups the row scopes need, across the before and after states."""

    def __init__(self, before: dict, after: dict):
        self.meeting_cohort = {}
        self.attempt_user = {}
        self.members = set()
        for state in (before, after):
            for row in state.get("meetings", {}).values():
                self.meeting_cohort[row["id"]] = row["cohort_id"]
            for row in state.get("attempts", {}).values():
                self.attempt_user[row["id"]] = row["user_id"]
            for table in ("memberships", "cohort_facilitators"):
                for row in state.get(table, {}).values():
                    self.members.add((row["user_id"], row["cohort_id"]))
        self.new_user_ids = set(after.get("users", {})) - set(before.get("users", {}))

    def belongs(self, user_id, cohort_id) -> bool:
        return (user_id, cohort_id) in self.members


def row_scopes(table: str, row: dict, context: _Context) -> set:
    """Whose a row is: ``("user", id)`` and/or ``("cohort", id)``; empty for content."""
    scopes = set()
    if table == "users":
        scopes.add(("user", row["id"]))
    if table == "cohorts":
        scopes.add(("cohort", row["id"]))
    if row.get("user_id") is not None:
        scopes.add(("user", row["user_id"]))
    if row.get("cohort_id") is not None:
        scopes.add(("cohort", row["cohort_id"]))
    if row.get("meeting_id") is not None:
        scopes.add(("cohort", context.meeting_cohort.get(row["meeting_id"])))
    if row.get("attempt_id") is not None:
        scopes.add(("user", context.attempt_user.get(row["attempt_id"])))
    return scopes


# --- building it ----------------------------------------------------------------------------


def build_world(base: Path) -> World:
    """Create the app, people, cohorts, sessions, attempts and a certificate; save a template."""
    content = base / "content"
    shutil.copytree(FIXTURES / "content", content)
    live, template = base / "live.sqlite3", base / "template.sqlite3"
    app = build_test_app(
        base / "instance",
        f"sqlite:///{live}",
        content,
        secret_key="fuzz-secret-key-that-is-long-enough-for-tests",
    )
    world = World(app=app, live=live, template=template)
    logging.getLogger("lms.errors").addHandler(world.errors)

    from lms.accounts.services import create_user
    from lms.cohorts.models import Attendance, FeedToken, ModuleTarget, Rsvp
    from lms.cohorts.operations import add_member, create_cohort
    from lms.courses.models import Course, Module

    with app.app_context():
        ids = {}
        for role, kind in (
            ("learner", "learner"),
            ("other_learner", "learner"),
            ("facilitator", "facilitator"),
            ("other_facilitator", "facilitator"),
            ("admin", "admin"),
        ):
            user = create_user(
                f"{role}@example.org", role.replace("_", " ").title(), PASSWORD, kind
            )
            ids[role] = user.id
        db.session.commit()
    for role, user_id in ids.items():
        world.people[role] = {"id": user_id, "email": f"{role}@example.org"}
    world.people["anonymous"] = {"id": None}

    # Both learners have attempts (open and submitted); the first completes the course.
    client = app.test_client()
    login(client, "learner@example.org")
    complete_with_quiz(client)
    client.post(
        "/courses/sample-course/second-steps/complete",
        data={"csrf_token": csrf_token(client, "/courses/sample-course/second-steps")},
    )
    client.get("/courses/sample-course/first-steps/quiz")  # a new open attempt
    client = app.test_client()
    login(client, "other_learner@example.org")
    submit_quiz(client, {"q-first-question": "1"})
    client.get("/courses/sample-course/first-steps/quiz")

    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == "sample-course"))
        module_ids = list(db.session.scalars(sa.select(Module.id).order_by(Module.id)))
        now = utcnow()
        for key, facilitator, learner in (
            ("a", "facilitator", "learner"),
            ("b", "other_facilitator", "other_learner"),
        ):
            cohort = create_cohort(
                f"Cohort {key.upper()}",
                "Partner",
                "en",
                now.date() - timedelta(days=30),
                now.date() + timedelta(days=300),
                [course.id],
                [ids[facilitator]],
            )
            from lms.accounts.models import User

            add_member(cohort, db.session.get(User, ids[learner]))
            db.session.flush()
            world.cohorts[key] = cohort.id
            meetings = []
            for n, (start, hours) in enumerate(
                ((timedelta(days=3), 2), (timedelta(minutes=-20), 2), (timedelta(days=-7), 3))
            ):
                meeting = make_meeting(
                    cohort_id=cohort.id,
                    title=f"Session {key}{n}",
                    starts_at=now + start,
                    ends_at=now + start + timedelta(hours=hours),
                    checkin_token=f"checkin-{key}{n}",
                    capacity=2,
                )
                meetings.append(meeting)
            db.session.flush()
            db.session.add(Rsvp(meeting_id=meetings[0].id, user_id=ids[learner], answer="yes"))
            db.session.add(
                Attendance(
                    meeting_id=meetings[2].id,
                    user_id=ids[learner],
                    status="present",
                    recorded_by_id=ids[facilitator],
                )
            )
            db.session.add(FeedToken(user_id=ids[learner], token=f"feed-{key}"))
            db.session.add(
                ModuleTarget(cohort_id=cohort.id, module_id=module_ids[0], due_on=now.date())
            )
        db.session.commit()

    for role, person in world.people.items():
        client = app.test_client()
        if role != "anonymous":
            login(client, person["email"])
        person["csrf"] = csrf_token(client, "/login" if role == "anonymous" else "/me/learning")
        cookie = client.get_cookie("session")
        person["cookie"] = cookie.value if cookie else None

    _collect_pools(world)
    _discover_forms(world)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    connection = sqlite3.connect(live)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    shutil.copyfile(live, template)
    world.baseline = world.snapshot()

    @sa.event.listens_for(_engine(app), "before_cursor_execute")
    def _note_writes(_conn, _cursor, statement, *_args):
        if _WRITE.match(statement):
            world.wrote.append(statement)

    return world


def _engine(app):
    with app.app_context():
        return db.engine


def _collect_pools(world: World) -> None:
    """Real values for each path parameter name (other people's objects included)."""
    from lms.certificates.models import Certificate
    from lms.cohorts.models import Cohort, FeedToken, Meeting
    from lms.courses.models import Course, Module
    from lms.quizzes.models import Attempt

    with world.app.app_context():

        def column(col):
            return sorted(db.session.scalars(sa.select(col)))

        user_ids = sorted(p["id"] for p in world.people.values() if p["id"])
        world.pools = {
            "cohort_id": column(Cohort.id),
            "meeting_id": column(Meeting.id),
            "user_id": user_ids,
            "attempt_id": column(Attempt.id),
            "module_id": column(Module.id),
            "slug": column(Course.slug),
            "module_slug": column(Module.slug),
            "code": column(Certificate.code) + column(Cohort.join_code),
            "token": column(FeedToken.token)
            + column(Cohort.calendar_token)
            + column(Meeting.checkin_token),
            "kind": ["matrix", "quiz-results", "attendance"],
            "filename": ["images/diagram.svg", "diagram.svg", "../course.md", "app.css"],
            "fingerprint": [],
        }
    world.pools["id"] = sorted(
        {v for k, vs in world.pools.items() if k.endswith("_id") for v in vs}
    )


_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def urls_for(rule, pools: dict, limit: int = 2) -> list[str]:
    """Concrete URLs of ``rule`` built from the first few real values of each parameter."""
    urls = [""]
    position = 0
    text = rule.rule
    for match in _PARAM.finditer(text):
        values = (pools.get(match.group(2)) or [])[:limit]
        if not values:
            return []
        prefix = text[position : match.start()]
        urls = [u + prefix + str(v) for u in urls for v in values]
        position = match.end()
    return [u + text[position:] for u in urls]


def _discover_forms(world: World) -> None:
    """GET every page as each role and note the fields of each POST form, by endpoint."""
    app = world.app
    adapter = app.url_map.bind("localhost")
    for person in world.people.values():
        client = app.test_client()
        if person["cookie"]:
            client.set_cookie("session", person["cookie"])
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint.startswith("static"):
                continue
            for url in urls_for(rule, world.pools):
                with client.get(url) as response:
                    if response.mimetype != "text/html":
                        continue
                    html = response.get_data(as_text=True)
                for form in parse_forms(html):
                    if form["method"] != "post":
                        continue
                    action = urlsplit(form["action"]).path or url
                    try:
                        endpoint, _args = adapter.match(action, method="POST")
                    except Exception:  # noqa: S112 - a form aimed elsewhere (or nowhere)
                        continue
                    fields = world.forms.setdefault(endpoint, {})
                    for name, values in form["fields"].items():
                        fields.setdefault(name, set()).update(values)
                    world.files.setdefault(endpoint, set()).update(form["files"])
    # The page's own forms sometimes post to themselves with GET args: keep sorted lists.
    world.forms = {
        e: {k: sorted(v) for k, v in sorted(fields.items())} for e, fields in world.forms.items()
    }
    world.files = {e: sorted(v) for e, v in world.files.items()}


#: What the fuzzer saw, printed at the end of the run (see ``tests/fuzz/conftest.py``).
STATS = {"requests": 0, "endpoints": set(), "statuses": {}, "server_errors": 0}
#: The same over HTTP to gunicorn (tests/fuzz/test_gunicorn.py, ``make fuzz`` only).
GUNICORN = {"requests": 0, "endpoints": set(), "statuses": {}, "server_errors": 0, "failures": []}


def all_routes():
    """``(rule, endpoint, methods)`` of every route of a freshly built app."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        app = build_test_app(
            Path(folder), "sqlite://", None, secret_key="routes-only-key-that-is-long-enough"
        )
        rules = [
            (r.rule, r.endpoint, sorted(r.methods - {"HEAD", "OPTIONS"}))
            for r in app.url_map.iter_rules()
        ]
        with app.app_context():
            db.engine.dispose()
    return sorted(rules)
