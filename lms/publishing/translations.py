"""Publishing translations during a content sync: each object's translation rows created,
updated (when their source changed) or removed, a broken translation file skipped with its
last good version kept. Flush only, inside the course's SAVEPOINT (see :mod:`lms.publishing.sync`)."""

import sqlalchemy as sa
from sqlalchemy.orm import defer

from lms.content.render import Renderer, link_resolver, render_questions
from lms.courses.models import CourseTranslation, ModuleTranslation
from lms.extensions import db
from lms.quizzes.models import QuizTranslation

#: Each translation table, the column naming what it translates, and its large columns.
TRANSLATION_TABLES = {
    CourseTranslation: ("course_id", ("intro_html",)),
    ModuleTranslation: ("module_id", ("body_html", "toc")),
    QuizTranslation: ("quiz_id", ("questions",)),
}


def published_translations() -> dict:
    """``{model: {owner id: {language: row}}}``, without the large rendered columns."""
    result = {}
    for model, (owner, large) in TRANSLATION_TABLES.items():
        query = sa.select(model).options(*(defer(getattr(model, c)) for c in large))
        rows = result[model] = {}
        for row in db.session.scalars(query):
            rows.setdefault(getattr(row, owner), {})[row.language] = row
    return result


class TranslationSync:
    """Create, update or remove the published translations of one object at a time."""

    def __init__(self, report, published: dict, tree, renderer: Renderer, now):
        self.report, self.published, self.tree = report, published, tree
        self.renderer, self.now = renderer, now

    def apply(self, model, owner, label: str, sources: dict) -> None:
        owner_column = TRANSLATION_TABLES[model][0]
        rows = self.published[model].setdefault(owner.id, {})
        for language, source in sources.items():
            row = rows.get(language)
            if source.broken:
                # Skipped: the last good version stays, with a note if the original changed.
                self.report.skipped.append(source.path)
                if row is not None and row.original_hash != source.original_sha:
                    row.original_hash = source.original_sha
                continue
            if row is not None and row.content_hash == source.hash:
                continue
            values = {
                **self._rendered(model, source),
                "translation_of": source.translation_of,
                "original_hash": source.original_sha,
                "source_path": source.path,
                "content_hash": source.hash,
                "updated_at": self.now,
            }
            if row is None:
                row = model(**{owner_column: owner.id, "language": language}, **values)
                db.session.add(row)
                rows[language] = row
                self.report.note("created", f"{label} ({language})")
            else:
                for key, value in values.items():
                    setattr(row, key, value)
                self.report.note("updated", f"{label} ({language})")
        for language, row in list(rows.items()):
            if language not in sources:
                db.session.delete(row)
                del rows[language]
                self.report.note("removed", f"{label} ({language})")

    def _rendered(self, model, source) -> dict:
        meta = source.meta
        objectives = [o.strip() for o in meta.get("objectives") or []]
        if model is QuizTranslation:
            return {"questions": render_questions(source.questions, self.renderer)}
        rendered = self.renderer.render(source.body, link_resolver(self.tree, source.path))
        if model is CourseTranslation:
            return {
                "title": meta["title"].strip(),
                "summary": meta["summary"].strip(),
                "objectives": objectives,
                "intro_html": rendered.html,
            }
        return {
            "title": meta["title"].strip(),
            "objectives": objectives,
            "body_html": rendered.html,
            "toc": rendered.toc,
        }
