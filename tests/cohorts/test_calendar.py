"""The iCalendar feed of meetings that learners subscribe to in their calendar apps."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from lms.cohorts.calendar import build_calendar
from lms.cohorts.models import Cohort, MeetingModule
from lms.courses.models import Course, Module
from lms.organisations.models import Organisation
from tests.factories import new_meeting

BASE_URL = "https://academy.example/"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def make_meeting(id, cohort, starts_at, hours=2, **fields):
    """An unsaved meeting: the feed only reads attributes, so no database is needed."""
    fields.setdefault("title", "Workshop")
    fields.setdefault("timezone", "Europe/Ljubljana")
    fields.setdefault("place", "")
    fields.setdefault("online_url", "")
    fields.setdefault("notes", "")
    fields.setdefault("created_at", datetime(2025, 1, 10, 9, 0, tzinfo=UTC))
    return new_meeting(
        id=id,
        cohort=cohort,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        **fields,
    )


@pytest.fixture
def cohort():
    return Cohort(id=3, name="Ljubljana spring 2025", partner=Organisation(name="TECOS"))


@pytest.fixture
def course():
    return Course(slug="additive-manufacturing", title="Additive Manufacturing")


@pytest.fixture
def meetings(cohort, course):
    """A summer meeting with modules and a place, and a cancelled online one in winter."""
    intro = Module(slug="intro", title="What is 3D printing?", position=1, course=course)
    materials = Module(slug="materials", title="Materials", position=2, course=course)
    post = Module(slug="post-processing", title="Post-processing", position=3, course=course)
    summer = make_meeting(
        7,
        cohort,
        # 10:00 in Ljubljana during summer time (UTC+2)
        datetime(2025, 7, 3, 8, 0, tzinfo=UTC),
        title="Printing lab",
        place="TECOS, Kidričeva 25, Celje",
        online_url="https://meet.example/lab",
        notes="Bring your laptop.",
    )
    summer.modules = [
        MeetingModule(kind="prepare", module=materials),
        MeetingModule(kind="prepare", module=intro),
        MeetingModule(kind="follow_up", module=post),
    ]
    winter = make_meeting(
        8,
        cohort,
        # 10:00 in Ljubljana during standard time (UTC+1)
        datetime(2025, 1, 16, 9, 0, tzinfo=UTC),
        title="Kick-off",
        online_url="https://meet.example/kickoff",
        cancelled_at=datetime(2025, 1, 12, 15, 30, tzinfo=UTC),
    )
    return [summer, winter]


def parse(feed: bytes) -> Calendar:
    return Calendar.from_ical(feed)


def events_by_uid(feed: bytes) -> dict:
    return {str(event["UID"]): event for event in parse(feed).events}


def test_feed_is_a_published_calendar_with_its_name(meetings):
    calendar = parse(build_calendar(meetings, "Ljubljana spring 2025", BASE_URL, now=NOW))

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Ljubljana spring 2025"
    assert calendar.refresh_interval.total_seconds() == 3600
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar["X-PUBLISHED-TTL"].to_ical() == b"PT1H"


def test_each_meeting_is_one_event_titled_with_the_cohort(meetings):
    events = events_by_uid(build_calendar(meetings, "Feed", BASE_URL, now=NOW))

    assert set(events) == {"meeting-7@coco4cci-academy", "meeting-8@coco4cci-academy"}
    assert events["meeting-7@coco4cci-academy"]["SUMMARY"] == (
        "Printing lab (Ljubljana spring 2025)"
    )
    assert events["meeting-7@coco4cci-academy"]["DTSTAMP"].dt == NOW


def test_ten_oclock_in_ljubljana_is_right_in_summer_and_in_winter(meetings):
    events = events_by_uid(build_calendar(meetings, "Feed", BASE_URL, now=NOW))
    summer = events["meeting-7@coco4cci-academy"]
    winter = events["meeting-8@coco4cci-academy"]

    for event in (summer, winter):
        assert event["DTSTART"].params["TZID"] == "Europe/Ljubljana"
        assert event["DTEND"].params["TZID"] == "Europe/Ljubljana"
        assert (event.start.hour, event.end.hour) == (10, 12)
    assert summer.start.astimezone(UTC) == datetime(2025, 7, 3, 8, 0, tzinfo=UTC)
    assert winter.start.astimezone(UTC) == datetime(2025, 1, 16, 9, 0, tzinfo=UTC)
    assert b"DTSTART;TZID=Europe/Ljubljana:20250703T100000\r\n" in build_calendar(
        meetings, "Feed", BASE_URL, now=NOW
    )


def test_feed_defines_every_time_zone_it_uses(cohort, meetings):
    meetings.append(
        make_meeting(
            9, cohort, datetime(2025, 11, 4, 14, 0, tzinfo=UTC), timezone="America/New_York"
        )
    )
    calendar = parse(build_calendar(meetings, "Feed", BASE_URL, now=NOW))

    assert {tz.tz_name for tz in calendar.timezones} == {"Europe/Ljubljana", "America/New_York"}
    assert calendar.get_missing_tzids() == set()
    # The zone's own rules (not the parser's tz database) put the summer meeting at UTC+2.
    ljubljana = next(tz for tz in calendar.timezones if tz.tz_name == "Europe/Ljubljana")
    zone = ljubljana.to_tz()
    assert datetime(2025, 7, 3, 10, 0, tzinfo=zone).utcoffset().total_seconds() == 7200
    assert datetime(2025, 1, 16, 10, 0, tzinfo=zone).utcoffset().total_seconds() == 3600


def test_cancelled_meeting_stays_in_the_feed_marked_cancelled(meetings):
    events = events_by_uid(build_calendar(meetings, "Feed", BASE_URL, now=NOW))
    cancelled = events["meeting-8@coco4cci-academy"]
    held = events["meeting-7@coco4cci-academy"]

    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SUMMARY"].startswith("Cancelled: Kick-off")
    assert cancelled["SEQUENCE"] > held["SEQUENCE"]
    assert cancelled["LAST-MODIFIED"].dt == datetime(2025, 1, 12, 15, 30, tzinfo=UTC)
    assert held["STATUS"] == "CONFIRMED"


def test_location_is_the_place_or_else_the_online_link(meetings):
    events = events_by_uid(build_calendar(meetings, "Feed", BASE_URL, now=NOW))
    in_person = events["meeting-7@coco4cci-academy"]
    online = events["meeting-8@coco4cci-academy"]

    assert in_person["LOCATION"] == "TECOS, Kidričeva 25, Celje"
    assert in_person["URL"] == "https://meet.example/lab"
    assert "Join online: https://meet.example/lab" in in_person["DESCRIPTION"]
    assert online["LOCATION"] == "https://meet.example/kickoff"
    assert online["URL"] == "https://meet.example/kickoff"


def test_description_lists_modules_to_prepare_and_follow_up_with_links(meetings):
    events = events_by_uid(build_calendar(meetings, "Feed", BASE_URL, now=NOW))
    description = str(events["meeting-7@coco4cci-academy"]["DESCRIPTION"])

    assert description.startswith("Bring your laptop.\n\nJoin online:")
    prepare, follow_up = description.split("\n\n")[-2:]
    assert prepare.splitlines() == [
        "Prepare before:",
        "- What is 3D printing? (Additive Manufacturing): "
        "https://academy.example/courses/additive-manufacturing/intro",
        "- Materials (Additive Manufacturing): "
        "https://academy.example/courses/additive-manufacturing/materials",
    ]
    assert follow_up.splitlines() == [
        "Follow up after:",
        "- Post-processing (Additive Manufacturing): "
        "https://academy.example/courses/additive-manufacturing/post-processing",
    ]
    assert "DESCRIPTION" not in events["meeting-8@coco4cci-academy"]


def test_special_characters_survive_a_round_trip(cohort):
    cohort.name = "Čeština; skupina, 2025"
    title = 'Kavarna ☕ & 3D-tisk 🎉: "uvod", del 1; vaje\\osnove'
    notes = "Prva vrstica, z vejico;\npodpičje in nova vrstica\n\nŽivjo 👋"
    meeting = make_meeting(
        1,
        cohort,
        datetime(2025, 5, 5, 8, 0, tzinfo=UTC),
        title=title,
        notes=notes,
        place="Trg, 1; Ljubljana",
    )
    event = parse(build_calendar([meeting], "Čeština 🎓, 2025", BASE_URL, now=NOW)).events[0]

    assert event["SUMMARY"] == f"{title} (Čeština; skupina, 2025)"
    assert event["DESCRIPTION"] == notes
    assert event["LOCATION"] == "Trg, 1; Ljubljana"


def test_long_lines_are_folded_with_crlf(cohort, meetings):
    meetings[0].notes = "Dolga navodila z šumniki čćžšđ in emoji 🎉🎉🎉. " * 20
    feed = build_calendar(meetings, "Feed " + "š" * 80, BASE_URL, now=NOW)

    assert feed.endswith(b"\r\n")
    assert b"\n" not in feed.replace(b"\r\n", b"")
    lines = feed.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character
    summer = events_by_uid(feed)["meeting-7@coco4cci-academy"]
    assert summer["DESCRIPTION"].startswith(meetings[0].notes.strip())


def test_rebuilding_the_feed_keeps_event_uids(meetings):
    first = build_calendar(meetings, "Feed", BASE_URL, now=NOW)
    later = build_calendar(list(reversed(meetings)), "Feed", BASE_URL)

    assert [e["UID"] for e in parse(first).events] == [e["UID"] for e in parse(later).events]
    assert build_calendar(meetings, "Feed", BASE_URL, now=NOW) == first


def test_empty_feed_is_still_a_valid_calendar():
    calendar = parse(build_calendar([], "Nothing yet", BASE_URL, now=NOW))

    assert calendar["X-WR-CALNAME"] == "Nothing yet"
    assert calendar.events == []
    assert calendar.timezones == []


def test_unknown_time_zone_still_gives_the_right_instant(cohort):
    meeting = make_meeting(
        2, cohort, datetime(2025, 5, 5, 8, 0, tzinfo=UTC), timezone="Mars/Olympus"
    )
    event = parse(build_calendar([meeting], "Feed", BASE_URL, now=NOW)).events[0]

    assert event.start == datetime(2025, 5, 5, 8, 0, tzinfo=UTC)
