"""The cohort's CSV files: the matrix, quiz results, attendance and an import's
set-password links. Files are data for spreadsheets and scripts: build them under
``force_locale("en")``."""

from collections.abc import Callable

import sqlalchemy as sa
from flask import Response
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.accounts.models import User
from lms.cohorts.access import may_get_link
from lms.cohorts.attendance import attendance_of
from lms.cohorts.models import Cohort, Membership
from lms.cohorts.reports import CohortReport, LearnerRow, load_cells
from lms.csvfile import csv_text
from lms.extensions import db

#: The exports of the cohort page, by the name in their address.
KINDS = ("matrix", "quiz-results", "attendance")

STATUS_WORDS = {
    "not_started": "not started",
    "in_progress": "in progress",
    "completed": "completed",
}


def csv_response(filename: str, header: list[str], rows) -> Response:
    """A CSV download."""
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def cohort_csv(
    cohort: Cohort, kind: str, report: CohortReport, rows: list[LearnerRow]
) -> tuple[list[str], list[list]]:
    """The header and rows of one of :data:`KINDS`, for ``rows`` (the page's filters)."""
    if kind == "matrix":
        load_cells(report, rows)
        header = ["Learner", "Email", "Progress %", "Average score %", "Last active", "At risk"]
        header += [m.title for m in report.modules]
        data = [
            [
                r.user.name,
                r.user.email,
                r.percent,
                r.average_score,
                r.last_active.isoformat(timespec="minutes") if r.last_active else "",
                "; ".join(risk_text(k, d) for k, d in r.risks),
            ]
            + [_cell_text(r.cells[m.id]) for m in report.modules]
            for r in rows
        ]
        return header, data
    if kind == "quiz-results":
        load_cells(report, rows)
        header = ["Learner", "Email", "Course", "Module", "Best score %", "Attempts", "Passed"]
        data = [
            [
                r.user.name,
                r.user.email,
                course.title,
                m.title,
                r.cells[m.id].score,
                r.cells[m.id].attempts,
                "yes" if r.cells[m.id].passed else "no",
            ]
            for r in rows
            for course, modules in report.courses
            for m in modules
            if r.cells[m.id].attempts
        ]
        return header, data
    recorded = attendance_of(cohort)
    meetings = [m for m in report.meetings if m.cancelled_at is None]
    header = ["Learner", "Email"] + [f"{m.title} ({m.starts_at:%Y-%m-%d})" for m in meetings]
    data = [
        [r.user.name, r.user.email]
        + [
            recorded.get(
                (m.id, r.user.id), "" if m.starts_at >= r.joined_at else "not yet a member"
            )
            for m in meetings
        ]
        for r in rows
    ]
    return header, data


def _cell_text(cell) -> str:
    text = STATUS_WORDS[cell.status]
    if cell.score is not None:
        text += f" ({cell.score:.0f}%)"
    return text


def risk_text(kind: str, detail: str) -> str:
    """Why a learner is at risk, in words; ``detail`` is a count, or a module's title."""
    if kind == "failed_quiz":
        return _("failed the quiz of “%(module)s” twice", module=detail)
    count = int(detail) if str(detail).isdigit() else 0
    if kind == "inactive":
        return ngettext("inactive for %(num)d day", "inactive for %(num)d days", count)
    if kind == "behind":
        return ngettext(
            "behind schedule on %(num)d module", "behind schedule on %(num)d modules", count
        )
    if kind == "missed_sessions":
        return ngettext("missed %(num)d session", "missed %(num)d sessions", count)
    return kind


#: The header of an import's set-password links.
LINKS_HEADER = ["Line", "Name", "Email", "Set-password link", "Note"]


def import_links_csv(
    cohort: Cohort, created: list[tuple[int, int]], link_for: Callable[[User], str]
) -> list[list]:
    """The rows of an import's links: a new link (``link_for``) by line for each account
    still in the cohort that has never signed in, else why there is none."""
    ids = [user_id for _line, user_id in created]
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    members = set(
        db.session.scalars(
            sa.select(Membership.user_id).where(
                Membership.cohort_id == cohort.id, Membership.user_id.in_(ids)
            )
        )
    )
    data = []
    for line, user_id in created:
        user = users.get(user_id)
        if user is None or user_id not in members or not may_get_link(user):
            data.append([line, "", "", "", "not in this cohort any more"])
        elif user.last_seen_at is not None:
            data.append([line, user.name, user.email, "", "signed in already"])
        else:
            data.append([line, user.name, user.email, link_for(user), ""])
    return data
