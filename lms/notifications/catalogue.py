"""Every kind of message the platform sends about learning (issue 16), in one place.

Account and security messages register in ``catalogue_account.py``. Each kind's templates live
with its feature, under ``<feature>/templates/<feature>/messages/``; what records them is in
:mod:`lms.notifications.receivers` (signals of the features), :mod:`lms.notifications.scheduled`
(reminders and target dates) and :mod:`lms.notifications.nudges` (facilitators' messages).
"""

from flask_babel import lazy_gettext as _l

from lms.notifications.kinds import (
    GROUP_COHORT,
    GROUP_COLLIDER,
    GROUP_LEARNING,
    GROUP_SESSIONS,
    Kind,
    register_kind,
)

#: A session scheduled, changed or cancelled (the .ics attached); key ``meeting:<id>:<sequence>``.
MEETING_UPDATE = register_kind(
    Kind(
        "meeting.update",
        _l("A session is scheduled, changed or cancelled"),
        GROUP_SESSIONS,
        "cohorts/messages/meeting_update",
    )
)
#: The day before a session; key ``reminder:<id>:<sequence>``.
MEETING_REMINDER = register_kind(
    Kind(
        "meeting.reminder",
        _l("Reminder before a session"),
        GROUP_SESSIONS,
        "cohorts/messages/meeting_reminder",
        digestible=False,  # a reminder held until the digest could come after the session
    )
)
#: A module's target date in a few days, or passed; key ``target:<cohort>:<module>:soon|passed``.
MODULE_TARGET = register_kind(
    Kind(
        "module.target",
        _l("A module's target date is near or has passed"),
        GROUP_LEARNING,
        "cohorts/messages/module_target",
    )
)
#: Key ``certificate:<id>``.
CERTIFICATE_ISSUED = register_kind(
    Kind(
        "certificate.issued",
        _l("A certificate is issued to you"),
        GROUP_LEARNING,
        "certificates/messages/certificate_issued",
    )
)
#: Key ``announcement:<id>``.
COHORT_ANNOUNCEMENT = register_kind(
    Kind(
        "cohort.announcement",
        _l("Announcements to your cohort"),
        GROUP_COHORT,
        "notifications/messages/announcement",
    )
)
#: Key ``nudge:<batch>``: one send of a facilitator to the learners they chose.
COHORT_NUDGE = register_kind(
    Kind(
        "cohort.nudge",
        _l("Personal messages from your facilitators"),
        GROUP_COHORT,
        "notifications/messages/nudge",
    )
)
#: Key ``collider-request:<id>``: to the participant asked.
COLLIDER_REQUEST = register_kind(
    Kind(
        "collider.request",
        _l("Someone asks you for a meeting at an event"),
        GROUP_COLLIDER,
        "collider/messages/meeting_request",
    )
)
#: Key ``collider-accepted:<id>``: to the one whose request (or proposed slot) was accepted.
COLLIDER_ACCEPTED = register_kind(
    Kind(
        "collider.accepted",
        _l("Your meeting request is accepted"),
        GROUP_COLLIDER,
        "collider/messages/meeting_accepted",
    )
)
#: Key ``collider-reminder:<request>:<slot>:<table>``: to both sides, before the meeting.
COLLIDER_REMINDER = register_kind(
    Kind(
        "collider.reminder",
        _l("Reminders of your meetings at events"),
        GROUP_COLLIDER,
        "collider/messages/meeting_reminder",
        digestible=False,
    )
)
#: Key ``collider-feedback:<request>``: to each side that has not said how the meeting went.
COLLIDER_FEEDBACK = register_kind(
    Kind(
        "collider.feedback",
        _l("How did your meeting go?"),
        GROUP_COLLIDER,
        "collider/messages/meeting_feedback",
    )
)
