"""Turning the cohorts' and certificates' signals into recorded messages (no commit here)."""

from lms.certificates.signals import certificate_issued
from lms.cohorts.signals import meeting_cancelled, meeting_saved
from lms.notifications import services

#: Changing only these fields is worth telling people about.
NOTEWORTHY = {"title", "starts_at", "ends_at", "timezone", "place", "online_url"}


def meeting_ics(meeting) -> bytes:
    from lms.cohorts.calendar import build_calendar

    return build_calendar([meeting], meeting.title, services.base_url())


def meeting_recipients(meeting):
    from lms.cohorts.services import expected_attendees

    return [m.user for m in expected_attendees(meeting)]


def notify_meeting(kind: str, meeting, object_key: str) -> int:
    ics = meeting_ics(meeting)
    count = 0
    for user in meeting_recipients(meeting):
        recorded = services.notify(
            kind,
            user,
            object_key,
            {"meeting": meeting},
            url="/me/sessions",
            cohort_id=meeting.cohort_id,
            attachment=ics,
        )
        count += recorded is not None
    return count


def on_meeting_saved(meeting, created: bool = False, changed=frozenset(), **_):
    if created:
        notify_meeting("meeting_scheduled", meeting, f"meeting:{meeting.id}")
    elif set(changed) & NOTEWORTHY:
        notify_meeting("meeting_changed", meeting, f"meeting:{meeting.id}:{meeting.sequence}")


def on_meeting_cancelled(meeting, **_):
    notify_meeting("meeting_cancelled", meeting, f"meeting:{meeting.id}")


def on_certificate_issued(certificate, **_):
    from lms.accounts.models import User
    from lms.extensions import db

    user = db.session.get(User, certificate.user_id)
    services.notify(
        "certificate_issued",
        user,
        f"certificate:{certificate.id}",
        {
            "certificate": certificate,
            "verify_url": services.link("certificates.verify", code=certificate.code),
        },
        url=f"/certificates/{certificate.code}",
    )


def connect() -> None:
    meeting_saved.connect(on_meeting_saved)
    meeting_cancelled.connect(on_meeting_cancelled)
    certificate_issued.connect(on_certificate_issued)
