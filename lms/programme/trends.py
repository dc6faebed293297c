"""The programme's reporting periods and the two headline figures (participations, certified
completions) period by period, for the report's chart: a fixed number of grouped queries
whatever the number of periods."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, CohortCourse, Membership
from lms.extensions import db
from lms.organisations.models import Organisation
from lms.programme.indicators import bounds, load_rules, partner_filter


def periods() -> list[tuple[date, date]]:
    """The programme's reporting periods: (first day, last day), from indicators.yml."""
    conf = load_rules()["programme"]
    start = conf["starts_on"]
    months = int(conf["period_months"])
    result = []
    for _ in range(int(conf["periods"])):
        month = start.month - 1 + months
        nxt = date(start.year + month // 12, month % 12 + 1, 1)
        result.append((start, nxt - timedelta(days=1)))
        start = nxt
    return result


def count_participations(start, end, partner_ids) -> int:
    """RCO 85's figure as one COUNT (for the per-period chart); equals the rows' number."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Membership)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .join(Organisation, Organisation.id == Cohort.partner_id)
        .join(CohortCourse, CohortCourse.cohort_id == Cohort.id)
        .where(
            Organisation.is_partner,
            Cohort.starts_on <= end,
            Cohort.ends_on >= start,
            partner_filter(Cohort.partner_id, partner_ids),
        )
    )


def _programme_certificates(partner_ids):
    """Certificates (not withdrawn) of a course a partner's cohort follows, held by its member."""
    return (
        sa.select(Certificate.id)
        .join(Membership, Membership.user_id == Certificate.user_id)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .join(
            CohortCourse,
            sa.and_(
                CohortCourse.cohort_id == Cohort.id, CohortCourse.course_id == Certificate.course_id
            ),
        )
        .join(Organisation, Organisation.id == Cohort.partner_id)
        .where(
            Organisation.is_partner,
            Certificate.withdrawn_at.is_(None),
            partner_filter(Cohort.partner_id, partner_ids),
        )
    )


def count_completions(start, end, partner_ids) -> int:
    """RCR 81's figure as one COUNT(DISTINCT certificate)."""
    lo, hi = bounds(start, end)
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Certificate.id))).where(
            Certificate.id.in_(_programme_certificates(partner_ids)),
            Certificate.issued_at >= lo,
            Certificate.issued_at < hi,
        )
    )


def counts_per_period(spans: list[tuple[date, date]], partner_ids) -> list[tuple[int, int]]:
    """(participations, completions) for each span, from two grouped queries whatever the
    number of spans: the same figures as :func:`count_participations` and
    :func:`count_completions` for each span (a test compares them)."""
    per_cohort = db.session.execute(
        sa.select(Cohort.starts_on, Cohort.ends_on, sa.func.count())
        .select_from(Membership)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .join(Organisation, Organisation.id == Cohort.partner_id)
        .join(CohortCourse, CohortCourse.cohort_id == Cohort.id)
        .where(Organisation.is_partner, partner_filter(Cohort.partner_id, partner_ids))
        .group_by(Cohort.id, Cohort.starts_on, Cohort.ends_on)
    ).all()
    issued = list(
        db.session.scalars(
            sa.select(Certificate.issued_at).where(
                Certificate.id.in_(_programme_certificates(partner_ids))
            )
        )
    )
    result = []
    for start, end in spans:
        lo, hi = bounds(start, end)
        participations = sum(n for starts, ends, n in per_cohort if starts <= end and ends >= start)
        completions = sum(1 for at in issued if lo <= _aware(at) < hi)
        result.append((participations, completions))
    return result


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
