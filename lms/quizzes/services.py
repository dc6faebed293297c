"""Starting, submitting and looking up quiz attempts. Flush, never commit."""

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from lms.courses.models import Module
from lms.extensions import db, utcnow
from lms.quizzes.grading import (
    SubmissionError,
    grade,
    layout_is_current,
    make_layout,
    parse_submission,
)
from lms.quizzes.models import Attempt, AttemptAnswer, Quiz, QuizTranslation


class AlreadySubmitted(Exception):
    """The attempt was graded before; nothing new is recorded."""


class UnansweredQuestions(Exception):
    """Questions without an answer, and the learner has not said to submit anyway: nothing
    is recorded, the attempt stays open. ``question_ids`` in the order the page shows them."""

    def __init__(self, question_ids: list[str]):
        super().__init__(question_ids)
        self.question_ids = question_ids


def current_quiz(module: Module) -> Quiz | None:
    """The module's quiz as it is in git now, or ``None``."""
    return db.session.scalar(
        sa.select(Quiz).where(Quiz.module_id == module.id, Quiz.archived_at.is_(None))
    )


def quizzes_by_module(module_ids) -> dict[int, Quiz]:
    if not module_ids:
        return {}
    return {
        q.module_id: q
        for q in db.session.scalars(
            sa.select(Quiz).where(Quiz.module_id.in_(list(module_ids)), Quiz.archived_at.is_(None))
        )
    }


def attempts_for(user_id: int, quiz: Quiz) -> list[Attempt]:
    """The learner's attempts, without their (large) question copies until one is needed."""
    return list(
        db.session.scalars(
            sa.select(Attempt)
            .where(Attempt.user_id == user_id, Attempt.quiz_id == quiz.id)
            .options(defer(Attempt.questions), defer(Attempt.layout))
            .order_by(Attempt.number)
        )
    )


def attempts_left(quiz: Quiz, attempts: list[Attempt]) -> int | None:
    """How many more attempts may start (``None``: unlimited)."""
    if not quiz.max_attempts:
        return None
    return max(0, quiz.max_attempts - sum(1 for a in attempts if a.submitted))


def open_attempt(user_id: int, quiz: Quiz, attempts: list[Attempt]) -> Attempt | None:
    """The attempt in progress, started now when there is none and attempts remain.

    An unsubmitted attempt follows edits of the quiz (nothing was answered yet).
    """
    pending = next((a for a in attempts if not a.submitted), None)
    if pending is not None:
        if pending.quiz_hash != quiz.content_hash or not layout_is_current(pending.layout):
            _load_version(pending, quiz)
        return pending
    if attempts_left(quiz, attempts) == 0:
        return None
    attempt = Attempt(
        user_id=user_id,
        quiz_id=quiz.id,
        module_id=quiz.module_id,
        number=len(attempts) + 1,
        started_at=utcnow(),
    )
    _load_version(attempt, quiz)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # a parallel request started the same attempt number
        return db.session.scalar(
            sa.select(Attempt).where(
                Attempt.user_id == user_id,
                Attempt.quiz_id == quiz.id,
                Attempt.submitted_at.is_(None),
            )
        )
    return attempt


def _load_version(attempt: Attempt, quiz: Quiz) -> None:
    attempt.questions = quiz.questions
    attempt.quiz_hash = quiz.content_hash
    attempt.pass_mark = quiz.pass_mark
    attempt.reveal = quiz.reveal
    # A fresh random order per attempt, stored: nothing a learner knows predicts it.
    attempt.layout = make_layout(quiz.questions, quiz.shuffle)


def submit_attempt(attempt: Attempt, form, ask_unanswered: bool = False) -> Attempt:
    """Grade and record the attempt once.

    Raises :class:`~lms.quizzes.grading.SubmissionError` (nothing recorded) for a form the
    page could not have sent, and :class:`AlreadySubmitted` for a second submission. With
    ``ask_unanswered``, a form that leaves questions unanswered raises
    :class:`UnansweredQuestions` instead of being graded.
    """
    if attempt.submitted:
        raise AlreadySubmitted
    if not is_open(attempt):
        raise SubmissionError(
            _(
                "This quiz is no longer offered: its module or course has been archived, "
                "so answers cannot be submitted."
            )
        )
    questions = with_translated_answers(attempt.questions, translated_answers(attempt.quiz_id))
    responses = parse_submission(questions, form, attempt.layout)
    if ask_unanswered:
        blank = [
            e["id"] for e in attempt.layout if e["id"] in responses and responses[e["id"]] is None
        ]
        if blank:
            raise UnansweredQuestions(blank)
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AlreadySubmitted
    score = max_score = 0.0
    for question in questions:
        response = responses[question["id"]]
        points, maximum, correct = grade(question, response)
        score += points
        max_score += maximum
        db.session.add(
            AttemptAnswer(
                attempt_id=attempt.id,
                question_id=question["id"],
                question_type=question["type"],
                response=response,
                score=points,
                max_score=maximum,
                correct=correct,
            )
        )
    percent = round(100 * score / max_score, 2) if max_score else 100.0
    db.session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(
            score=round(score, 4),
            max_score=max_score,
            percent=percent,
            passed=percent >= attempt.pass_mark,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.refresh(attempt)
    return attempt


def is_open(attempt: Attempt) -> bool:
    """Whether the attempt's quiz, module and course are all still on offer."""
    quiz, module = attempt.quiz, attempt.module
    return (
        quiz.archived_at is None
        and module.archived_at is None
        and module.course.archived_at is None
    )


def best_attempt(user_id: int, quiz: Quiz) -> Attempt | None:
    """The submitted attempt with the highest score (the earliest among equals); its question
    copies load only if used (pages show its percentage)."""
    return db.session.scalar(
        sa.select(Attempt)
        .where(
            Attempt.user_id == user_id,
            Attempt.quiz_id == quiz.id,
            Attempt.submitted_at.is_not(None),
        )
        .options(defer(Attempt.questions), defer(Attempt.layout))
        .order_by(Attempt.percent.desc(), Attempt.number)
        .limit(1)
    )


def has_passed(user_id: int, quiz: Quiz) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Attempt.id)).where(
                Attempt.user_id == user_id, Attempt.quiz_id == quiz.id, Attempt.passed.is_(True)
            )
        )
        > 0
    )


def passed_quiz_ids(user_id: int, quiz_ids) -> set[int]:
    if not quiz_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Attempt.quiz_id)
            .where(
                Attempt.user_id == user_id,
                Attempt.quiz_id.in_(list(quiz_ids)),
                Attempt.passed.is_(True),
            )
            .distinct()
        )
    )


def load_attempt_or_404(attempt_id: int, user) -> Attempt:
    """An attempt its own learner may see (admins see all); 404 for anyone else."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or (attempt.user_id != user.id and not user.is_admin):
        abort(404)
    return attempt


def should_reveal(attempt: Attempt, passed_before: bool) -> bool:
    """Whether this result shows the correct answers and feedback, per the quiz's setting."""
    if attempt.reveal == "after_each_attempt":
        return True
    if attempt.reveal == "after_passing":
        return bool(attempt.passed) or passed_before
    return False


def quiz_translation(quiz: Quiz, language: str) -> QuizTranslation | None:
    """The quiz's published translation into ``language``, if any."""
    return db.session.scalar(
        sa.select(QuizTranslation).where(
            QuizTranslation.quiz_id == quiz.id, QuizTranslation.language == language
        )
    )


def translated_answers(quiz_id: int) -> dict[str, dict]:
    """What every translation adds to grading, by question id: accepted short answers and
    numeric units. A learner is graded the same whatever language they read the quiz in."""
    extra: dict[str, dict] = {}
    rows = db.session.scalars(sa.select(QuizTranslation).where(QuizTranslation.quiz_id == quiz_id))
    for translation in rows:
        for question in translation.questions:
            entry = extra.setdefault(question["id"], {"type": question["type"]})
            if question["type"] == "short":
                entry.setdefault("answers", []).extend(question["answers"])
            elif question["type"] == "numeric" and question.get("unit"):
                entry.setdefault("units", []).append(question["unit"])
    return extra


def with_translated_answers(questions: list[dict], extra: dict[str, dict]) -> list[dict]:
    """The original questions, each ``short`` one accepting its translations' answers too."""
    if not extra:
        return questions
    result = []
    for question in questions:
        more = extra.get(question["id"])
        if more and more["type"] == question["type"] == "short":
            question = {**question, "answers": question["answers"] + more.get("answers", [])}
        elif more and more["type"] == question["type"] == "numeric":
            question = {**question, "units": more.get("units", [])}
        result.append(question)
    return result


#: A question's own texts, rendered at sync time.
_TEXT_KEYS = ("prompt_html", "explanation_html", "correct_feedback_html", "incorrect_feedback_html")


def _fits(question: dict, translated: dict) -> bool:
    """Whether a translated question lines up with the one an attempt holds: same type, and
    every choice, pair and numeric answer in the same place with the same credit, so that
    what the learner reads means what is graded (an older translation may not)."""
    if translated["type"] != question["type"]:
        return False
    if len(question.get("pairs") or []) != len(translated.get("pairs") or []):
        return False
    if question.get("answer") != translated.get("answer"):
        return False
    if "choices" in question:
        marks = [(c["correct"], c.get("credit")) for c in question["choices"]]
        if marks != [(c["correct"], c.get("credit")) for c in translated["choices"]]:
            return False
    if question["type"] == "numeric":
        strip = ("feedback", "feedback_html")
        return [{k: v for k, v in a.items() if k not in strip} for a in question["answers"]] == [
            {k: v for k, v in a.items() if k not in strip} for a in translated["answers"]
        ]
    return True


def localize_questions(
    questions: list[dict], translation: QuizTranslation | None, original_language: str
) -> list[dict]:
    """The questions as the learner reads them: the translation's text where it fits.

    Matched by question id, so an attempt started in one language reads (and grades) the
    same in another; a question the translation does not fit stays in the original.
    ``text_language`` says which language each question is shown in.
    """
    translated = {q["id"]: q for q in translation.questions} if translation else {}
    result = []
    for question in questions:
        other = translated.get(question["id"])
        if other is None or not _fits(question, other):
            result.append({**question, "text_language": original_language})
            continue
        shown = {**question, "text_language": translation.language}
        for key in _TEXT_KEYS:
            shown[key] = other.get(key) or question.get(key)
        if "choices" in question:
            shown["choices"] = [
                {**c, "text_html": t["text_html"], "feedback_html": t.get("feedback_html")}
                for c, t in zip(question["choices"], other["choices"], strict=True)
            ]
        if "pairs" in question:
            shown["pairs"] = other["pairs"]
        if question["type"] == "numeric":
            shown["unit"] = other.get("unit") or question.get("unit")
            shown["answers"] = [
                {**a, "feedback_html": t.get("feedback_html")}
                for a, t in zip(question["answers"], other["answers"], strict=True)
            ]
        elif question["type"] == "short":
            shown["answers"] = other["answers"]
            shown["other_answers"] = question["answers"]
        result.append(shown)
    return result
