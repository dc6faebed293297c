"""Counting Interreg's common indicators from the platform's data.

The rules are data (``indicators.yml``); the counting is a registry of counters keyed by name.
A counter takes ``(start, end, partner_ids)`` (dates, inclusive; ``None``: every partner) and
returns evidence rows: dicts with at least ``partner_id``, ``partner``, ``country``, ``area``,
``course``, ``gender`` and ``label``. The figure is the number of rows; breakdowns group them.
Each counter runs a fixed number of grouped queries, whatever the number of learners.

A feature above this one adds a source with :func:`register`, e.g. the collider::

    from lms.programme.indicators import register
    register("cooperating_organisations", count_cooperations)
"""

import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import sqlalchemy as sa
import yaml

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.cohorts.models import (
    Attendance,
    Cohort,
    CohortCourse,
    CohortFacilitator,
    Meeting,
    Membership,
)
from lms.courses.models import Course
from lms.extensions import db
from lms.organisations.models import Organisation, OrganisationStaff
from lms.programme.models import Event, EventPartner, EventRegistration

RULES_FILE = os.path.join(os.path.dirname(__file__), "indicators.yml")
#: The breakdowns of every indicator (people-indicators also by gender).
BREAKDOWNS = ("partner", "country", "area", "course", "gender")
NOT_STATED = "not stated"

COUNTERS: dict = {}


def register(name: str, counter) -> None:
    """Make ``counter`` the data source of every indicator whose rule names ``name``."""
    COUNTERS[name] = counter


def counter(name: str):
    def decorator(function):
        register(name, function)
        return function

    return decorator


@lru_cache(maxsize=1)
def load_rules(path: str = RULES_FILE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """A period of days (inclusive) as the UTC instants [first midnight, midnight after)."""
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def partner_filter(column, partner_ids):
    """``column`` among ``partner_ids``; no condition when ``None`` (every partner)."""
    return sa.true() if partner_ids is None else column.in_(list(partner_ids) or [-1])


@counter("cohort_course_participations")
def cohort_course_participations(start, end, partner_ids):
    rows = db.session.execute(
        sa.select(
            Membership.user_id,
            User.name,
            User.gender,
            Cohort.id,
            Cohort.name,
            Organisation.id,
            Organisation.name,
            Organisation.country,
            Course.area,
            Course.title,
        )
        .select_from(Membership)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .join(Organisation, Organisation.id == Cohort.partner_id)
        .join(CohortCourse, CohortCourse.cohort_id == Cohort.id)
        .join(Course, Course.id == CohortCourse.course_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Organisation.is_partner,
            Cohort.starts_on <= end,
            Cohort.ends_on >= start,
            partner_filter(Cohort.partner_id, partner_ids),
        )
        .order_by(Organisation.name, Cohort.name, Course.title, User.name, User.id)
    )
    return [
        {
            "partner_id": pid,
            "partner": pname,
            "country": country or "",
            "area": area,
            "course": title,
            "gender": gender or "",
            "label": f"{uname} — {cname}",
            "person_id": uid,
            "cohort": cname,
            "cohort_id": cid,
        }
        for uid, uname, gender, cid, cname, pid, pname, country, area, title in rows
    ]


@counter("certified_completions")
def certified_completions(start, end, partner_ids):
    lo, hi = bounds(start, end)
    rows = db.session.execute(
        sa.select(
            Certificate.id,
            Certificate.code,
            Certificate.issued_at,
            User.id,
            User.name,
            User.gender,
            Cohort.id,
            Course.area,
            Course.title,
        )
        .select_from(Certificate)
        .join(User, User.id == Certificate.user_id)
        .join(Course, Course.id == Certificate.course_id)
        .join(Membership, Membership.user_id == Certificate.user_id)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .join(
            CohortCourse,
            sa.and_(CohortCourse.cohort_id == Cohort.id, CohortCourse.course_id == Course.id),
        )
        .join(Organisation, Organisation.id == Cohort.partner_id)
        .where(
            Organisation.is_partner,
            Certificate.withdrawn_at.is_(None),
            Certificate.issued_at >= lo,
            Certificate.issued_at < hi,
            partner_filter(Cohort.partner_id, partner_ids),
        )
        .order_by(Certificate.id, Cohort.id)
    ).all()
    cohorts = {
        cid: (cname, pid, pname, country)
        for cid, cname, pid, pname, country in db.session.execute(
            sa.select(Cohort.id, Cohort.name, Organisation.id, Organisation.name, Organisation.country)
            .join(Organisation, Organisation.id == Cohort.partner_id)
        )
    }
    result = []
    seen = set()
    for cert_id, code, _issued, uid, uname, gender, cohort_id, area, title in rows:
        if cert_id in seen:  # in two cohorts with this course: counted once, first cohort
            continue
        seen.add(cert_id)
        cname, pid, pname, country = cohorts[cohort_id]
        result.append(
            {
                "partner_id": pid,
                "partner": pname,
                "country": country or "",
                "area": area,
                "course": title,
                "gender": gender or "",
                "label": f"{uname} — {title} ({code})",
                "person_id": uid,
                "cohort": cname,
                "cohort_id": cohort_id,
            }
        )
    return result


def _cross_border_event_ids(lo, hi) -> dict[int, set[str]]:
    """Events in [lo, hi) with the countries of all their organising partners."""
    countries: dict[int, set[str]] = {}
    organiser = db.session.execute(
        sa.select(Event.id, Organisation.country)
        .join(Organisation, Organisation.id == Event.organiser_id)
        .where(Event.cancelled_at.is_(None), Event.starts_at >= lo, Event.starts_at < hi)
    )
    co = db.session.execute(
        sa.select(Event.id, Organisation.country)
        .select_from(Event)
        .join(EventPartner, EventPartner.event_id == Event.id)
        .join(Organisation, Organisation.id == EventPartner.organisation_id)
        .where(Event.cancelled_at.is_(None), Event.starts_at >= lo, Event.starts_at < hi)
    )
    for event_id, country in [*organiser, *co]:
        countries.setdefault(event_id, set())
        if country:
            countries[event_id].add(country)
    return {eid: c for eid, c in countries.items() if len(c) >= 2}


@counter("cross_border_events")
def cross_border_events(start, end, partner_ids):
    lo, hi = bounds(start, end)
    ids = _cross_border_event_ids(lo, hi)
    rows = db.session.execute(
        sa.select(Event.id, Event.title, Event.starts_at, Organisation.id, Organisation.name,
                  Organisation.country)
        .join(Organisation, Organisation.id == Event.organiser_id)
        .where(Event.id.in_(list(ids) or [-1]), partner_filter(Event.organiser_id, partner_ids))
        .order_by(Event.starts_at, Event.id)
    )
    return [
        {
            "partner_id": pid,
            "partner": pname,
            "country": country or "",
            "area": "",
            "course": "",
            "gender": "",
            "label": f"{title} ({starts:%Y-%m-%d})",
            "event_id": eid,
        }
        for eid, title, starts, pid, pname, country in rows
    ]


@counter("cross_border_attendance")
def cross_border_attendance(start, end, partner_ids):
    lo, hi = bounds(start, end)
    ids = _cross_border_event_ids(lo, hi)
    result = []
    for rid, name, gender, title, pid, pname, country in db.session.execute(
        sa.select(EventRegistration.id, EventRegistration.name, EventRegistration.gender,
                  Event.title, Organisation.id, Organisation.name, Organisation.country)
        .select_from(EventRegistration)
        .join(Event, Event.id == EventRegistration.event_id)
        .join(Organisation, Organisation.id == Event.organiser_id)
        .where(
            Event.id.in_(list(ids) or [-1]),
            EventRegistration.attendance == "present",
            partner_filter(Event.organiser_id, partner_ids),
        )
        .order_by(Event.starts_at, EventRegistration.id)
    ):
        result.append({"partner_id": pid, "partner": pname, "country": country or "",
                       "area": "", "course": "", "gender": gender or "",
                       "label": f"{name} — {title}", "registration_id": rid})
    # Cohort sessions whose facilitators work for partners in two or more countries.
    joint = (
        sa.select(CohortFacilitator.cohort_id)
        .join(OrganisationStaff, OrganisationStaff.user_id == CohortFacilitator.user_id)
        .join(Organisation, Organisation.id == OrganisationStaff.organisation_id)
        .where(Organisation.country != "")
        .group_by(CohortFacilitator.cohort_id)
        .having(sa.func.count(sa.distinct(Organisation.country)) >= 2)
    )
    for uname, gender, title, cname, pid, pname, country in db.session.execute(
        sa.select(User.name, User.gender, Meeting.title, Cohort.name, Organisation.id,
                  Organisation.name, Organisation.country)
        .select_from(Attendance)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .join(Organisation, Organisation.id == Cohort.partner_id)
        .join(User, User.id == Attendance.user_id)
        .where(
            Cohort.id.in_(joint),
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at >= lo,
            Meeting.starts_at < hi,
            Attendance.status.in_(("present", "late")),
            partner_filter(Cohort.partner_id, partner_ids),
        )
        .order_by(Meeting.starts_at, Attendance.id)
    ):
        result.append({"partner_id": pid, "partner": pname, "country": country or "",
                       "area": "", "course": "", "gender": gender or "",
                       "label": f"{uname} — {title} ({cname})"})
    return result


@dataclass
class Figure:
    code: str
    name: str
    rule: str
    source: str
    unit: str
    people: bool
    available: bool
    total: int = 0
    rows: list = field(default_factory=list)
    breakdowns: dict = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.code.replace(" ", "").lower()


def breakdown(rows: list[dict], key: str) -> list[tuple[str, int]]:
    counts = Counter((row.get(key) or NOT_STATED) if key == "gender" else (row.get(key) or "—")
                     for row in rows)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def compute(start: date, end: date, partner_ids=None) -> list[Figure]:
    """Every indicator of indicators.yml for the period, limited to ``partner_ids``."""
    figures = []
    for spec in load_rules()["indicators"]:
        count = COUNTERS.get(spec["counter"])
        figure = Figure(
            code=spec["code"], name=spec["name"], rule=spec["rule"], source=spec["source"],
            unit=spec.get("unit", ""), people=bool(spec.get("people")), available=count is not None,
        )
        if count is not None:
            figure.rows = count(start, end, partner_ids)
            figure.total = len(figure.rows)
            keys = BREAKDOWNS if figure.people else BREAKDOWNS[:4]
            figure.breakdowns = {key: breakdown(figure.rows, key) for key in keys}
        figures.append(figure)
    return figures


