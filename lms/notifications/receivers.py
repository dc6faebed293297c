"""What the features' signals record: messages about sessions and certificates.

Each receiver runs inside the sender's transaction (after its flush), records with
:func:`lms.notifications.notify` and never commits; the outbox's unique keys make the same
change twice one message.
"""

from collections import defaultdict

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from lms.accounts.models import User
from lms.certificates.signals import certificate_issued
from lms.cohorts.calendar import build_calendar
from lms.cohorts.models import Meeting, Membership
from lms.cohorts.signals import meeting_cancelled, meeting_saved
from lms.collider.signals import meeting_requested, request_answered
from lms.extensions import db, utcnow
from lms.notifications.catalogue import (
    CERTIFICATE_ISSUED,
    COLLIDER_ACCEPTED,
    COLLIDER_REQUEST,
    MEETING_UPDATE,
)
from lms.notifications.outbox import Attachment, notify


def members_by_cohort(cohort_ids) -> dict[int, list[User]]:
    """The learners of each cohort with an account that can receive messages (one query)."""
    found: dict[int, list[User]] = defaultdict(list)
    if not cohort_ids:
        return found
    rows = db.session.execute(
        sa.select(Membership.cohort_id, User)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.cohort_id.in_(list(cohort_ids)),
            User.active.is_(True),
            User.deleted_at.is_(None),
        )
        .order_by(User.id)
    )
    for cohort_id, user in rows:
        found[cohort_id].append(user)
    return found


def cohort_members(cohort_id: int) -> list[User]:
    """One cohort's learners who can receive messages."""
    return members_by_cohort([cohort_id]).get(cohort_id, [])


def module_links(meeting: Meeting, kind: str = "prepare") -> list[dict]:
    """The meeting's modules of ``kind`` with their absolute links, in course order."""
    base = current_app.config["LMS_BASE_URL"]
    links = [link.module for link in meeting.modules if link.kind == kind]
    links.sort(key=lambda m: (m.course.title, m.position, m.slug))
    return [
        {"id": m.id, "title": m.title, "url": f"{base}/courses/{m.course.slug}/{m.slug}"}
        for m in links
    ]


def meeting_calendar(meeting: Meeting, locale: str) -> Attachment:
    """The session as an ``.ics`` file, its texts in ``locale``."""
    with force_locale(locale or "en"):
        data = build_calendar([meeting], meeting.cohort.name, current_app.config["LMS_BASE_URL"])
    return Attachment(f"session-{meeting.id}.ics", "text/calendar; charset=utf-8", data)


def notify_meeting(meeting: Meeting, action: str) -> int:
    """Tell every member of the session's cohort that it was scheduled, changed or cancelled
    (not for a session already over, e.g. its notes completed afterwards)."""
    if meeting.ends_at < utcnow() or meeting.cohort.archived_at is not None:
        return 0
    calendars: dict[str, Attachment] = {}
    prepare = module_links(meeting)
    recorded = 0
    for user in cohort_members(meeting.cohort_id):
        locale = user.locale or "en"
        if locale not in calendars:
            calendars[locale] = meeting_calendar(meeting, locale)
        if notify(
            MEETING_UPDATE.name,
            user,
            f"meeting:{meeting.id}:{meeting.sequence}",
            context={
                "meeting": meeting,
                "action": action,
                "cohort_name": meeting.cohort.name,
                "prepare": prepare,
            },
            link="/me/sessions",
            attachments=[calendars[locale]],
        ):
            recorded += 1
    return recorded


@meeting_saved.connect
def _meeting_saved(meeting: Meeting, created: bool = False, changed=frozenset(), **_kw) -> None:
    if not created and not changed:
        return  # saved without a change a learner would see: nothing to tell
    notify_meeting(meeting, "scheduled" if created else "changed")


@meeting_cancelled.connect
def _meeting_cancelled(meeting: Meeting, **_kw) -> None:
    notify_meeting(meeting, "cancelled")


@certificate_issued.connect
def _certificate_issued(certificate, **_kw) -> None:
    holder = db.session.get(User, certificate.user_id)
    if holder is None:
        return
    base = current_app.config["LMS_BASE_URL"]
    notify(
        CERTIFICATE_ISSUED.name,
        holder,
        f"certificate:{certificate.id}",
        context={"certificate": certificate, "verify_url": f"{base}/verify/{certificate.code}"},
        link=f"/certificates/{certificate.code}",
    )


def _event_of(meeting_request):
    from lms.collider.models import Matchmaking
    from lms.programme.models import Event

    setup = db.session.get(Matchmaking, meeting_request.matchmaking_id)
    return db.session.get(Event, setup.event_id)


@meeting_requested.connect
def _collider_requested(meeting_request, **_kw) -> None:
    event = _event_of(meeting_request)
    notify(
        COLLIDER_REQUEST.name,
        meeting_request.recipient.user,
        f"collider-request:{meeting_request.id}",
        context={
            "event": event,
            "other": meeting_request.requester.user,
            "message": meeting_request.message,
        },
        link=f"/collider/events/{event.id}#requests",
    )


@request_answered.connect
def _collider_answered(meeting_request, answer: str = "", previous: str = "", **_kw) -> None:
    if answer != "accept":
        return
    # The recipient accepted a request, or the requester the other slot the recipient proposed.
    told, other = (
        (meeting_request.requester, meeting_request.recipient)
        if previous == "pending"
        else (meeting_request.recipient, meeting_request.requester)
    )
    event = _event_of(meeting_request)
    notify(
        COLLIDER_ACCEPTED.name,
        told.user,
        f"collider-accepted:{meeting_request.id}",
        context={"event": event, "other": other.user, "message": ""},
        link=f"/collider/events/{event.id}/agenda",
    )
