"""Load and authorize: who runs which cohort, and the loaders every view calls (404 for
everyone without access)."""

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from lms.cohorts.models import Cohort, CohortCourse, CohortFacilitator, Meeting, Membership
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.organisations.services import partner_ids_of


def cohorts_for(user, include_archived: bool = False) -> list[Cohort]:
    """The cohorts a facilitator runs (all of them for an admin)."""
    query = sa.select(Cohort).order_by(Cohort.starts_on.desc(), Cohort.name)
    if not include_archived:
        query = query.where(Cohort.archived_at.is_(None))
    if not user.is_admin:
        facilitated = sa.select(CohortFacilitator.cohort_id).where(
            CohortFacilitator.user_id == user.id
        )
        managed = managed_partner_ids(user)
        query = query.where(
            sa.or_(Cohort.id.in_(facilitated), Cohort.partner_id.in_(managed))
            if managed
            else Cohort.id.in_(facilitated)
        )
    return list(db.session.scalars(query))


def managed_partner_ids(user) -> list[int]:
    """A partner manager's partner organisations: they run every cohort of those partners."""
    if not user.is_partner_manager:
        return []
    return partner_ids_of(user.id, role="manager")


def can_facilitate(user, cohort: Cohort) -> bool:
    """Admins any cohort; facilitators their own; partner managers their partners' cohorts."""
    if user.is_admin:
        return True
    if cohort.partner_id in managed_partner_ids(user):
        return True
    return (
        db.session.scalar(
            sa.select(CohortFacilitator.id).where(
                CohortFacilitator.cohort_id == cohort.id, CohortFacilitator.user_id == user.id
            )
        )
        is not None
    )


def load_cohort_or_404(cohort_id: int, user) -> Cohort:
    """A cohort the user facilitates (admins: any); 404 for everyone else."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not can_facilitate(user, cohort):
        abort(404)
    return cohort


def load_member_or_404(cohort: Cohort, user_id: int) -> Membership:
    membership = db.session.scalar(
        sa.select(Membership).where(
            Membership.cohort_id == cohort.id, Membership.user_id == user_id
        )
    )
    if membership is None:
        abort(404)
    return membership


def load_meeting_or_404(meeting_id: int, user) -> Meeting:
    """A meeting of a cohort the user facilitates; 404 otherwise."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not can_facilitate(user, meeting.cohort):
        abort(404)
    return meeting


def load_member_meeting_or_404(meeting_id: int, user) -> Meeting:
    """A session of a cohort the user is a member of (to answer whether they come); 404 else."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.cohort_id not in member_cohort_ids(user.id):
        abort(404)
    return meeting


def member_cohort_ids(user_id: int) -> list[int]:
    return list(
        db.session.scalars(sa.select(Membership.cohort_id).where(Membership.user_id == user_id))
    )


def cohort_by_join_code(code: str) -> Cohort | None:
    code = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return db.session.scalar(
        sa.select(Cohort).where(Cohort.join_code == code, Cohort.archived_at.is_(None))
    )


def cohort_modules(cohort: Cohort) -> list[tuple[Course, list[Module]]]:
    """The cohort's courses with their current modules, in order (two queries)."""
    links = db.session.scalars(
        sa.select(CohortCourse)
        .where(CohortCourse.cohort_id == cohort.id)
        .options(selectinload(CohortCourse.course).selectinload(Course.modules))
        .order_by(CohortCourse.position)
    ).all()
    return [
        (link.course, [m for m in link.course.modules if m.archived_at is None])
        for link in links
        if link.course.archived_at is None
    ]


def load_cohort_module_or_404(cohort: Cohort, module_id: int) -> tuple[Course, Module]:
    """One of the cohort's current modules, with its course; 404 for any other module."""
    for course, modules in cohort_modules(cohort):
        for module in modules:
            if module.id == module_id:
                return course, module
    abort(404)


def may_get_link(user) -> bool:
    """Set-password links are for active learner accounts only (never a facilitator's or
    admin's account, even when it is a member of the cohort)."""
    return user.role == "learner" and user.is_active


def may_assign_facilitators(user, cohort: Cohort | None = None) -> bool:
    """Admins, and partner managers for their own partners' cohorts."""
    if user.is_admin:
        return True
    own = managed_partner_ids(user)
    return bool(own) and (cohort is None or cohort.partner_id in own)
