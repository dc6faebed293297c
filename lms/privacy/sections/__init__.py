"""The platform's own sections of a person's data, one module per part of the platform: one
function gathers each section for the download and, where deletion changes rows, one function
erases them. Flush, never commit.

Each is declared, with the tables it reads and what deletion does, in
:mod:`lms.privacy.registry`.
"""

from datetime import datetime
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress.models import Completion, ModuleVisit
from lms.quizzes.models import Attempt


def iso(value) -> str | None:
    """A datetime as ISO 8601 text; anything else as it is."""
    return value.isoformat() if isinstance(value, datetime) else value


class Export:
    """One download being gathered: the person, and the rows several sections share
    (the modules' course and module titles come from one query)."""

    def __init__(self, user: User):
        self.user = user

    @cached_property
    def visits(self) -> list[ModuleVisit]:
        return list(
            db.session.scalars(
                sa.select(ModuleVisit)
                .where(ModuleVisit.user_id == self.user.id)
                .order_by(ModuleVisit.id)
            )
        )

    @cached_property
    def completions(self) -> list[Completion]:
        return list(
            db.session.scalars(
                sa.select(Completion)
                .where(Completion.user_id == self.user.id)
                .order_by(Completion.id)
            )
        )

    @cached_property
    def attempts(self) -> list[Attempt]:
        return list(
            db.session.scalars(
                sa.select(Attempt)
                .where(Attempt.user_id == self.user.id)
                .options(selectinload(Attempt.answers))
                .order_by(Attempt.id)
            )
        )

    @cached_property
    def _labels(self) -> dict[int, tuple[str, str]]:
        """Module id -> (course title, module title), one query."""
        module_ids = (
            {v.module_id for v in self.visits}
            | {c.module_id for c in self.completions}
            | {a.module_id for a in self.attempts}
        )
        if not module_ids:
            return {}
        rows = db.session.execute(
            sa.select(Module.id, Course.title, Module.title)
            .join(Course, Course.id == Module.course_id)
            .where(Module.id.in_(list(module_ids)))
        )
        return {module_id: (course, module) for module_id, course, module in rows}

    def course_of(self, module_id: int) -> str:
        return self._labels.get(module_id, ("", ""))[0]

    def module_of(self, module_id: int) -> str:
        return self._labels.get(module_id, ("", ""))[1]
