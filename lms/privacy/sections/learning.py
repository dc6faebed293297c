"""What a learner did in courses: modules visited and completed, quiz attempts, certificates."""

import json
from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.privacy.sections import Export, iso
from lms.quizzes.models import Attempt, AttemptAnswer

#: Question types whose answers are the learner's own words (blanked on deletion).
FREE_TEXT_TYPES = ("short", "numeric", "reflection")


def module_visits(export: Export) -> dict:
    return {
        "module_visits": [
            {
                "course": export.course_of(v.module_id),
                "module": export.module_of(v.module_id),
                "first_visited_at": iso(v.first_visited_at),
                "last_visited_at": iso(v.last_visited_at),
                "marked_read_at": iso(v.read_at),
            }
            for v in export.visits
        ]
    }


def completions(export: Export) -> dict:
    return {
        "completions": [
            {
                "course": export.course_of(c.module_id),
                "module": export.module_of(c.module_id),
                "completed_at": iso(c.completed_at),
            }
            for c in export.completions
        ]
    }


def readable_answer(question: dict, response: dict | None) -> str:
    """The answer the learner gave, in words (choice texts, not indices)."""
    if response is None:
        return ""
    qtype = question.get("type")
    if response.get("erased"):
        return ""
    if "text" in response:
        return response["text"]
    choices = question.get("choices") or []
    if "choice" in response:
        index = response["choice"]
        return choices[index]["text"] if 0 <= index < len(choices) else str(index)
    if "choices" in response:
        return "; ".join(choices[i]["text"] for i in response["choices"] if 0 <= i < len(choices))
    if "answer" in response:
        return "true" if response["answer"] else "false"
    if qtype == "matching" and "matches" in response:
        pairs = question.get("pairs") or []
        parts = []
        for index, chosen in enumerate(response["matches"]):
            if index >= len(pairs):
                break
            given = pairs[chosen][1] if chosen is not None and 0 <= chosen < len(pairs) else "—"
            parts.append(f"{pairs[index][0]} → {given}")
        return "; ".join(parts)
    return json.dumps(response, ensure_ascii=False)


def quiz_attempts(export: Export) -> dict:
    """Every attempt with its answers, and the reflections among them on their own."""
    attempts, reflections = [], []
    for attempt in export.attempts:
        course, module = export.course_of(attempt.module_id), export.module_of(attempt.module_id)
        questions = {q["id"]: q for q in attempt.questions or []}
        answers = []
        for answer in attempt.answers:
            question = questions.get(answer.question_id, {})
            record = {
                "question": question.get("prompt") or answer.question_id,
                "type": answer.question_type,
                "your_answer": readable_answer(question, answer.response),
                "score": answer.score,
                "max_score": answer.max_score,
                "correct": answer.correct,
            }
            answers.append(record)
            if answer.question_type == "reflection":
                reflections.append(
                    {
                        "course": course,
                        "module": module,
                        "question": record["question"],
                        "your_answer": record["your_answer"],
                        "submitted_at": iso(attempt.submitted_at),
                    }
                )
        attempts.append(
            {
                "attempt": attempt.id,
                "course": course,
                "module": module,
                "number": attempt.number,
                "started_at": iso(attempt.started_at),
                "submitted_at": iso(attempt.submitted_at),
                "score": attempt.score,
                "max_score": attempt.max_score,
                "percent": attempt.percent,
                "passed": attempt.passed,
                "pass_mark": attempt.pass_mark,
                "answers": answers,
            }
        )
    return {"quiz_attempts": attempts, "reflections": reflections}


def erase_free_text_answers(user: User, now: datetime) -> None:
    """Reflections, short and numeric answers are blanked; scores stay."""
    for answer in db.session.scalars(
        sa.select(AttemptAnswer)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.user_id == user.id, AttemptAnswer.question_type.in_(FREE_TEXT_TYPES))
    ):
        if answer.response is not None:
            answer.response = {"text": "", "erased": True}


def certificates(export: Export) -> dict:
    return {
        "certificates": [
            {
                "code": cert.code,
                "course": cert.course_title,
                "area": cert.area,
                "name_on_certificate": cert.learner_name,
                "hours": cert.hours,
                "issued_at": iso(cert.issued_at),
                "withdrawn_at": iso(cert.withdrawn_at),
            }
            for cert in db.session.scalars(
                sa.select(Certificate)
                .where(Certificate.user_id == export.user.id)
                .order_by(Certificate.id)
            )
        ]
    }


def withdraw_certificates(user: User, now: datetime) -> None:
    db.session.execute(
        sa.update(Certificate)
        .where(Certificate.user_id == user.id)
        .values(withdrawn_at=sa.func.coalesce(Certificate.withdrawn_at, now), learner_name="")
        .execution_options(synchronize_session=False)
    )
