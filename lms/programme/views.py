"""Programme pages for managers: the overview and the indicator report with its exports."""

from datetime import date

import sqlalchemy as sa
from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.cohorts.models import Cohort, CohortFacilitator, Membership
from lms.extensions import db, utcnow
from lms.organisations.models import Organisation
from lms.organisations.services import country_name
from lms.programme import bp, trends
from lms.programme import indicators as ind
from lms.programme.access import manager_required, visible_partner_ids
from lms.programme.charts import bar_chart
from lms.programme.exports import report_csv, report_xlsx
from lms.programme.models import Event

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period():
    """(start, end, chosen period index or None, error) from the query string."""
    periods = trends.periods()
    error = None
    raw_from, raw_to = request.args.get("from", ""), request.args.get("to", "")
    if raw_from or raw_to:
        try:
            start, end = date.fromisoformat(raw_from), date.fromisoformat(raw_to)
            if start > end:
                raise ValueError
            return start, end, None, None
        except ValueError:
            error = _("Please give two dates (YYYY-MM-DD), the first not after the second.")
    chosen = request.args.get("period", "")
    if chosen.isdigit() and int(chosen) < len(periods):
        index = int(chosen)
    else:
        today = utcnow().date()
        index = next(
            (i for i, (s, e) in enumerate(periods) if s <= today <= e), len(periods) - 1
        )
    start, end = periods[index]
    return start, end, index, error


def _query(start, end):
    return {"from": start.isoformat(), "to": end.isoformat()}


@bp.route("/programme/report")
@manager_required
def report():
    start, end, index, error = _period()
    partner_ids = visible_partner_ids(current_user)
    figures = ind.compute(start, end, partner_ids)
    # Per period: participations and completions (chart and table).
    spans = trends.periods()
    series = [
        (i, s, e, participations, completions)
        for i, ((s, e), (participations, completions)) in enumerate(
            zip(spans, trends.counts_per_period(spans, partner_ids), strict=True)
        )
    ]
    by_code = {f.code: f for f in figures}
    country_rows = [
        (country_name(code) if code != "—" else code, count)
        for code, count in by_code["RCO 85"].breakdowns.get("country", [])
    ]
    charts = {
        "periods": bar_chart(
            _("Participations and completions per period"),
            [f"{s:%m/%Y}" for _i, s, _e, _p, _c in series],
            [(_("Participations"), [p for *_x, p, _c in series]),
             (_("Completions"), [c for *_x, c in series])],
        ),
        "countries": bar_chart(
            _("Participations per country"),
            [name for name, _count in country_rows],
            [(_("Participations"), [count for _name, count in country_rows])],
        ),
    }
    participants = len({r["person_id"] for r in by_code["RCO 85"].rows})
    certified = len({r["person_id"] for r in by_code["RCR 81"].rows})
    funnel = [
        (_("Participations"), by_code["RCO 85"].total),
        (_("People taking part"), participants),
        (_("People certified"), certified),
    ]
    return render_template(
        "programme/report.html",
        figures=figures,
        start=start,
        end=end,
        index=index,
        error=error,
        periods=trends.periods(),
        series=series,
        charts=charts,
        funnel=funnel,
        funnel_chart=bar_chart(_("Completion funnel"), [f[0] for f in funnel],
                               [(_("People"), [f[1] for f in funnel])]),
        query=_query(start, end),
        country_name=country_name,
        scoped=partner_ids is not None,
    ), (422 if error else 200)


@bp.route("/programme/report/<slug>/evidence")
@manager_required
def evidence(slug: str):
    start, end, _index, _error = _period()
    figures = ind.compute(start, end, visible_partner_ids(current_user))
    figure = next((f for f in figures if f.slug == slug), None)
    if figure is None:
        abort(404)
    return render_template(
        "programme/evidence.html", figure=figure, start=start, end=end,
        query=_query(start, end), country_name=country_name,
    )


@bp.route("/programme/report.csv")
@manager_required
def report_as_csv():
    start, end, _index, _error = _period()
    figures = ind.compute(start, end, visible_partner_ids(current_user))
    return Response(
        report_csv(figures, start, end),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="indicators-{start}-{end}.csv"'},
    )


@bp.route("/programme/report.xlsx")
@manager_required
def report_as_xlsx():
    start, end, _index, _error = _period()
    figures = ind.compute(start, end, visible_partner_ids(current_user))
    return Response(
        report_xlsx(figures, start, end),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="indicators-{start}-{end}.xlsx"'},
    )


@bp.route("/programme/")
@manager_required
def overview():
    """Partners with their cohorts, facilitators, learners, completions and next events."""
    partner_ids = visible_partner_ids(current_user)
    query = sa.select(Organisation).where(Organisation.is_partner).order_by(Organisation.name)
    if partner_ids is not None:
        query = query.where(Organisation.id.in_(partner_ids or [-1]))
    partners = list(db.session.scalars(query))
    ids = [p.id for p in partners] or [-1]
    cohorts = dict(
        db.session.execute(
            sa.select(Cohort.partner_id, sa.func.count(Cohort.id))
            .where(Cohort.partner_id.in_(ids), Cohort.archived_at.is_(None))
            .group_by(Cohort.partner_id)
        ).all()
    )
    learners = dict(
        db.session.execute(
            sa.select(Cohort.partner_id, sa.func.count(sa.distinct(Membership.user_id)))
            .join(Membership, Membership.cohort_id == Cohort.id)
            .where(Cohort.partner_id.in_(ids))
            .group_by(Cohort.partner_id)
        ).all()
    )
    facilitators = dict(
        db.session.execute(
            sa.select(Cohort.partner_id, sa.func.count(sa.distinct(CohortFacilitator.user_id)))
            .join(CohortFacilitator, CohortFacilitator.cohort_id == Cohort.id)
            .where(Cohort.partner_id.in_(ids))
            .group_by(Cohort.partner_id)
        ).all()
    )
    everything = trends.periods()
    certified = {}
    for row in ind.COUNTERS["certified_completions"](everything[0][0], everything[-1][1], partner_ids):
        certified.setdefault(row["partner_id"], set()).add(row["person_id"])
    upcoming = {}
    for event in db.session.scalars(
        sa.select(Event)
        .where(Event.organiser_id.in_(ids), Event.starts_at >= utcnow(), Event.cancelled_at.is_(None))
        .order_by(Event.starts_at)
    ):
        upcoming.setdefault(event.organiser_id, [])
        if len(upcoming[event.organiser_id]) < 2:
            upcoming[event.organiser_id].append(event)
    rows = [
        {
            "partner": p,
            "country": country_name(p.country),
            "cohorts": cohorts.get(p.id, 0),
            "facilitators": facilitators.get(p.id, 0),
            "learners": learners.get(p.id, 0),
            "certified": len(certified.get(p.id, ())),
            "events": upcoming.get(p.id, []),
        }
        for p in partners
    ]
    return render_template("programme/overview.html", rows=rows)
