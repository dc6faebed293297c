"""Small, explicit checks for front-matter and quiz fields."""

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Z]{2})?$")


@dataclass(frozen=True)
class Field:
    """A key's rule: ``check`` returns an error message, or ``None`` when the value is fine."""

    check: Callable[[Any], str | None]
    required: bool = True


def text(max_length: int = 500) -> Callable[[Any], str | None]:
    def check(value):
        if not isinstance(value, str) or not value.strip():
            return "must be non-empty text"
        if len(value) > max_length:
            return f"is {len(value)} characters long; at most {max_length}"
        return None

    return check


def choice(*options: str) -> Callable[[Any], str | None]:
    def check(value):
        if value not in options:
            return f"must be one of: {', '.join(options)} (got {value!r})"
        return None

    return check


def is_number(value) -> bool:
    """A real, finite number (YAML's ``.nan`` and ``.inf`` are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def positive_number(value) -> str | None:
    if not is_number(value) or value <= 0:
        return f"must be a number greater than 0 (got {value!r})"
    return None


def positive_int(value) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return f"must be a whole number greater than 0 (got {value!r})"
    return None


def non_negative_int(value) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return f"must be a whole number of 0 or more (got {value!r})"
    return None


def language(value) -> str | None:
    if not isinstance(value, str) or not LANGUAGE_RE.match(value):
        return f"must be a language code such as en, it or de (got {value!r})"
    return None


def text_list(min_items: int = 1) -> Callable[[Any], str | None]:
    def check(value):
        if not isinstance(value, list):
            return "must be a list (one item per line, starting with '- ')"
        if len(value) < min_items:
            return f"needs at least {min_items} item(s)"
        for item in value:
            if not isinstance(item, str) or not item.strip():
                return f"must hold only non-empty text items (got {item!r})"
        return None

    return check


def unknown_key_message(key, allowed, where: str) -> str:
    """Say a key is unknown, with the nearest known key when it looks like a typo."""
    message = f"unknown key '{key}' in {where}"
    close = difflib.get_close_matches(str(key), list(allowed), n=1)
    if close:
        return f"{message} (did you mean '{close[0]}'?)"
    return f"{message} (known keys: {', '.join(allowed)})"


def check_fields(meta, spec: dict[str, Field], where: str):
    """Yield ``(line, message)`` for unknown, missing and invalid keys of ``meta``."""
    for key, line in getattr(meta, "duplicates", []):
        yield line, f"key '{key}' appears twice in {where}"
    for key in meta:
        if key not in spec:
            yield meta.line_of(key), unknown_key_message(key, spec, where)
    for key, field in spec.items():
        if key not in meta:
            if field.required:
                yield meta.line, f"missing required key '{key}' in {where}"
            continue
        error = field.check(meta[key])
        if error:
            yield meta.line_of(key), f"'{key}' {error}"
