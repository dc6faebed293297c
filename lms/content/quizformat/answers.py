"""Quiz questions with typed answers: short, numeric, matching, reflection."""

from lms.content.quizformat.fields import (
    CREDIT_SLACK,
    NUMERIC_ANSWER_FIELDS,
    SHORT_ANSWER_FIELDS,
    normalise_answer,
)
from lms.content.schema import (
    check_fields,
    is_number,
    text,
)
from lms.content.yamlfile import LineDict, LineList, written


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
