"""Nudges and announcements: what facilitators write to their learners (issue 16).

A nudge goes to the learners a facilitator chose, each copy with the placeholders filled for
that learner; a stock template is written in each learner's own language. Flush, never commit.
"""

import re

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.notifications.catalogue import COHORT_ANNOUNCEMENT, COHORT_NUDGE
from lms.notifications.cohort_models import Announcement, Nudge
from lms.notifications.outbox import notify
from lms.notifications.receivers import cohort_members

#: The placeholders a nudge may hold, filled per learner.
PLACEHOLDERS = ("name", "next_module", "next_session", "progress", "cohort")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

#: Stock nudges: (label, subject, body).
TEMPLATES = {
    "miss_you": (
        _l("We miss you"),
        _l("We miss you in {cohort}"),
        _l(
            "Hello {name},\n\nWe have not seen you on the platform for a while. Your next "
            "module is {next_module}; a few minutes today is a good start. You have completed "
            "{progress} so far.\n\nIf something is in the way, reply to your facilitator: we "
            "are happy to help."
        ),
    ),
    "next_module": (
        _l("Your next module"),
        _l("Your next module: {next_module}"),
        _l(
            "Hello {name},\n\nYou have completed {progress} of {cohort}. Your next module is "
            "{next_module}. Keep going!"
        ),
    ),
    "session_week": (
        _l("Session this week"),
        _l("Our next session: {next_session}"),
        _l(
            "Hello {name},\n\nOur next session of {cohort} is {next_session}. We look forward "
            "to seeing you there. Your next module to prepare is {next_module}."
        ),
    ),
}
OWN = "own"


def fill(text: str, values: dict) -> str:
    """``text`` with each known placeholder replaced; anything else in braces stays."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def _next_module(row, report):
    """The first module of the cohort's courses the learner has not completed, or None."""
    return next((m for m in report.modules if row.cells[m.id].status != "completed"), None)


def placeholder_values(row, report, next_meeting) -> dict:
    """A learner's values for the placeholders, in the current language (``row`` is a
    :class:`~lms.cohorts.reports.LearnerRow` with its cells loaded)."""
    from flask_babel import gettext as _

    from lms.templating import meeting_time, percent

    upcoming = _next_module(row, report)
    return {
        "name": row.user.name,
        "next_module": upcoming.title if upcoming else _("none: you have completed them all"),
        "next_session": meeting_time(next_meeting) if next_meeting else _("not scheduled yet"),
        "progress": percent(row.percent),
        "cohort": report.cohort.name,
    }


def next_module_link(row, report) -> str:
    upcoming = _next_module(row, report)
    return f"/courses/{upcoming.course.slug}/{upcoming.slug}" if upcoming else "/"


def compose(row, report, next_meeting, template: str, subject: str, body: str):
    """(subject, body) of one learner's copy: a stock template in their language, or the
    facilitator's own words as written."""
    locale = row.user.locale or "en"
    with force_locale(locale):
        values = placeholder_values(row, report, next_meeting)
        if template in TEMPLATES:
            _label, stock_subject, stock_body = TEMPLATES[template]
            subject, body = str(stock_subject), str(stock_body)
        return fill(subject, values)[:200], fill(body, values)


def send_nudges(report, rows, next_meeting, sender, template, subject, body, batch) -> int:
    """Record a nudge for each learner in ``rows``; the same ``batch`` twice records once."""
    cohort: Cohort = report.cohort
    sent = 0
    for row in rows:
        copy_subject, copy_body = compose(row, report, next_meeting, template, subject, body)
        try:
            with db.session.begin_nested():
                db.session.add(
                    Nudge(
                        batch=batch,
                        cohort_id=cohort.id,
                        sender_id=sender.id,
                        user_id=row.user.id,
                        template=template,
                        subject=copy_subject,
                        body=copy_body,
                    )
                )
        except sa.exc.IntegrityError:
            continue  # this send was already recorded (the form posted twice)
        notify(
            COHORT_NUDGE.name,
            row.user,
            f"nudge:{batch}",
            context={
                "subject": copy_subject,
                "body": copy_body,
                "author_name": sender.name,
                "cohort_name": cohort.name,
            },
            link=next_module_link(row, report),
            summary=copy_body[:200],
        )
        sent += 1
    return sent


def nudges_of(cohort_id: int, user_id: int) -> list[Nudge]:
    """What was sent to a learner in a cohort, newest first."""
    return list(
        db.session.scalars(
            sa.select(Nudge)
            .where(Nudge.cohort_id == cohort_id, Nudge.user_id == user_id)
            .order_by(Nudge.sent_at.desc(), Nudge.id.desc())
        )
    )


def announce(cohort: Cohort, author, subject: str, body: str) -> Announcement:
    """Record an announcement and a message to every member of the cohort."""
    announcement = Announcement(
        cohort_id=cohort.id, author_id=author.id, subject=subject.strip(), body=body.strip()
    )
    db.session.add(announcement)
    db.session.flush()
    count = 0
    for user in cohort_members(cohort.id):
        if notify(
            COHORT_ANNOUNCEMENT.name,
            user,
            f"announcement:{announcement.id}",
            context={
                "subject": announcement.subject,
                "body": announcement.body,
                "author_name": author.name,
                "cohort_name": cohort.name,
            },
            link="/me/sessions",
            summary=announcement.body[:200],
        ):
            count += 1
    announcement.recipients = count
    db.session.flush()
    current_app.logger.info(
        "announcement %s to cohort %s by user %s: %s recorded",
        announcement.id,
        cohort.id,
        author.id,
        count,
    )
    return announcement
