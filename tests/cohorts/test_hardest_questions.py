"""The per-module page lists exactly the three hardest questions (issue 13, item 9): the
highest share of wrong answers; on a tie the question answered more often, then the one
earlier in the quiz; questions nobody got wrong are left out."""

import sqlalchemy as sa

from lms.courses.models import Module
from lms.extensions import db, utcnow
from lms.publishing.sync import sync_content
from lms.quizzes.models import Attempt, AttemptAnswer, Quiz
from tests.conftest import login

QUIZ = "pass_mark: 70\nquestions:\n" + "".join(
    f"  - id: q{n}\n    type: single\n    prompt: Question {n}?\n    choices:\n"
    "      - text: Right\n        correct: true\n      - text: Wrong\n"
    for n in range(1, 6)
)

#: Per learner, the questions they got wrong (all five answered by three learners; q5 by two).
WRONG = {0: {"q1", "q2", "q3"}, 1: {"q2", "q3", "q4"}, 2: {"q4"}}


def test_exactly_the_three_hardest_with_the_stated_tie_rule(app, client, content_dir, make_user, make_cohort):
    (content_dir / "technology" / "sample-course" / "01-first-steps.quiz.yml").write_text(QUIZ)
    with app.app_context():
        assert sync_content(content_dir).applied
        db.session.commit()
    fac_id, fac_email = make_user("facilitator")
    learners = [make_user()[0] for _ in range(3)]
    cohort_id = make_cohort([fac_id], learners)
    with app.app_context():
        module = db.session.scalar(sa.select(Module).where(Module.slug == "first-steps"))
        quiz = db.session.scalar(sa.select(Quiz).where(Quiz.module_id == module.id))
        for n, user_id in enumerate(learners):
            attempt = Attempt(
                user_id=user_id, quiz_id=quiz.id, module_id=module.id, number=1,
                questions=quiz.questions, quiz_hash="x", pass_mark=70, reveal="after_each_attempt",
                layout=[], submitted_at=utcnow(), score=0, max_score=5,
            )
            db.session.add(attempt)
            db.session.flush()
            for q in ("q1", "q2", "q3", "q4") + (("q5",) if n < 2 else ()):
                db.session.add(AttemptAnswer(
                    attempt_id=attempt.id, question_id=q, question_type="single", response={},
                    score=0 if q in WRONG[n] else 1, max_score=1, correct=q not in WRONG[n],
                ))
        db.session.commit()
        module_id = module.id
    login(client, fac_email)
    page = client.get(f"/facilitate/cohorts/{cohort_id}/modules/{module_id}").get_data(as_text=True)
    section = page[page.index('id="questions-title"') : page.index("Not completed yet")]
    shown = [n for n in range(1, 6) if f"Question {n}?" in section]
    # q2, q3, q4 are wrong 2 times in 3 (67 %); q1 1 in 3; q5 0 in 2. The three: q2, q3, q4 in
    # quiz order (same rate, same number of answers); q1 and q5 are not listed.
    assert shown == [2, 3, 4]
    assert section.index("Question 2?") < section.index("Question 3?") < section.index("Question 4?")
    assert section.count("67%") == 3
