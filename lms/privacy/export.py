"""A person's data for download: every registered section, as one JSON document or as a
zip of CSV files. Reads only.

Secrets (password hash, calendar feed token) are never included, only their existence.
"""

import io
import json
import zipfile

from lms.accounts.models import User
from lms.csvfile import csv_text
from lms.extensions import utcnow
from lms.privacy.registry import CSV_HEADERS, SOURCES
from lms.privacy.sections import Export


def collect(user: User) -> dict:
    """Everything the platform holds about ``user``, as JSON-ready data.

    Sections are lists of flat records, except the profile (one record) and quiz attempts,
    which hold their answers.
    """
    export = Export(user)
    data: dict = {
        "format": "coco4cci-academy-personal-data",
        "version": 1,
        "exported_at": utcnow().isoformat(),
    }
    for source in SOURCES:
        data.update(source.collect(export))
    return data


def as_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _csv_bytes(header: list[str], rows: list[list]) -> bytes:
    return csv_text(header, rows).encode("utf-8")


def _table(records: list[dict], header: list[str] | None = None) -> bytes:
    header = header or (list(records[0]) if records else [])
    return _csv_bytes(header, [[r.get(k) for k in header] for r in records])


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
notifications.csv             the notifications shown to you on the platform
emails.csv                    the emails the platform wrote to you, and whether they were sent
notification_preferences.csv  your choices of which messages reach you, and how
nudges_received.csv           messages your facilitators sent you from the cohort page
messages_to_cohorts.csv       nudges and announcements you sent as a facilitator

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
