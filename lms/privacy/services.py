"""A person's data: gather all of it for download, or erase it. Flush, never commit.

Every column that points at ``users.id`` is listed in :data:`EXPORTED` (where the export
holds it) and in :data:`ON_DELETE` (what deletion does to it); a test fails when a new one
is missing from either.
"""

import io
import json
import secrets
import zipfile
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate
from lms.cohorts.models import (
    Attendance,
    Cohort,
    CohortFacilitator,
    FeedToken,
    Meeting,
    Membership,
    Rsvp,
)
from lms.collider import privacy as collider_privacy
from lms.courses.models import Course, Module
from lms.csvfile import csv_text
from lms.extensions import db, utcnow
from lms.programme import privacy as programme_privacy
from lms.progress.models import Completion, ModuleVisit
from lms.quizzes.models import Attempt, AttemptAnswer

#: (table, column pointing at users.id) -> the export section that holds those rows.
EXPORTED = {
    ("users", "id"): "profile",
    ("module_visits", "user_id"): "module_visits",
    ("completions", "user_id"): "completions",
    ("attempts", "user_id"): "quiz_attempts",
    ("cohort_facilitators", "user_id"): "cohorts_facilitated",
    ("memberships", "user_id"): "cohort_memberships",
    ("rsvps", "user_id"): "session_rsvps",
    ("attendances", "user_id"): "attendance",
    ("attendances", "recorded_by_id"): "attendance_recorded",
    ("feed_tokens", "user_id"): "calendar_feed",
    ("certificates", "user_id"): "certificates",
    ("audit_events", "actor_id"): "security_events",
    **programme_privacy.EXPORTED,
}

#: (table, column) -> what deleting the account does to those rows (said on the confirm page).
ON_DELETE = {
    ("users", "id"): "anonymised: name, email and password replaced, account closed",
    ("module_visits", "user_id"): "kept, anonymised (cohort progress)",
    ("completions", "user_id"): "kept, anonymised (cohort progress)",
    ("attempts", "user_id"): "kept with scores; free-text answers blanked",
    ("cohort_facilitators", "user_id"): "removed",
    ("memberships", "user_id"): "kept, anonymised (cohort figures)",
    ("rsvps", "user_id"): "removed for sessions still to come",
    ("attendances", "user_id"): "kept, anonymised (cohort figures)",
    ("attendances", "recorded_by_id"): "kept (the id only)",
    ("feed_tokens", "user_id"): "removed",
    ("certificates", "user_id"): "withdrawn, name removed",
    ("audit_events", "actor_id"): "kept (the id only), address and personal details removed",
    **programme_privacy.ON_DELETE,
}

# The collider's own tables (profiles, posts, meetings) are exported and erased by that feature.
EXPORTED.update(collider_privacy.EXPORTED)
ON_DELETE.update(collider_privacy.ON_DELETE)

#: Question types whose answers are the learner's own words (blanked on deletion).
FREE_TEXT_TYPES = ("short", "numeric", "reflection")
#: What a deleted account is called wherever its row still shows.
DELETED_NAME = "Deleted learner"
#: Keys of audit event details that may name a person.
PERSONAL_DETAIL_KEYS = {"email", "name", "ip", "user_agent", "learner_name"}


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _module_labels(module_ids) -> dict[int, tuple[str, str]]:
    """Module id -> (course title, module title), one query."""
    if not module_ids:
        return {}
    rows = db.session.execute(
        sa.select(Module.id, Course.title, Module.title)
        .join(Course, Course.id == Module.course_id)
        .where(Module.id.in_(list(module_ids)))
    )
    return {module_id: (course, module) for module_id, course, module in rows}


def readable_answer(question: dict, response: dict | None) -> str:
    """The answer the learner gave, in words (choice texts, not indices)."""
    if response is None:
        return ""
    qtype = question.get("type")
    if response.get("erased"):
        return ""
    if "text" in response:
        return response["text"]
    choices = question.get("choices") or []
    if "choice" in response:
        index = response["choice"]
        return choices[index]["text"] if 0 <= index < len(choices) else str(index)
    if "choices" in response:
        return "; ".join(choices[i]["text"] for i in response["choices"] if 0 <= i < len(choices))
    if "answer" in response:
        return "true" if response["answer"] else "false"
    if qtype == "matching" and "matches" in response:
        pairs = question.get("pairs") or []
        parts = []
        for index, chosen in enumerate(response["matches"]):
            if index >= len(pairs):
                break
            given = pairs[chosen][1] if chosen is not None and 0 <= chosen < len(pairs) else "—"
            parts.append(f"{pairs[index][0]} → {given}")
        return "; ".join(parts)
    return json.dumps(response, ensure_ascii=False)


def collect(user: User) -> dict:
    """Everything the platform holds about ``user``, as JSON-ready data.

    Sections are lists of flat records, except quiz attempts, which hold their answers.
    Secrets (password hash, calendar feed token) are never included, only their existence.
    """
    uid = user.id
    visits = list(
        db.session.scalars(
            sa.select(ModuleVisit).where(ModuleVisit.user_id == uid).order_by(ModuleVisit.id)
        )
    )
    completions = list(
        db.session.scalars(
            sa.select(Completion).where(Completion.user_id == uid).order_by(Completion.id)
        )
    )
    attempts = list(
        db.session.scalars(
            sa.select(Attempt)
            .where(Attempt.user_id == uid)
            .options(selectinload(Attempt.answers))
            .order_by(Attempt.id)
        )
    )
    labels = _module_labels(
        {v.module_id for v in visits}
        | {c.module_id for c in completions}
        | {a.module_id for a in attempts}
    )

    def course_of(module_id):
        return labels.get(module_id, ("", ""))[0]

    def module_of(module_id):
        return labels.get(module_id, ("", ""))[1]

    data: dict = {
        "format": "coco4cci-academy-personal-data",
        "version": 1,
        "exported_at": utcnow().isoformat(),
        "profile": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "preferred_language": user.locale,
            "active": user.active,
            "created_at": _iso(user.created_at),
            "last_seen_at": _iso(user.last_seen_at),
            "deleted_at": _iso(user.deleted_at),
        },
    }
    data["module_visits"] = [
        {
            "course": course_of(v.module_id),
            "module": module_of(v.module_id),
            "first_visited_at": _iso(v.first_visited_at),
            "last_visited_at": _iso(v.last_visited_at),
            "marked_read_at": _iso(v.read_at),
        }
        for v in visits
    ]
    data["completions"] = [
        {
            "course": course_of(c.module_id),
            "module": module_of(c.module_id),
            "completed_at": _iso(c.completed_at),
        }
        for c in completions
    ]
    data["quiz_attempts"] = []
    data["reflections"] = []
    for attempt in attempts:
        questions = {q["id"]: q for q in attempt.questions or []}
        answers = []
        for answer in attempt.answers:
            question = questions.get(answer.question_id, {})
            record = {
                "question": question.get("prompt") or answer.question_id,
                "type": answer.question_type,
                "your_answer": readable_answer(question, answer.response),
                "score": answer.score,
                "max_score": answer.max_score,
                "correct": answer.correct,
            }
            answers.append(record)
            if answer.question_type == "reflection":
                data["reflections"].append(
                    {
                        "course": course_of(attempt.module_id),
                        "module": module_of(attempt.module_id),
                        "question": record["question"],
                        "your_answer": record["your_answer"],
                        "submitted_at": _iso(attempt.submitted_at),
                    }
                )
        data["quiz_attempts"].append(
            {
                "attempt": attempt.id,
                "course": course_of(attempt.module_id),
                "module": module_of(attempt.module_id),
                "number": attempt.number,
                "started_at": _iso(attempt.started_at),
                "submitted_at": _iso(attempt.submitted_at),
                "score": attempt.score,
                "max_score": attempt.max_score,
                "percent": attempt.percent,
                "passed": attempt.passed,
                "pass_mark": attempt.pass_mark,
                "answers": answers,
            }
        )
    data["cohort_memberships"] = [
        {
            "cohort": cohort.name,
            "partner": cohort.partner.name,
            "joined_at": _iso(membership.joined_at),
        }
        for membership, cohort in db.session.execute(
            sa.select(Membership, Cohort)
            .join(Cohort, Cohort.id == Membership.cohort_id)
            .where(Membership.user_id == uid)
            .order_by(Membership.id)
        )
    ]
    data["cohorts_facilitated"] = [
        {"cohort": cohort.name, "partner": cohort.partner.name}
        for cohort in db.session.scalars(
            sa.select(Cohort)
            .join(CohortFacilitator, CohortFacilitator.cohort_id == Cohort.id)
            .where(CohortFacilitator.user_id == uid)
            .order_by(Cohort.id)
        )
    ]
    data["session_rsvps"] = [
        {
            "session": meeting.title,
            "starts_at": _iso(meeting.starts_at),
            "answer": rsvp.answer,
            "answered_at": _iso(rsvp.answered_at),
        }
        for rsvp, meeting in db.session.execute(
            sa.select(Rsvp, Meeting)
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .where(Rsvp.user_id == uid)
            .order_by(Meeting.starts_at)
        )
    ]
    data["attendance"] = [
        {
            "session": meeting.title,
            "starts_at": _iso(meeting.starts_at),
            "status": row.status,
            "recorded_by": "you (check-in)" if row.source == "checkin" else "facilitator",
            "recorded_at": _iso(row.recorded_at),
        }
        for row, meeting in db.session.execute(
            sa.select(Attendance, Meeting)
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(Attendance.user_id == uid)
            .order_by(Meeting.starts_at)
        )
    ]
    data["attendance_recorded"] = [
        {"session": title, "starts_at": _iso(starts_at), "learners_recorded": count}
        for title, starts_at, count in db.session.execute(
            sa.select(Meeting.title, Meeting.starts_at, sa.func.count(Attendance.id))
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(Attendance.recorded_by_id == uid)
            .group_by(Meeting.id, Meeting.title, Meeting.starts_at)
            .order_by(Meeting.starts_at)
        )
    ]
    data["certificates"] = [
        {
            "code": cert.code,
            "course": cert.course_title,
            "area": cert.area,
            "name_on_certificate": cert.learner_name,
            "hours": cert.hours,
            "issued_at": _iso(cert.issued_at),
            "withdrawn_at": _iso(cert.withdrawn_at),
        }
        for cert in db.session.scalars(
            sa.select(Certificate).where(Certificate.user_id == uid).order_by(Certificate.id)
        )
    ]
    feed = db.session.scalar(sa.select(FeedToken).where(FeedToken.user_id == uid))
    data["calendar_feed"] = (
        [{"private_calendar_address": "exists", "created_at": _iso(feed.created_at)}]
        if feed
        else []
    )
    data["security_events"] = [
        {
            "event": event.kind,
            "at": _iso(event.created_at),
            "address": event.ip,
            "details": json.dumps(event.details or {}, ensure_ascii=False, sort_keys=True),
        }
        for event in db.session.scalars(
            sa.select(AuditEvent).where(_events_about(user)).order_by(AuditEvent.id)
        )
    ]
    data.update(collider_privacy.collect(user))
    data.update(programme_privacy.export_sections(user))
    return data


def _events_about(user: User):
    """Audit events the person did, that were done to them, or whose details hold their
    email address (a sign-in attempt with it, say)."""
    return sa.or_(
        AuditEvent.actor_id == user.id,
        AuditEvent.target == f"user:{user.id}",
        sa.func.lower(sa.cast(AuditEvent.details, sa.Text)).contains(user.email, autoescape=True),
    )


def as_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _csv_bytes(header: list[str], rows: list[list]) -> bytes:
    return csv_text(header, rows).encode("utf-8")


def _table(records: list[dict], header: list[str] | None = None) -> bytes:
    header = header or (list(records[0]) if records else [])
    return _csv_bytes(header, [[r.get(k) for k in header] for r in records])


#: Column names of each CSV, so that empty files still say what they would hold.
CSV_HEADERS = {
    "module_visits": ["course", "module", "first_visited_at", "last_visited_at", "marked_read_at"],
    "completions": ["course", "module", "completed_at"],
    "quiz_attempts": [
        "attempt",
        "course",
        "module",
        "number",
        "started_at",
        "submitted_at",
        "score",
        "max_score",
        "percent",
        "passed",
        "pass_mark",
    ],
    "quiz_answers": [
        "attempt",
        "question",
        "type",
        "your_answer",
        "score",
        "max_score",
        "correct",
    ],
    "reflections": ["course", "module", "question", "your_answer", "submitted_at"],
    "cohort_memberships": ["cohort", "partner", "joined_at"],
    "cohorts_facilitated": ["cohort", "partner"],
    "session_rsvps": ["session", "starts_at", "answer", "answered_at"],
    "attendance": ["session", "starts_at", "status", "recorded_by", "recorded_at"],
    "attendance_recorded": ["session", "starts_at", "learners_recorded"],
    "certificates": [
        "code",
        "course",
        "area",
        "name_on_certificate",
        "hours",
        "issued_at",
        "withdrawn_at",
    ],
    "calendar_feed": ["private_calendar_address", "created_at"],
    "security_events": ["event", "at", "address", "details"],
    **collider_privacy.CSV_HEADERS,
    **programme_privacy.COLUMNS,
}

README = """Your data from COCO4CCI Academy
================================

One CSV file per kind of data (UTF-8; open them in any spreadsheet program):

profile.csv              your account: name, email, role, language, dates
module_visits.csv        modules you opened and marked as read
completions.csv          modules you completed
quiz_attempts.csv        every quiz attempt with its score
quiz_answers.csv         your answer to every question, with its score (column "attempt")
reflections.csv          your answers to reflection questions
cohort_memberships.csv   the cohorts you joined
cohorts_facilitated.csv  the cohorts you run as a facilitator
session_rsvps.csv        your answers to "Will you come?"
attendance.csv           your attendance at sessions
attendance_recorded.csv  attendance you recorded as a facilitator (counts only)
certificates.csv         your certificates
calendar_feed.csv        whether you have a private calendar address (never the address)
security_events.csv      sign-ins and other security events of your account
collider_*.csv           your collider profile, posts, interest, meetings, feedback, cooperations
organisation_and_country.csv  the organisation, country and gender you stated (optional)
partner_organisations.csv     partner organisations you work for
event_registrations.csv       your registrations for public events, with attendance
events_created.csv            public events you scheduled

The same data as one document is in the JSON download.
"""


def as_zip(data: dict) -> bytes:
    """One CSV per kind of data (UTF-8 with a BOM, formula-safe), zipped."""
    profile = data["profile"]
    files = {
        "README.txt": README.encode("utf-8"),
        "profile.csv": _csv_bytes(["field", "value"], [[k, v] for k, v in profile.items()]),
    }
    answers = [
        {"attempt": attempt["attempt"], **answer}
        for attempt in data["quiz_attempts"]
        for answer in attempt["answers"]
    ]
    for section, header in CSV_HEADERS.items():
        records = answers if section == "quiz_answers" else data[section]
        files[f"{section}.csv"] = _table(records, header)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- deleting an account ------------------------------------------------------------------


class DeletionRefused(ValueError):
    """The account cannot be deleted now; the message is for people."""


def other_admins(user: User) -> int:
    """Active admin accounts besides ``user``."""
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.role == "admin",
            User.active.is_(True),
            User.deleted_at.is_(None),
            User.id != user.id,
        )
    )


def check_deletable(user: User) -> None:
    """Raise :class:`DeletionRefused` when deleting ``user`` would leave nobody in charge."""
    from flask_babel import gettext as _

    if user.deleted_at is not None:
        raise DeletionRefused(_("This account was already deleted."))
    if user.role == "admin" and other_admins(user) == 0:
        raise DeletionRefused(
            _(
                "This is the only administrator account. Make someone else an administrator "
                "first, so that the platform keeps one."
            )
        )


def _scrub_details(details: dict, email: str, name: str) -> dict:
    """Audit details without anything that names the person."""
    needles = [n.casefold() for n in (email, name) if n]
    kept = {}
    for key, value in (details or {}).items():
        if key in PERSONAL_DETAIL_KEYS:
            continue
        text = json.dumps(value, ensure_ascii=False).casefold()
        if any(needle in text for needle in needles):
            continue
        kept[key] = value
    return kept


def delete_account(user: User) -> None:
    """Erase ``user``'s personal data; keep anonymised results so cohort figures hold.

    Flushes; the caller records the audit event and commits.
    """
    check_deletable(user)
    programme_privacy.delete_personal_data(user)
    uid, old_email, old_name = user.id, user.email, user.name
    now = utcnow()

    # Audit events keep their rows but only the id: no address, nothing naming the person.
    for event in db.session.scalars(sa.select(AuditEvent).where(_events_about(user))):
        event.ip = None
        event.details = _scrub_details(event.details, old_email, old_name)

    # Free-text answers (reflections, short and numeric answers) are blanked; scores stay.
    for answer in db.session.scalars(
        sa.select(AttemptAnswer)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.user_id == uid, AttemptAnswer.question_type.in_(FREE_TEXT_TYPES))
    ):
        if answer.response is not None:
            answer.response = {"text": "", "erased": True}

    collider_privacy.delete_for(user)
    db.session.execute(sa.delete(FeedToken).where(FeedToken.user_id == uid))
    db.session.execute(sa.delete(CohortFacilitator).where(CohortFacilitator.user_id == uid))
    future = sa.select(Meeting.id).where(Meeting.starts_at > now)
    db.session.execute(
        sa.delete(Rsvp)
        .where(Rsvp.user_id == uid, Rsvp.meeting_id.in_(future))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Certificate)
        .where(Certificate.user_id == uid)
        .values(withdrawn_at=sa.func.coalesce(Certificate.withdrawn_at, now), learner_name="")
        .execution_options(synchronize_session=False)
    )

    user.email = f"deleted-{uid}@invalid"
    user.name = DELETED_NAME
    # Not a hash werkzeug can match: no password signs in, and set-password or reset links
    # (signed over the old hash) stop working.
    user.password_hash = f"!deleted${secrets.token_hex(16)}"
    user.role = "learner"
    user.locale = "en"
    user.active = False
    user.last_seen_at = None
    user.deleted_at = now
    db.session.flush()
