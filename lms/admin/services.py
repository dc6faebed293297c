"""Queries of the admin area: users with search, one user's cohorts, the audit log."""

import sqlalchemy as sa

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.cohorts.models import Cohort, CohortFacilitator, Membership
from lms.extensions import db

STATUSES = ("active", "disabled")


def users_query(query: str = "", role: str = "", status: str = "") -> sa.Select:
    """Users matching the search (name or email contains), role and status; by name."""
    select = sa.select(User)
    query = (query or "").strip()
    if query:
        select = select.where(
            sa.or_(
                User.name.ilike(f"%{_escape_like(query)}%", escape="\\"),
                User.email.ilike(f"%{_escape_like(query.lower())}%", escape="\\"),
            )
        )
    if role:
        select = select.where(User.role == role)
    if status in STATUSES:
        select = select.where(User.active.is_(status == "active"))
    return select.order_by(sa.func.lower(User.name), User.id)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def cohorts_of(user: User) -> tuple[list[Cohort], list[Cohort]]:
    """The cohorts ``user`` learns in and the cohorts they facilitate."""
    learning = db.session.scalars(
        sa.select(Cohort)
        .join(Membership, Membership.cohort_id == Cohort.id)
        .where(Membership.user_id == user.id)
        .order_by(Cohort.starts_on.desc())
    ).all()
    running = db.session.scalars(
        sa.select(Cohort)
        .join(CohortFacilitator, CohortFacilitator.cohort_id == Cohort.id)
        .where(CohortFacilitator.user_id == user.id)
        .order_by(Cohort.starts_on.desc())
    ).all()
    return list(learning), list(running)


def audit_query(kind: str = "", actor: str = "", target: str = "") -> sa.Select:
    """Audit events, newest first, filtered by kind, actor (email or name) and target."""
    select = sa.select(AuditEvent)
    if kind:
        select = select.where(AuditEvent.kind == kind)
    actor = (actor or "").strip()
    if actor:
        pattern = f"%{_escape_like(actor.lower())}%"
        select = select.where(
            AuditEvent.actor_id.in_(
                sa.select(User.id).where(
                    sa.or_(
                        User.email.ilike(pattern, escape="\\"),
                        User.name.ilike(pattern, escape="\\"),
                    )
                )
            )
        )
    target = (target or "").strip()
    if target:
        select = select.where(AuditEvent.target == target)
    return select.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def audit_kinds() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.kind).distinct().order_by(AuditEvent.kind)))


def users_by_id(ids) -> dict[int, User]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
