"""The quiz file format (``NN-slug.quiz.yml``): validation and normalisation.

The format is documented for authors in ``content/README.md``.
"""

from lms.content.schema import (
    SLUG_RE,
    Field,
    check_fields,
    choice,
    is_number,
    text,
    unknown_key_message,
)
from lms.content.yamlfile import LineDict, LineList, plain, written

QUESTION_TYPES = (
    "single",
    "multiple",
    "truefalse",
    "short",
    "numeric",
    "matching",
    "reflection",
)
REVEAL_OPTIONS = ("after_each_attempt", "after_passing", "never")
MAX_QUESTIONS = 200


def _pass_mark(value):
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        return f"must be a whole percentage from 0 to 100 (got {value!r})"
    return None


def _attempts(value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return f"must be 0 (unlimited) or a positive whole number (got {value!r})"
    return None


def _boolean(value):
    return None if isinstance(value, bool) else f"must be true or false (got {value!r})"


def _points(value):
    if not is_number(value) or value <= 0:
        return f"must be a number greater than 0 (got {value!r})"
    return None


QUIZ_FIELDS = {
    "pass_mark": Field(_pass_mark, required=False),
    "max_attempts": Field(_attempts, required=False),
    "shuffle": Field(_boolean, required=False),
    "reveal": Field(choice(*REVEAL_OPTIONS), required=False),
    "questions": Field(lambda v: None, required=True),
}

COMMON_KEYS = ("id", "type", "prompt", "points", "explanation")
TYPE_KEYS = {
    "single": ("choices",),
    "multiple": ("choices",),
    "truefalse": ("answer", "correct_feedback", "incorrect_feedback"),
    "short": ("answers",),
    "numeric": ("value", "tolerance", "range", "answers", "unit"),
    "matching": ("pairs",),
    "reflection": (),
}


def _credit(value):
    if not is_number(value) or not -100 <= value <= 100:
        return f"must be a percentage from -100 to 100 (got {value!r})"
    return None


CHOICE_FIELDS = {
    "text": Field(text(1000)),
    "correct": Field(_boolean, required=False),
    "credit": Field(_credit, required=False),
    "feedback": Field(text(2000), required=False),
}
SHORT_ANSWER_FIELDS = {
    "text": Field(
        lambda v: (
            None
            if isinstance(v, str | int | float) and not isinstance(v, bool) and str(v).strip()
            else "must be non-empty text"
        )
    ),
    "credit": Field(_credit, required=False),
    "feedback": Field(text(2000), required=False),
}
NUMERIC_ANSWER_FIELDS = {
    "value": Field(
        lambda v: None if is_number(v) else f"must be a number (got {v!r})", required=False
    ),
    "tolerance": Field(
        lambda v: None if is_number(v) and v >= 0 else "must be a number of 0 or more",
        required=False,
    ),
    "range": Field(lambda v: None, required=False),
    "credit": Field(_credit, required=False),
    "feedback": Field(text(2000), required=False),
}
#: Credits within this distance of 100 count as full marks (GIFT writes 33.33333%).
CREDIT_SLACK = 0.5


def normalise_answer(value: str) -> str:
    """How ``short`` answers compare: case-folded, inner white space collapsed."""
    return " ".join(str(value).split()).casefold()


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
    parser = globals()[f"_parse_{qtype}"]
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


def _list_of_answers(item, errors):
    answers = item.get("answers")
    if isinstance(answers, str | int | float) and not isinstance(answers, bool):
        wrapped = LineList([answers])
        wrapped.line = item.line_of("answers")
        wrapped.lines = [item.line_of("answers")]
        answers = wrapped
    if not isinstance(answers, LineList) or not answers:
        errors.append((item.line_of("answers"), "'answers' must be a non-empty list"))
        return None
    return answers


def _require_full_credit(item, answers, errors, qtype):
    if answers and not any(a["credit"] >= 100 - CREDIT_SLACK for a in answers):
        errors.append(
            (
                item.line_of("answers"),
                f"a {qtype} question needs at least one answer with full credit (100)",
            )
        )


def _parse_short(item, question, errors):
    if "answers" not in item:
        errors.append((item.line, "a short question needs 'answers', a list of accepted answers"))
        return
    answers = _list_of_answers(item, errors)
    if answers is None:
        return
    accepted, seen, before = [], {}, len(errors)
    for index, answer in enumerate(answers):
        line = answers.line_of(index)
        if isinstance(answer, LineDict):
            messages = list(check_fields(answer, SHORT_ANSWER_FIELDS, "an answer"))
            errors.extend(messages)
            if messages:
                continue
            entry = {
                "text": written(answer["text"]).strip(),
                "credit": answer.get("credit", 100),
                "feedback": answer.get("feedback"),
            }
        elif isinstance(answer, bool) or not isinstance(answer, str | int | float):
            errors.append((line, f"accepted answer {answer!r} must be text; put it in quotes"))
            continue
        elif not written(answer).strip():
            errors.append((line, "an accepted answer is empty"))
            continue
        else:
            entry = {"text": written(answer).strip(), "credit": 100, "feedback": None}
        key = normalise_answer(entry["text"])
        if key in seen:
            errors.append((line, f"duplicate answer {entry['text']!r} (also on line {seen[key]})"))
            continue
        seen[key] = line
        accepted.append(entry)
    if len(errors) == before:
        _require_full_credit(item, accepted, errors, "short")
    question["answers"] = accepted


def _numeric_target(source, line, errors, where="this question"):
    """``{"value", "tolerance"}`` or ``{"min", "max"}`` from a mapping, or ``None``."""
    has_value, has_range = "value" in source, "range" in source
    if not has_value and not has_range:
        errors.append(
            (
                line,
                f"{where} needs a 'value' (with an optional 'tolerance') or a 'range: [min, max]'",
            )
        )
        return None
    if has_value and has_range:
        errors.append((source.line_of("range"), "give either 'value' or 'range', not both"))
        return None
    if has_value:
        if not is_number(source["value"]):
            errors.append(
                (source.line_of("value"), f"'value' must be a number (got {source['value']!r})")
            )
            return None
        tolerance = source.get("tolerance", 0)
        if not is_number(tolerance) or tolerance < 0:
            errors.append(
                (source.line_of("tolerance"), "'tolerance' must be a number of 0 or more")
            )
            return None
        return {"value": source["value"], "tolerance": tolerance}
    if "tolerance" in source:
        errors.append((source.line_of("tolerance"), "'tolerance' goes with 'value', not 'range'"))
        return None
    bounds = source["range"]
    if (
        not isinstance(bounds, list)
        or len(bounds) != 2
        or not all(is_number(b) for b in bounds)
        or bounds[0] > bounds[1]
    ):
        errors.append((source.line_of("range"), "'range' must be [min, max] with min <= max"))
        return None
    return {"min": bounds[0], "max": bounds[1]}


def _parse_numeric(item, question, errors):
    if "answers" in item:
        for key in ("value", "tolerance", "range"):
            if key in item:
                errors.append(
                    (item.line_of(key), f"give '{key}' inside each of 'answers', not beside it")
                )
                return
        answers = _list_of_answers(item, errors)
        if answers is None:
            return
        parsed, before = [], len(errors)
        for index, answer in enumerate(answers):
            line = answers.line_of(index)
            if not isinstance(answer, LineDict):
                errors.append(
                    (line, "each numeric answer must be a mapping with 'value' or 'range'")
                )
                continue
            messages = list(check_fields(answer, NUMERIC_ANSWER_FIELDS, "a numeric answer"))
            errors.extend(messages)
            if messages:
                continue
            target = _numeric_target(answer, answer.line, errors, "a numeric answer")
            if target is None:
                continue
            parsed.append(
                {**target, "credit": answer.get("credit", 100), "feedback": answer.get("feedback")}
            )
        if len(errors) == before:
            _require_full_credit(item, parsed, errors, "numeric")
        question["answers"] = parsed
    else:
        target = _numeric_target(item, item.line, errors, "a numeric question")
        if target is None:
            return
        question["answers"] = [{**target, "credit": 100, "feedback": None}]
    if "unit" in item:
        message = text(40)(item["unit"])
        if message:
            errors.append((item.line_of("unit"), f"'unit' {message}"))
            return
    question["unit"] = item.get("unit")


def _parse_matching(item, question, errors):
    pairs = item.get("pairs")
    if "pairs" not in item:
        errors.append((item.line, "a matching question needs 'pairs'"))
        return
    if not isinstance(pairs, LineList) or len(pairs) < 2:
        errors.append((item.line_of("pairs"), "a matching question needs at least 2 pairs"))
        return
    parsed, lefts, rights = [], {}, {}
    for index, pair in enumerate(pairs):
        line = pairs.line_of(index)
        if isinstance(pair, LineDict) and set(pair) == {"left", "right"}:
            left, right = pair["left"], pair["right"]
        elif isinstance(pair, list) and len(pair) == 2:
            left, right = pair
        else:
            errors.append((line, "a pair must be [left, right] or {left: ..., right: ...}"))
            continue
        if not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) and str(v).strip()
            for v in (left, right)
        ):
            errors.append((line, "both sides of a pair must be non-empty text"))
            continue
        left, right = written(left).strip(), written(right).strip()
        for side, value, seen in (("left", left, lefts), ("right", right, rights)):
            if normalise_answer(value) in seen:
                errors.append(
                    (
                        line,
                        f"duplicate {side} side {value!r} "
                        f"(also on line {seen[normalise_answer(value)]})",
                    )
                )
            seen[normalise_answer(value)] = line
        parsed.append([left, right])
    question["pairs"] = parsed


def _parse_reflection(item, question, errors):
    """Open text: nothing to check beyond the common keys."""
