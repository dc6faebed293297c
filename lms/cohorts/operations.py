"""Changing cohorts: create and edit, courses, facilitators, members, targets, join codes
and the class-list import. Flush, never commit."""

import secrets
from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.accounts import links as mail_links
from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.audit.services import record_event
from lms.cohorts import classlist
from lms.cohorts.models import (
    Cohort,
    CohortCourse,
    CohortFacilitator,
    Membership,
    ModuleTarget,
)
from lms.cohorts.signals import sign_in_link_made
from lms.extensions import db, utcnow
from lms.i18n.services import ui_languages
from lms.organisations.services import partner_for

#: Join codes avoid letters and digits that are easy to confuse.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def new_token() -> str:
    return secrets.token_urlsafe(24)


def create_cohort(
    name: str,
    partner: str,
    language: str,
    starts_on: date,
    ends_on: date,
    course_ids: list[int],
    facilitator_ids: list[int],
) -> Cohort:
    cohort = Cohort(
        name=name.strip(),
        partner=partner_for(partner),
        language=language,
        starts_on=starts_on,
        ends_on=ends_on,
        join_code=new_join_code(),
        calendar_token=new_token(),
    )
    db.session.add(cohort)
    db.session.flush()
    set_courses(cohort, course_ids)
    set_facilitators(cohort, facilitator_ids)
    return cohort


def update_cohort(
    cohort: Cohort,
    *,
    name: str,
    partner: str,
    language: str,
    starts_on: date,
    ends_on: date,
    join_open: bool,
    course_ids: list[int],
    facilitator_ids: list[int] | None,
) -> None:
    """Save the cohort's form; ``facilitator_ids`` is ``None`` when the user may not change
    who facilitates."""
    cohort.name, cohort.language, cohort.join_open = name, language, join_open
    cohort.starts_on, cohort.ends_on = starts_on, ends_on
    cohort.partner = partner_for(partner)
    set_courses(cohort, course_ids)
    if facilitator_ids is not None:
        set_facilitators(cohort, facilitator_ids)


def renew_join_code(cohort: Cohort) -> None:
    """A new join code; the old code and link stop working."""
    cohort.join_code = new_join_code()
    db.session.flush()


def renew_calendar_token(cohort: Cohort) -> None:
    """A new address for the cohort's calendar feed; the old one stops working."""
    cohort.calendar_token = new_token()
    db.session.flush()


def set_courses(cohort: Cohort, course_ids: list[int]) -> None:
    wanted = list(dict.fromkeys(course_ids))
    existing = {cc.course_id: cc for cc in cohort.courses}
    for course_id, link in existing.items():
        if course_id not in wanted:
            cohort.courses.remove(link)
    for position, course_id in enumerate(wanted):
        if course_id in existing:
            existing[course_id].position = position
        else:
            cohort.courses.append(CohortCourse(course_id=course_id, position=position))
    db.session.flush()


def set_facilitators(cohort: Cohort, user_ids: list[int]) -> None:
    wanted = set(user_ids)
    existing = {f.user_id: f for f in cohort.facilitators}
    for user_id, link in existing.items():
        if user_id not in wanted:
            cohort.facilitators.remove(link)
    for user_id in wanted - set(existing):
        cohort.facilitators.append(CohortFacilitator(user_id=user_id))
    db.session.flush()


def add_member(cohort: Cohort, user: User, joined_at: datetime | None = None) -> bool:
    """Add a learner once; ``False`` when they were already in the cohort."""
    try:
        with db.session.begin_nested():
            db.session.add(
                Membership(cohort_id=cohort.id, user_id=user.id, joined_at=joined_at or utcnow())
            )
    except IntegrityError:
        return False
    return True


def set_targets(cohort: Cohort, targets: dict[int, date | None]) -> None:
    """Set or clear each module's target date for the cohort."""
    existing = {
        t.module_id: t
        for t in db.session.scalars(
            sa.select(ModuleTarget).where(ModuleTarget.cohort_id == cohort.id)
        )
    }
    for module_id, due_on in targets.items():
        current = existing.get(module_id)
        if due_on is None and current is not None:
            db.session.delete(current)
        elif due_on is not None and current is None:
            db.session.add(ModuleTarget(cohort_id=cohort.id, module_id=module_id, due_on=due_on))
        elif due_on is not None:
            current.due_on = due_on
    db.session.flush()


def remove_member(membership: Membership) -> None:
    """Take a learner out of a cohort; their own progress is kept."""
    db.session.delete(membership)
    db.session.flush()


def import_class_list(
    cohort: Cohort, rows: list[classlist.Row], actor: User, link_for: Callable[[User], str]
) -> dict[int, tuple[User, str]]:
    """Create the accounts and memberships of a previewed class list, and record the email
    bringing each new account its set-password link (``link_for``; sent after the commit);
    returns the new accounts and their links by line."""
    created: dict[int, tuple[User, str]] = {}
    for row in rows:
        if row.outcome == classlist.CREATE:
            user = accounts.create_invited_user(row.email, row.name, locale=cohort.language)
            record_event("user.created", actor, f"user:{user.id}", via="class list")
            link = link_for(user)
            created[row.line] = (user, link)
            # The new learner has chosen no language yet: write in the cohort's, if we can.
            language = cohort.language if cohort.language in ui_languages() else "en"
            sign_in_link_made.send(
                user, cohort=cohort, link=link, invitation=True, locale=language
            )
            add_member(cohort, user)
        elif row.outcome == classlist.ADD:
            user = accounts.find_user_by_email(row.email)
            add_member(cohort, user)
    return created


def new_sign_in_link(
    cohort: Cohort, user: User, actor: User, link_for: Callable[[User], str], emailed: bool
) -> tuple[str, int]:
    """A new set-password link for a learner of ``cohort`` (earlier ones stop working for an
    account that never signed in), recorded; returns the link and how many were retired."""
    retired = mail_links.retire_set_password_links(user)
    link = link_for(user)
    record_event(
        "user.sign_in_link",
        actor,
        f"user:{user.id}",
        cohort=cohort.id,
        emailed=emailed,
        earlier_links_retired=retired,
    )
    return link, retired


def email_sign_in_link(cohort: Cohort, user: User, link: str) -> None:
    """Record the email bringing a learner a new sign-in link, in their language."""
    language = user.locale if user.locale in ui_languages() else "en"
    sign_in_link_made.send(user, cohort=cohort, link=link, invitation=False, locale=language)
