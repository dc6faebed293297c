"""Read a quiz file: :func:`parse_quiz` and the choice-based question types."""

from lms.content.quizformat.answers import (
    _parse_matching,
    _parse_numeric,
    _parse_reflection,
    _parse_short,
)
from lms.content.quizformat.fields import (
    CHOICE_FIELDS,
    COMMON_KEYS,
    CREDIT_SLACK,
    MAX_QUESTIONS,
    QUESTION_TYPES,
    QUIZ_FIELDS,
    TYPE_KEYS,
    _points,
    normalise_answer,
)
from lms.content.schema import (
    SLUG_RE,
    check_fields,
    text,
    unknown_key_message,
)
from lms.content.yamlfile import LineDict, LineList, plain


def parse_quiz(data, path: str):
    """Validate quiz data from YAML. Returns ``(quiz or None, [(line, message), ...])``."""
    errors: list[tuple[int, str]] = []
    if not isinstance(data, LineDict):
        return None, [
            (
                getattr(data, "line", 1),
                "a quiz file must be a YAML mapping with settings and a 'questions' list",
            )
        ]
    errors.extend(check_fields(data, QUIZ_FIELDS, "the quiz settings"))
    questions_data = data.get("questions")
    questions = []
    if "questions" in data:
        if not isinstance(questions_data, LineList) or not questions_data:
            errors.append((data.line_of("questions"), "'questions' must be a non-empty list"))
        elif len(questions_data) > MAX_QUESTIONS:
            errors.append(
                (data.line_of("questions"), f"a quiz holds at most {MAX_QUESTIONS} questions")
            )
        else:
            seen_ids: dict[str, int] = {}
            for index, item in enumerate(questions_data):
                line = questions_data.line_of(index)
                question = _parse_question(item, line, errors)
                if question is None:
                    continue
                if question["id"] in seen_ids:
                    errors.append(
                        (
                            line,
                            f"question id '{question['id']}' is already used "
                            f"on line {seen_ids[question['id']]}",
                        )
                    )
                    continue
                seen_ids[question["id"]] = line
                questions.append(question)
    if errors:
        return None, errors
    quiz = {
        "pass_mark": data.get("pass_mark", 70),
        "max_attempts": data.get("max_attempts", 0),
        "shuffle": data.get("shuffle", False),
        "reveal": data.get("reveal", "after_each_attempt"),
        "questions": questions,
    }
    return plain(quiz), []


def _parse_question(item, line: int, errors: list) -> dict | None:
    if not isinstance(item, LineDict):
        errors.append((line, "each question must be a mapping with id, type and prompt"))
        return None
    before = len(errors)
    qtype = item.get("type")
    if "type" not in item:
        errors.append((item.line, f"question has no 'type' (one of: {', '.join(QUESTION_TYPES)})"))
        return None
    if qtype not in QUESTION_TYPES:
        errors.append(
            (
                item.line_of("type"),
                f"unknown question type {qtype!r} (one of: {', '.join(QUESTION_TYPES)})",
            )
        )
        return None
    allowed = COMMON_KEYS + TYPE_KEYS[qtype]
    for key, key_line in item.duplicates:
        errors.append((key_line, f"key '{key}' appears twice in this question"))
    for key in item:
        if key not in allowed:
            errors.append(
                (item.line_of(key), unknown_key_message(key, allowed, f"a {qtype} question"))
            )
    qid = item.get("id")
    if "id" not in item:
        errors.append((item.line, "question has no 'id' (a stable slug such as 'layer-height')"))
    elif not isinstance(qid, str) or not SLUG_RE.match(qid):
        errors.append(
            (
                item.line_of("id"),
                f"question id {qid!r} must be a slug: lower-case letters, digits and hyphens",
            )
        )
    for key, check in (("prompt", text(5000)), ("explanation", text(5000))):
        if key in item:
            message = check(item[key])
            if message:
                errors.append((item.line_of(key), f"'{key}' {message}"))
        elif key == "prompt":
            errors.append((item.line, "question has no 'prompt'"))
    if "points" in item:
        message = _points(item["points"])
        if message:
            errors.append((item.line_of("points"), f"'points' {message}"))
        elif qtype == "reflection":
            errors.append(
                (item.line_of("points"), "reflection questions are not graded; remove 'points'")
            )
    question = {
        "id": qid,
        "type": qtype,
        "prompt": item.get("prompt"),
        "points": 0 if qtype == "reflection" else item.get("points", 1),
        "explanation": item.get("explanation"),
        "line": item.line,
    }
    parser = _PARSERS[qtype]
    parser(item, question, errors)
    return question if len(errors) == before else None


def _parse_choices(item, question, errors, qtype):
    choices = item.get("choices")
    if "choices" not in item:
        errors.append((item.line, f"a {qtype} question needs 'choices'"))
        return None
    if not isinstance(choices, LineList) or len(choices) < 2:
        errors.append((item.line_of("choices"), "'choices' must be a list of at least 2 choices"))
        return None
    parsed = []
    seen: dict[str, int] = {}
    styles = set()
    for index, raw in enumerate(choices):
        line = choices.line_of(index)
        if isinstance(raw, str):
            raw_choice = LineDict(text=raw)
            raw_choice.line = line
        elif isinstance(raw, LineDict):
            raw_choice = raw
        else:
            errors.append((line, "a choice must be text or a mapping with 'text'"))
            continue
        messages = list(check_fields(raw_choice, CHOICE_FIELDS, "a choice"))
        if "correct" in raw_choice and "credit" in raw_choice:
            messages.append(
                (
                    raw_choice.line_of("credit"),
                    "give a choice either 'correct' or 'credit', not both",
                )
            )
        errors.extend(messages)
        if messages:
            continue
        styles.add("credit" if "credit" in raw_choice else "correct")
        key = normalise_answer(raw_choice["text"])
        if key in seen:
            errors.append(
                (line, f"duplicate choice {raw_choice['text']!r} (also on line {seen[key]})")
            )
            continue
        seen[key] = line
        credit = raw_choice.get("credit")
        parsed.append(
            {
                "text": raw_choice["text"],
                "correct": bool(raw_choice.get("correct", False))
                if credit is None
                else (credit >= 100 - CREDIT_SLACK if qtype == "single" else credit > 0),
                "credit": credit,
                "feedback": raw_choice.get("feedback"),
            }
        )
    if len(parsed) != len(choices):
        return None
    if len(styles) > 1:
        errors.append(
            (
                item.line_of("choices"),
                "use either 'correct: true' or 'credit' on the choices of one question, not a mix",
            )
        )
        return None
    question["choices"] = parsed
    return parsed


def _parse_single(item, question, errors):
    choices = _parse_choices(item, question, errors, "single")
    if choices is None:
        return
    correct = sum(1 for c in choices if c["correct"])
    if correct != 1:
        detail = "none is marked" if correct == 0 else f"{correct} are marked"
        rule = (
            "exactly one choice with 'credit: 100'"
            if choices[0]["credit"] is not None
            else "exactly one correct choice ('correct: true')"
        )
        errors.append((item.line_of("choices"), f"a single question needs {rule}; {detail}"))


def _parse_multiple(item, question, errors):
    choices = _parse_choices(item, question, errors, "multiple")
    if choices is None:
        return
    if not any(c["correct"] for c in choices):
        errors.append(
            (
                item.line_of("choices"),
                "a multiple question needs at least one "
                "correct choice ('correct: true' or a "
                "positive 'credit')",
            )
        )
    elif choices[0]["credit"] is not None:
        total = sum(c["credit"] for c in choices if c["credit"] > 0)
        if abs(total - 100) > CREDIT_SLACK * len(choices):
            errors.append(
                (
                    item.line_of("choices"),
                    "the positive credits of a multiple "
                    f"question must add up to 100 (they add "
                    f"up to {total:g})",
                )
            )


def _parse_truefalse(item, question, errors):
    if "answer" not in item:
        errors.append((item.line, "a truefalse question needs 'answer: true' or 'answer: false'"))
    elif not isinstance(item["answer"], bool):
        errors.append(
            (item.line_of("answer"), f"'answer' must be true or false (got {item['answer']!r})")
        )
    else:
        question["answer"] = item["answer"]
    for key in ("correct_feedback", "incorrect_feedback"):
        if key in item:
            message = text(2000)(item[key])
            if message:
                errors.append((item.line_of(key), f"'{key}' {message}"))
        question[key] = item.get(key)


#: The reader of each question type, by its name in the file.
_PARSERS = {
    "single": _parse_single,
    "multiple": _parse_multiple,
    "truefalse": _parse_truefalse,
    "short": _parse_short,
    "numeric": _parse_numeric,
    "matching": _parse_matching,
    "reflection": _parse_reflection,
}
