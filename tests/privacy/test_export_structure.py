"""The download's shape: its sections, their order and the keys of their records stay put."""

import io
import json
import re
import zipfile

import pytest

from tests.conftest import login
from tests.privacy.everything import fill_every_table
from tests.privacy.test_export import download


@pytest.fixture
def filled(app, client, make_user, make_cohort):
    return fill_every_table(app, client, make_user, make_cohort)


def shape(value):
    """The keys of ``value`` in order, down through records; values themselves left out."""
    if isinstance(value, dict):
        return [[key, shape(item)] for key, item in value.items()]
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


#: Every section of the JSON download, in order, with the keys of a record (an empty list
#: where the learner has no rows: those keys are pinned by the CSV headers below).
JSON_SHAPE = [
    ["format", "str"],
    ["version", "int"],
    ["exported_at", "str"],
    [
        "profile",
        [
            ["id", "int"],
            ["name", "str"],
            ["email", "str"],
            ["role", "str"],
            ["preferred_language", "str"],
            ["active", "bool"],
            ["created_at", "str"],
            ["last_seen_at", "str"],
            ["deleted_at", "NoneType"],
        ],
    ],
    [
        "module_visits",
        [
            [
                ["course", "str"],
                ["module", "str"],
                ["first_visited_at", "str"],
                ["last_visited_at", "str"],
                ["marked_read_at", "str"],
            ]
        ],
    ],
    ["completions", [[["course", "str"], ["module", "str"], ["completed_at", "str"]]]],
    [
        "quiz_attempts",
        [
            [
                ["attempt", "int"],
                ["course", "str"],
                ["module", "str"],
                ["number", "int"],
                ["started_at", "str"],
                ["submitted_at", "str"],
                ["score", "float"],
                ["max_score", "float"],
                ["percent", "float"],
                ["passed", "bool"],
                ["pass_mark", "int"],
                [
                    "answers",
                    [
                        [
                            ["question", "str"],
                            ["type", "str"],
                            ["your_answer", "str"],
                            ["score", "float"],
                            ["max_score", "float"],
                            ["correct", "bool"],
                        ]
                    ],
                ],
            ]
        ],
    ],
    [
        "reflections",
        [
            [
                ["course", "str"],
                ["module", "str"],
                ["question", "str"],
                ["your_answer", "str"],
                ["submitted_at", "str"],
            ]
        ],
    ],
    ["cohort_memberships", [[["cohort", "str"], ["partner", "str"], ["joined_at", "str"]]]],
    ["cohorts_facilitated", []],
    [
        "session_rsvps",
        [[["session", "str"], ["starts_at", "str"], ["answer", "str"], ["answered_at", "str"]]],
    ],
    [
        "attendance",
        [
            [
                ["session", "str"],
                ["starts_at", "str"],
                ["status", "str"],
                ["recorded_by", "str"],
                ["recorded_at", "str"],
            ]
        ],
    ],
    ["attendance_recorded", []],
    [
        "certificates",
        [
            [
                ["code", "str"],
                ["course", "str"],
                ["area", "str"],
                ["name_on_certificate", "str"],
                ["hours", "float"],
                ["issued_at", "str"],
                ["withdrawn_at", "NoneType"],
            ]
        ],
    ],
    ["calendar_feed", [[["private_calendar_address", "str"], ["created_at", "str"]]]],
    [
        "security_events",
        [[["event", "str"], ["at", "str"], ["address", "str"], ["details", "str"]]],
    ],
    ["collider_profile", []],
    ["collider_posts", []],
    ["collider_interests", []],
    ["collider_meetings", []],
    ["collider_feedback", []],
    ["collider_cooperations", []],
    [
        "organisation_and_country",
        [[["organisation", "str"], ["country", "str"], ["gender", "str"]]],
    ],
    ["partner_organisations", []],
    ["event_registrations", []],
    ["events_created", []],
    [
        "notifications",
        [
            [
                ["kind", "str"],
                ["title", "str"],
                ["summary", "str"],
                ["link", "str"],
                ["created_at", "str"],
                ["read_at", "NoneType"],
            ]
        ],
    ],
    [
        "emails",
        [
            [
                ["kind", "str"],
                ["to", "str"],
                ["subject", "str"],
                ["status", "str"],
                ["created_at", "str"],
                ["sent_at", "NoneType"],
            ]
        ],
    ],
    ["notification_preferences", []],
    ["nudges_received", []],
    ["messages_to_cohorts", []],
]

#: Files of the CSV download in order, each with its header row.
ZIP_SHAPE = [
    (
        "README.txt",
        "profile.csv module_visits.csv completions.csv quiz_attempts.csv quiz_answers.csv "
        "reflections.csv cohort_memberships.csv cohorts_facilitated.csv session_rsvps.csv "
        "attendance.csv attendance_recorded.csv certificates.csv calendar_feed.csv "
        "security_events.csv collider_*.csv organisation_and_country.csv partner_organisations.csv "
        "event_registrations.csv events_created.csv notifications.csv emails.csv "
        "notification_preferences.csv nudges_received.csv messages_to_cohorts.csv",
    ),
    ("profile.csv", "field,value"),
    ("module_visits.csv", "course,module,first_visited_at,last_visited_at,marked_read_at"),
    ("completions.csv", "course,module,completed_at"),
    (
        "quiz_attempts.csv",
        "attempt,course,module,number,started_at,submitted_at,score,max_score,percent,passed,pass_mark",
    ),
    ("quiz_answers.csv", "attempt,question,type,your_answer,score,max_score,correct"),
    ("reflections.csv", "course,module,question,your_answer,submitted_at"),
    ("cohort_memberships.csv", "cohort,partner,joined_at"),
    ("cohorts_facilitated.csv", "cohort,partner"),
    ("session_rsvps.csv", "session,starts_at,answer,answered_at"),
    ("attendance.csv", "session,starts_at,status,recorded_by,recorded_at"),
    ("attendance_recorded.csv", "session,starts_at,learners_recorded"),
    ("certificates.csv", "code,course,area,name_on_certificate,hours,issued_at,withdrawn_at"),
    ("calendar_feed.csv", "private_calendar_address,created_at"),
    ("security_events.csv", "event,at,address,details"),
    (
        "collider_profile.csv",
        "published,headline,pitch,sector,languages,areas,tags,links,show_courses,updated_at",
    ),
    ("collider_posts.csv", "kind,title,body,area,tags,visibility,status,created_at"),
    ("collider_interests.csv", "post,message,status,reply,created_at"),
    ("collider_meetings.csv", "event,with,you_asked,status,slot_starts_at,table,message"),
    ("collider_feedback.csv", "meeting,stage,answer,comment,created_at"),
    ("collider_cooperations.csv", "title,kind,agreed_on,role"),
    ("organisation_and_country.csv", "organisation,country,gender"),
    ("partner_organisations.csv", "organisation,as"),
    (
        "event_registrations.csv",
        "event,starts_at,name,email,organisation,country,status,attendance",
    ),
    ("events_created.csv", "event,starts_at"),
    ("notifications.csv", "kind,title,summary,link,created_at,read_at"),
    ("emails.csv", "kind,to,subject,status,created_at,sent_at"),
    ("notification_preferences.csv", "kind,channel"),
    ("nudges_received.csv", "subject,body,sent_at"),
    ("messages_to_cohorts.csv", "what,cohort_id,subject,body,sent_at"),
]


def csv_headers(body: bytes) -> list[tuple[str, str]]:
    archive = zipfile.ZipFile(io.BytesIO(body))
    headers = []
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8-sig")
        if name == "README.txt":  # the files it describes
            headers.append((name, " ".join(re.findall(r"^(\S+\.csv) ", text, re.M))))
        else:
            headers.append((name, text.splitlines()[0]))
    return headers


def test_the_json_download_keeps_its_sections_keys_and_order(client, filled):
    login(client, filled.learner_email)
    data = json.loads(download(client, "json").get_data())
    assert shape(data) == JSON_SHAPE


def test_the_csv_download_keeps_its_files_headers_and_order(client, filled):
    login(client, filled.learner_email)
    headers = csv_headers(download(client, "csv").get_data())
    assert headers == ZIP_SHAPE
