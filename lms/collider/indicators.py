"""The collider's data sources for the programme report: organisations cooperating across borders.

Registered with :func:`lms.programme.indicators.register` under the names the rules in
``lms/programme/indicators.yml`` give (RCO 87 and RCR 84). One evidence row per organisation:
its partner column is the partner that organised the matchmaking event the cooperation came
from (empty when it came from elsewhere).
"""

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from lms.collider.models import (
    Cooperation,
    CooperationParty,
    Matchmaking,
    MeetingFeedback,
    MeetingRequest,
)
from lms.extensions import db
from lms.organisations.models import Organisation
from lms.programme.indicators import register
from lms.programme.models import Event


def _bounds(start, end):
    lo = datetime.combine(start, time.min, tzinfo=UTC)
    return lo, datetime.combine(end, time.min, tzinfo=UTC) + timedelta(days=1)


def _rows(cooperation_ids_query, partner_ids) -> list[dict]:
    """One row per organisation party to a cross-border cooperation among those selected."""
    organiser = sa.orm.aliased(Organisation)
    query = (
        sa.select(
            Cooperation.id,
            Cooperation.title,
            Cooperation.agreed_on,
            Organisation.id,
            Organisation.name,
            Organisation.country,
            organiser.id,
            organiser.name,
        )
        .join(CooperationParty, CooperationParty.cooperation_id == Cooperation.id)
        .join(Organisation, Organisation.id == CooperationParty.organisation_id)
        .outerjoin(MeetingRequest, MeetingRequest.id == Cooperation.request_id)
        .outerjoin(Matchmaking, Matchmaking.id == MeetingRequest.matchmaking_id)
        .outerjoin(Event, Event.id == Matchmaking.event_id)
        .outerjoin(organiser, organiser.id == Event.organiser_id)
        .where(Cooperation.id.in_(cooperation_ids_query))
        .order_by(Cooperation.agreed_on, Cooperation.id, Organisation.name)
    )
    if partner_ids is not None:
        query = query.where(Event.organiser_id.in_(list(partner_ids) or [-1]))
    by_cooperation: dict = {}
    for row in db.session.execute(query):
        by_cooperation.setdefault(row[0], []).append(row)
    seen: dict = {}
    for rows in by_cooperation.values():
        countries = {r[5] for r in rows if r[5]}
        if len(countries) < 2:
            continue  # not across borders
        for _cid, title, agreed_on, org_id, org_name, country, pid, pname in rows:
            if org_id in seen:
                continue
            seen[org_id] = {
                "partner_id": pid,
                "partner": pname or "",
                "country": country or "",
                "area": "",
                "course": "",
                "gender": "",
                "label": f"{org_name} — {title} ({agreed_on:%Y-%m-%d})",
                "organisation_id": org_id,
            }
    return list(seen.values())


def cooperating_organisations(start, end, partner_ids):
    """RCO 87: organisations in a cross-border cooperation agreed during the period."""
    ids = sa.select(Cooperation.id).where(Cooperation.agreed_on.between(start, end))
    return _rows(ids, partner_ids)


def cooperating_organisations_after(start, end, partner_ids):
    """RCR 84: those whose meeting got the follow-up rating "cooperation agreement reached"
    during the period (the second round of feedback, asked months after the meeting)."""
    lo, hi = _bounds(start, end)
    confirmed = sa.select(MeetingFeedback.request_id).where(
        MeetingFeedback.stage == "followup",
        MeetingFeedback.answer == "agreement",
        MeetingFeedback.created_at >= lo,
        MeetingFeedback.created_at < hi,
    )
    ids = sa.select(Cooperation.id).where(Cooperation.request_id.in_(confirmed))
    return _rows(ids, partner_ids)


register("cooperating_organisations", cooperating_organisations)
register("cooperating_organisations_after", cooperating_organisations_after)
