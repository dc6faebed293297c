"""Translations of courses, modules and quizzes: file names, ``translation_of`` and structure.

A translation lives beside its original (``01-slug.it.md``, ``01-slug.it.quiz.yml``,
``course.it.md``) and names the version it was made from with ``translation_of``: the first
12 hex characters of the SHA-256 of the original file's bytes. The format is documented for
authors in ``content/README.md`` ("Translations"). :mod:`lms.content.loader` walks the files;
this module holds the rules.
"""

import hashlib
import re
from dataclasses import dataclass, field

from lms.content.schema import Field, text, text_list
from lms.content.yamlfile import written
from lms.languages import TRANSLATION_LANGUAGES

#: How many hex characters of the original's SHA-256 ``translation_of`` holds.
HASH_LENGTH = 12

_LANG = r"([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,4})?)"
MODULE_TRANSLATION_RE = re.compile(rf"^(\d{{1,3}})-([a-z0-9]+(?:-[a-z0-9]+)*)\.{_LANG}\.md$")
QUIZ_TRANSLATION_RE = re.compile(rf"^(\d{{1,3}})-([a-z0-9]+(?:-[a-z0-9]+)*)\.{_LANG}\.quiz\.ya?ml$")
COURSE_TRANSLATION_RE = re.compile(rf"^course\.{_LANG}\.md$")
_HASH_RE = re.compile(r"^[0-9a-f]{12,64}$")

#: Front matter keys a translation may not set: they come from the original.
MODULE_ONLY_KEYS = ("duration_minutes",)
COURSE_ONLY_KEYS = ("level", "duration_hours", "language", "prerequisites", "required_sessions")

MODULE_TRANSLATION_FIELDS = {
    "title": Field(text(200)),
    "objectives": Field(text_list(1), required=False),
    "translation_of": Field(lambda v: None, required=False),
    **{key: Field(lambda v: None, required=False) for key in MODULE_ONLY_KEYS},
}
COURSE_TRANSLATION_FIELDS = {
    "title": Field(text(200)),
    "summary": Field(text(600)),
    "objectives": Field(text_list(1), required=False),
    "translation_of": Field(lambda v: None, required=False),
    **{key: Field(lambda v: None, required=False) for key in COURSE_ONLY_KEYS},
}
QUIZ_SETTINGS = ("pass_mark", "max_attempts", "shuffle", "reveal")


def file_hash(data: bytes) -> str:
    """The full SHA-256 of a file's bytes; ``translation_of`` holds its first 12 characters."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class TranslationSource:
    """One translation file, checked against its original."""

    kind: str  #: ``course``, ``module`` or ``quiz``
    language: str
    path: str
    original_path: str
    #: SHA-256 of the original file as it is now.
    original_sha: str
    #: What the translation says it was made from (``None`` when missing or malformed).
    translation_of: str | None = None
    #: Digest of the translation and of its original: a sync skips an unchanged pair.
    hash: str = ""
    meta: dict = field(default_factory=dict)
    body: str = ""
    #: A quiz translation's questions, normalised like the original's.
    questions: list | None = None
    #: The file has errors: the sync leaves the published translation as it was.
    broken: bool = False

    @property
    def out_of_date(self) -> bool:
        return self.translation_of is not None and not self.original_sha.startswith(
            self.translation_of
        )


def check_language(language: str, original_language: str) -> str | None:
    """An error message for a language a translation cannot be in, else ``None``."""
    if language == original_language:
        return (
            f"'{language}' is the language of the original (course.md says "
            f"language: {original_language}); a translation needs another language"
        )
    if language not in TRANSLATION_LANGUAGES:
        hint = f" (did you mean '{language.lower()}'?)" if language.lower() != language else ""
        return (
            f"unknown language code '{language}' in the file name{hint}; use one of: "
            f"{', '.join(TRANSLATION_LANGUAGES)}"
        )
    return None


def read_translation_of(meta, original_name: str, original_sha: str):
    """``(hash or None, (line, message) or None)`` for the ``translation_of`` key."""
    current = original_sha[:HASH_LENGTH]
    if "translation_of" not in meta:
        return None, (
            meta.line,
            f"missing 'translation_of': add 'translation_of: {current}' (the hash of "
            f"{original_name} as it is now) once the translation matches it",
        )
    value = written(meta["translation_of"]).strip().lower()
    if not _HASH_RE.match(value):
        return None, (
            meta.line_of("translation_of"),
            f"'translation_of' must be the first {HASH_LENGTH} hex characters of the "
            f"SHA-256 of {original_name} (got {written(meta['translation_of'])!r}); "
            f"print it with: lms content translation-hash {original_name}",
        )
    return value, None


def out_of_date_message(source: TranslationSource) -> str:
    original = source.original_path.rsplit("/", 1)[-1]
    return (
        f"out of date: written for {original} at {source.translation_of}, but {original} "
        f"has changed since (now {source.original_sha[:HASH_LENGTH]}); bring the translation "
        f"up to date, then set 'translation_of: {source.original_sha[:HASH_LENGTH]}'"
    )


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def compare_quizzes(original: dict, translation: dict, setting_lines: dict) -> list:
    """``(line, message)`` for every way a quiz translation's structure differs.

    Both are :func:`~lms.content.quizformat.parse_quiz` results. Only human text may differ
    (prompts, choices, feedback, explanations, matching pairs, units); a short question may
    list its own accepted answers.
    """
    problems = []
    top = setting_lines.get("", 1)
    for key in QUIZ_SETTINGS:
        if original.get(key) != translation.get(key):
            problems.append(
                (
                    setting_lines.get(key, top),
                    f"settings differ: {key} is {_fmt(translation.get(key))} here, "
                    f"{_fmt(original.get(key))} in the original",
                )
            )
    originals = {q["id"]: q for q in original["questions"]}
    here = {q["id"]: q for q in translation["questions"]}
    for qid, question in here.items():
        if qid not in originals:
            problems.append((question["line"], f"question '{qid}' is not in the original"))
    missing = [qid for qid in originals if qid not in here]
    if missing:
        problems.append(
            (
                setting_lines.get("questions", top),
                "questions of the original missing here: "
                + ", ".join(f"'{qid}'" for qid in missing),
            )
        )
    common_here = [q["id"] for q in translation["questions"] if q["id"] in originals]
    common_original = [q["id"] for q in original["questions"] if q["id"] in here]
    if common_here != common_original:
        problems.append(
            (
                setting_lines.get("questions", top),
                "questions are in a different order: "
                f"{', '.join(common_here)} here, {', '.join(common_original)} in the original",
            )
        )
    for qid in common_here:
        problems.extend(_compare_question(originals[qid], here[qid]))
    return problems


def _compare_question(original: dict, question: dict) -> list:
    line, qid = question["line"], question["id"]
    where = f"question '{qid}'"
    if original["type"] != question["type"]:
        return [
            (line, f"{where}: type is {question['type']} here, {original['type']} in the original")
        ]
    problems = []
    if original["points"] != question["points"]:
        problems.append(
            (
                line,
                f"{where}: points are {_fmt(question['points'])} here, "
                f"{_fmt(original['points'])} in the original",
            )
        )
    qtype = question["type"]
    if qtype in ("single", "multiple"):
        mine, theirs = question["choices"], original["choices"]
        if len(mine) != len(theirs):
            problems.append(
                (line, f"{where}: {len(mine)} choices here, {len(theirs)} in the original")
            )
        else:
            for n, (a, b) in enumerate(zip(mine, theirs, strict=True), start=1):
                if a["correct"] != b["correct"]:
                    state = "marked correct" if a["correct"] else "not marked correct"
                    problems.append(
                        (line, f"{where}: choice {n} is {state} here, unlike the original")
                    )
                elif a["credit"] != b["credit"]:
                    problems.append(
                        (
                            line,
                            f"{where}: choice {n} has credit {_fmt(a['credit'])} here, "
                            f"{_fmt(b['credit'])} in the original",
                        )
                    )
    elif qtype == "truefalse":
        if question.get("answer") != original.get("answer"):
            problems.append(
                (
                    line,
                    f"{where}: the answer is {_fmt(question.get('answer'))} here, "
                    f"{_fmt(original.get('answer'))} in the original",
                )
            )
    elif qtype == "numeric":
        mine, theirs = question["answers"], original["answers"]
        strip = ("feedback",)
        if len(mine) != len(theirs):
            problems.append(
                (line, f"{where}: {len(mine)} answers here, {len(theirs)} in the original")
            )
        else:
            for n, (a, b) in enumerate(zip(mine, theirs, strict=True), start=1):
                if {k: v for k, v in a.items() if k not in strip} != {
                    k: v for k, v in b.items() if k not in strip
                }:
                    problems.append(
                        (
                            line,
                            f"{where}: numeric answer {n} differs from the original "
                            "(values, tolerance, range and credit must stay the same)",
                        )
                    )
    elif qtype == "matching":
        if len(question["pairs"]) != len(original["pairs"]):
            problems.append(
                (
                    line,
                    f"{where}: {len(question['pairs'])} pairs here, "
                    f"{len(original['pairs'])} in the original",
                )
            )
    return problems
