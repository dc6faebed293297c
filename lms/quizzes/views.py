"""Taking a quiz, submitting it once, and reviewing the result."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from lms.content.quizformat import CREDIT_SLACK
from lms.courses.services import (
    content_language,
    load_course_or_404,
    load_module_or_404,
    localize_courses,
    localize_modules,
)
from lms.errors import render_error
from lms.extensions import db, limiter
from lms.progress import services as progress
from lms.quizzes import bp
from lms.quizzes import services as quizzes
from lms.quizzes.grading import (
    CONFIRM_UNANSWERED,
    SubmissionError,
    choice_credits,
    matching_answer,
)
from lms.templating import percent


def _quiz_or_404(module):
    quiz = quizzes.current_quiz(module)
    if quiz is None:
        abort(404)
    return quiz


def _in_language(course, module, quiz, questions: list[dict]) -> dict:
    """The course, module and questions in the learner's language, for the template."""
    language = content_language()
    translation = None
    if quiz is not None and language != course.language:
        translation = quizzes.quiz_translation(quiz, language)
    return {
        "course": localize_courses([course], language)[0],
        "module": localize_modules(course, [module], language)[0],
        "questions": {
            q["id"]: q for q in quizzes.localize_questions(questions, translation, course.language)
        },
        "quiz_translation": translation,
        "quiz_missing": translation is None and language != course.language,
    }


@bp.route("/courses/<slug>/<module_slug>/quiz")
@login_required
def take(slug: str, module_slug: str):
    """The quiz page: the attempt in progress (started on first visit) and past attempts."""
    course = load_course_or_404(slug)
    module = load_module_or_404(course, module_slug)
    quiz = _quiz_or_404(module)
    attempts = quizzes.attempts_for(current_user.id, quiz)
    attempt = quizzes.open_attempt(current_user.id, quiz, attempts)
    progress.record_visit(current_user.id, module)
    db.session.commit()
    return _quiz_page(course, module, quiz, attempt, attempts)


def _quiz_page(course, module, quiz, attempt, attempts, given=None, unanswered=()):
    """The quiz form; after a submission with ``unanswered`` questions, filled in with what
    the learner sent (``given``), those questions marked and a "Submit anyway" button."""
    blank = set(unanswered)
    numbers = (
        {e["id"]: n for n, e in enumerate(attempt.layout, 1) if e["id"] in blank} if attempt else {}
    )
    return render_template(
        "quizzes/take.html",
        **_in_language(course, module, quiz, attempt.questions if attempt else []),
        quiz=quiz,
        attempt=attempt,
        history=[a for a in attempts if a.submitted],
        left=quizzes.attempts_left(quiz, attempts),
        best=quizzes.best_attempt(current_user.id, quiz),
        given=given if given is not None else MultiDict(),
        unanswered=numbers,
        confirm_field=CONFIRM_UNANSWERED,
    )


def _user_key() -> str:
    return f"user:{current_user.id}"


def _not_asked(response) -> bool:
    """Whether a submission counts against the limits: all but the "some questions are not
    answered" step (200), which records nothing and leaves the attempt open."""
    return response.status_code != 200


@bp.route("/attempts/<int:attempt_id>", methods=["POST"])
@login_required
@limiter.limit("30 per minute", key_func=_user_key, deduct_when=_not_asked)
@limiter.limit("120 per minute", deduct_when=_not_asked)  # per address: a classroom shares one
def submit(attempt_id: int):
    """Grade an attempt once; anything the page could not have sent is a 400.

    With questions unanswered, the quiz comes back filled in, asking first (the learner's
    "Submit anyway" sends ``confirm_unanswered=1``).
    """
    from lms.quizzes.models import Attempt

    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        abort(404)
    if attempt.user_id != current_user.id:
        return render_error(400, _("This attempt belongs to someone else; nothing was recorded."))
    ask = request.form.get(CONFIRM_UNANSWERED) != "1"
    try:
        quizzes.submit_attempt(attempt, request.form, ask_unanswered=ask)
    except quizzes.UnansweredQuestions as exc:
        db.session.rollback()
        module = attempt.module
        attempts = quizzes.attempts_for(current_user.id, attempt.quiz)
        return _quiz_page(
            module.course, module, attempt.quiz, attempt, attempts, request.form, exc.question_ids
        )
    except quizzes.AlreadySubmitted:
        db.session.rollback()
        flash(_("This attempt was already submitted; it is recorded once."), "info")
        return redirect(url_for("quizzes.result", attempt_id=attempt_id), 303)
    except SubmissionError as exc:
        db.session.rollback()
        return render_error(400, str(exc) + " " + _("Nothing was recorded."))
    module = attempt.module
    if attempt.passed:
        outcome = progress.try_complete(current_user.id, module)
        db.session.commit()
        if outcome.status == progress.COMPLETED_NOW and outcome.earned:
            flash(_("You passed and completed the course. Your certificate is ready."), "success")
        elif outcome.status == progress.NEEDS_READING:
            flash(
                _(
                    "You passed with %(percent)s. Mark the module as read to complete it.",
                    percent=_pct(attempt.percent),
                ),
                "success",
            )
        else:
            flash(_("You passed with %(percent)s.", percent=_pct(attempt.percent)), "success")
    elif quizzes.has_passed(current_user.id, attempt.quiz):
        db.session.commit()
        flash(
            _(
                "This attempt scored %(percent)s. You passed this quiz before, and your best "
                "attempt counts.",
                percent=_pct(attempt.percent),
            ),
            "info",
        )
    else:
        db.session.commit()
        flash(
            _(
                "Not passed this time: %(percent)s, and the pass mark is %(mark)s. Read the "
                "feedback below, then try again.",
                percent=_pct(attempt.percent),
                mark=percent(attempt.pass_mark),
            ),
            "warning",
        )
    return redirect(url_for("quizzes.result", attempt_id=attempt_id), 303)


def _pct(value) -> str:
    return percent(value or 0)


@bp.route("/attempts/<int:attempt_id>")
@login_required
def result(attempt_id: int):
    """The graded attempt: score, pass or fail, feedback as the quiz's reveal setting allows."""
    attempt = quizzes.load_attempt_or_404(attempt_id, current_user)
    module = attempt.module
    if not attempt.submitted:
        return redirect(url_for("quizzes.take", slug=module.course.slug, module_slug=module.slug))
    history = [a for a in quizzes.attempts_for(attempt.user_id, attempt.quiz) if a.submitted]
    passed_before = any(a.passed for a in history if a.number < attempt.number)
    reveal = quizzes.should_reveal(attempt, passed_before)
    answers = {a.question_id: a for a in attempt.answers}
    shown = _in_language(module.course, module, attempt.quiz, attempt.questions)
    by_id = shown["questions"]
    # In the order the learner saw the questions (shuffled quizzes too).
    review = [
        _review(by_id[e["id"]], answers.get(e["id"]), reveal)
        for e in attempt.layout
        if e["id"] in by_id
    ]
    module_done = module.id in progress.completed_module_ids(attempt.user_id, [module.id])
    best = quizzes.best_attempt(attempt.user_id, attempt.quiz)
    following = None
    if module_done:
        from lms.courses.services import current_modules

        following = progress.next_module(
            attempt.user_id, module.course, current_modules(module.course)
        )
    current = quizzes.current_quiz(module)
    can_retry = (
        current is not None
        and quizzes.attempts_left(current, quizzes.attempts_for(attempt.user_id, current)) != 0
    )
    if following is not None:
        following = localize_modules(module.course, [following], content_language())[0]
    return render_template(
        "quizzes/result.html",
        **shown,
        attempt=attempt,
        review=review,
        reveal=reveal,
        history=history,
        module_done=module_done,
        can_retry=can_retry,
        read=progress.is_read(attempt.user_id, module),
        best=best,
        following=following,
    )


def _sanitized(html: str) -> Markup:
    """HTML that content sync rendered and passed through ``lms.content.sanitize``."""
    return Markup(html)  # noqa: S704 - sanitized by nh3 at sync  # nosec B704


def _review(question: dict, answer, reveal: bool) -> dict:
    """What the result page shows for one question."""
    response = answer.response if answer else None
    item = {"q": question, "answer": answer, "given": [], "expected": [], "feedback": []}
    qtype = question["type"]
    if qtype in ("single", "multiple"):
        picked = (
            ([response["choice"]] if qtype == "single" else response["choices"]) if response else []
        )
        credits = choice_credits(question)
        for index, choice in enumerate(question["choices"]):
            if index in picked:
                item["given"].append(_sanitized(choice["text_html"]))
                if choice.get("feedback_html"):
                    item["feedback"].append(_sanitized(choice["feedback_html"]))
            if credits[index] > 0:
                item["expected"].append(_sanitized(choice["text_html"]))
    elif qtype == "truefalse":
        if response:
            item["given"].append(_("True") if response["answer"] else _("False"))
            key = "correct_feedback_html" if answer.correct else "incorrect_feedback_html"
            if question.get(key):
                item["feedback"].append(_sanitized(question[key]))
        item["expected"].append(_("True") if question["answer"] else _("False"))
    elif qtype in ("short", "numeric"):
        if response:
            item["given"].append(response["text"])
            # A translation's accepted answers and the original's both count.
            pool = {**question, "answers": question["answers"] + question.get("other_answers", [])}
            best = matching_answer(pool, response, qtype)
            if best and best.get("feedback_html"):
                item["feedback"].append(_sanitized(best["feedback_html"]))
        for target in question["answers"]:
            if target["credit"] >= 100 - CREDIT_SLACK:
                item["expected"].append(_describe_target(target, question, qtype))
    elif qtype == "matching":
        matches = response["matches"] if response else []
        for index, (left, right) in enumerate(question["pairs"]):
            chosen = matches[index] if index < len(matches) else None
            given = question["pairs"][chosen][1] if chosen is not None else "—"
            item["given"].append(f"{left} → {given}")
            item["expected"].append(f"{left} → {right}")
    elif qtype == "reflection" and response:
        item["given"].append(response["text"])
    item["given"] = [g if isinstance(g, Markup) else escape(g) for g in item["given"]]
    item["expected"] = [e if isinstance(e, Markup) else escape(e) for e in item["expected"]]
    if not reveal:
        item["expected"], item["feedback"] = [], []
    return item


def _describe_target(target: dict, question: dict, qtype: str) -> str:
    if qtype == "short":
        return target["text"]
    unit = f" {question['unit']}" if question.get("unit") else ""
    if "value" in target:
        tolerance = f" ± {target['tolerance']:g}" if target["tolerance"] else ""
        return f"{target['value']:g}{tolerance}{unit}"
    return f"{target['min']:g}–{target['max']:g}{unit}"
