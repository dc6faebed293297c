"""What personal data each feature holds: the one list a feature adds its part to.

Each :class:`Source` names the columns that point at ``users.id`` with the export section
holding those rows and what deletion does to them (said on the confirm page), the CSV
columns of its sections, the function gathering them for the download and the one erasing
them. The download holds the sections in the order of :data:`SOURCES`; deletion runs the
erase functions in the same order, before the account itself is anonymised.

A test fails when a column pointing at ``users.id`` is in no source.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from lms.accounts.models import User
from lms.collider import privacy as collider_privacy
from lms.notifications import privacy as notifications_privacy
from lms.notifications import privacy_cohort as nudges_privacy
from lms.privacy.sections import Export, account, cohorts, learning
from lms.programme import privacy as programme_privacy


@dataclass(frozen=True)
class Source:
    """One feature's (or one table's) part of a person's data."""

    #: (table, column pointing at users.id) -> the export section that holds those rows.
    exported: dict[tuple[str, str], str]
    #: (table, column) -> what deleting the account does to those rows.
    on_delete: dict[tuple[str, str], str]
    #: The sections gathered, as JSON-ready data: ``{section: records}``.
    collect: Callable[[Export], dict]
    #: Column names of each section's CSV, in the zip's order, so that empty files still
    #: say what they would hold (the profile has its own field,value file).
    columns: dict[str, list[str]] = field(default_factory=dict)
    #: Erases or anonymises the rows; flushes at most, never commits.
    erase: Callable[[User, datetime], None] | None = None


def _rows(
    table: str,
    column: str,
    section: str,
    on_delete: str,
    collect: Callable[[Export], dict],
    columns: list[str] | None = None,
    erase: Callable[[User, datetime], None] | None = None,
) -> Source:
    """A source of one column and one section, named as the section."""
    return Source(
        exported={(table, column): section},
        on_delete={(table, column): on_delete},
        collect=collect,
        columns={section: columns} if columns is not None else {},
        erase=erase,
    )


ANONYMISED = "kept, anonymised (cohort progress)"

SOURCES: list[Source] = [
    _rows(
        "users",
        "id",
        "profile",
        "anonymised: name, email and password replaced, account closed",
        account.profile,
    ),
    _rows(
        "module_visits",
        "user_id",
        "module_visits",
        ANONYMISED,
        learning.module_visits,
        ["course", "module", "first_visited_at", "last_visited_at", "marked_read_at"],
    ),
    _rows(
        "completions",
        "user_id",
        "completions",
        ANONYMISED,
        learning.completions,
        ["course", "module", "completed_at"],
    ),
    Source(
        exported={("attempts", "user_id"): "quiz_attempts"},
        on_delete={("attempts", "user_id"): "kept with scores; free-text answers blanked"},
        collect=learning.quiz_attempts,
        columns={
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
            # The answers of every attempt, one row each (the JSON nests them in attempts).
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
        },
        erase=learning.erase_free_text_answers,
    ),
    _rows(
        "memberships",
        "user_id",
        "cohort_memberships",
        "kept, anonymised (cohort figures)",
        cohorts.cohort_memberships,
        ["cohort", "partner", "joined_at"],
    ),
    _rows(
        "cohort_facilitators",
        "user_id",
        "cohorts_facilitated",
        "removed",
        cohorts.cohorts_facilitated,
        ["cohort", "partner"],
        erase=cohorts.erase_facilitation,
    ),
    _rows(
        "rsvps",
        "user_id",
        "session_rsvps",
        "removed for sessions still to come",
        cohorts.session_rsvps,
        ["session", "starts_at", "answer", "answered_at"],
        erase=cohorts.erase_future_rsvps,
    ),
    _rows(
        "attendances",
        "user_id",
        "attendance",
        "kept, anonymised (cohort figures)",
        cohorts.attendance,
        ["session", "starts_at", "status", "recorded_by", "recorded_at"],
    ),
    _rows(
        "attendances",
        "recorded_by_id",
        "attendance_recorded",
        "kept (the id only)",
        cohorts.attendance_recorded,
        ["session", "starts_at", "learners_recorded"],
    ),
    _rows(
        "certificates",
        "user_id",
        "certificates",
        "withdrawn, name removed",
        learning.certificates,
        ["code", "course", "area", "name_on_certificate", "hours", "issued_at", "withdrawn_at"],
        erase=learning.withdraw_certificates,
    ),
    _rows(
        "feed_tokens",
        "user_id",
        "calendar_feed",
        "removed",
        cohorts.calendar_feed,
        ["private_calendar_address", "created_at"],
        erase=cohorts.erase_calendar_feed,
    ),
    _rows(
        "audit_events",
        "actor_id",
        "security_events",
        "kept (the id only), address and personal details removed",
        account.security_events,
        ["event", "at", "address", "details"],
        erase=account.scrub_security_events,
    ),
    # The collider's own tables (profiles, posts, meetings): gathered and erased by it.
    Source(
        exported=collider_privacy.EXPORTED,
        on_delete=collider_privacy.ON_DELETE,
        collect=lambda export: collider_privacy.collect(export.user),
        columns=collider_privacy.CSV_HEADERS,
        erase=lambda user, now: collider_privacy.delete_for(user),
    ),
    # The programme's: organisation and country, partner organisations, public events.
    Source(
        exported=programme_privacy.EXPORTED,
        on_delete=programme_privacy.ON_DELETE,
        collect=lambda export: programme_privacy.export_sections(export.user),
        columns=programme_privacy.COLUMNS,
        erase=lambda user, now: programme_privacy.delete_personal_data(user),
    ),
    Source(
        exported=notifications_privacy.EXPORTED,
        on_delete=notifications_privacy.ON_DELETE,
        collect=lambda export: notifications_privacy.collect(export.user),
        columns=notifications_privacy.COLUMNS,
        erase=lambda user, now: notifications_privacy.delete_for(user),
    ),
    Source(
        exported=nudges_privacy.EXPORTED,
        on_delete=nudges_privacy.ON_DELETE,
        collect=lambda export: nudges_privacy.collect(export.user),
        columns=nudges_privacy.COLUMNS,
        erase=lambda user, now: nudges_privacy.delete_for(user),
    ),
]


def _merged(part: str) -> dict:
    merged: dict = {}
    for source in SOURCES:
        merged.update(getattr(source, part))
    return merged


#: (table, column pointing at users.id) -> the export section that holds those rows.
EXPORTED: dict[tuple[str, str], str] = _merged("exported")
#: (table, column) -> what deleting the account does to those rows.
ON_DELETE: dict[tuple[str, str], str] = _merged("on_delete")
#: Section -> the column names of its CSV file, in the zip's order.
CSV_HEADERS: dict[str, list[str]] = _merged("columns")
