"""Write quizzes and module files in the native format, for importers and tools.

:func:`dump_quiz` is the inverse of :func:`lms.content.quizformat.parse_quiz`: reading its
output back gives the same normalised quiz. It writes what an author would write, so that an
imported quiz reads well and its later edits are one-line diffs:

- block style, one key per line, a blank line between questions;
- the short forms of the format where they carry everything: wrong choices without feedback as
  plain strings, ``correct: true`` when no choice has a credit, ``answers: [FDM, FFF]`` when
  every accepted answer has full credit and no feedback, ``value``/``tolerance`` or ``range``
  on the question for one full-credit numeric target, ``[left, right]`` pairs;
- one line per text; text with line breaks as a ``|`` block. Folded ``>`` blocks are never
  written: they reflow, so rewording one word would change several lines of the diff.

Quoting is left to PyYAML's emitter, which knows every case where a plain scalar would read
back as something else (``no``, ``null``, ``1.0``, ``- x``, ``a: b``, ``#``...). Where a
block scalar could not carry a string exactly (carriage returns, Unicode line separators,
trailing spaces, trailing blank lines), the string is double-quoted with escapes instead.
"""

import yaml

#: Short forms (flow lists) are used only while the line stays this short.
FLOW_LINE_LIMIT = 90
#: Line breaks that a YAML block scalar would turn into ``\n`` when read back.
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_STR_TAG = "tag:yaml.org,2002:str"


class _Flow(list):
    """A list written on one line: ``[FDM, FFF]``."""


class _QuizDumper(yaml.SafeDumper):
    """Block style with lists indented under their key, as in ``content/README.md``."""

    #: Text with line breaks: ``|`` blocks (quiz files) or double quotes (front matter).
    multiline_style = "|"

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


class _FrontMatterDumper(_QuizDumper):
    """Front matter must never hold a line reading ``---``: no block scalars there."""

    multiline_style = '"'


def _represent_str(dumper, value: str):
    """Let the emitter quote single lines; choose the style of multi-line text ourselves."""
    style = None
    if any(br in value for br in _OTHER_BREAKS) or value.endswith("\n\n"):
        # A block that keeps trailing blank lines (``|+``) would swallow the blank line
        # written between questions.
        style = '"'
    elif "\n" in value:
        style = dumper.multiline_style
    return dumper.represent_scalar(_STR_TAG, value, style=style)


def _represent_flow(dumper, value: _Flow):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


for _dumper in (_QuizDumper, _FrontMatterDumper):
    _dumper.add_representer(str, _represent_str)
    _dumper.add_representer(_Flow, _represent_flow)


def _yaml(data, dumper=_QuizDumper) -> str:
    return yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,  # never fold long lines: one text, one line
    )


def _fits_on_one_line(values: list, indent: int) -> bool:
    """Whether ``[a, b, ...]`` reads well as a short form."""
    if any(isinstance(v, str) and any(br in v for br in ("\n", *_OTHER_BREAKS)) for v in values):
        return False
    return indent + len(_yaml(_Flow(values)).strip()) <= FLOW_LINE_LIMIT


def _is_full_credit(credit) -> bool:
    """``credit`` is exactly what leaving it out reads back as (the int 100)."""
    return type(credit) is int and credit == 100


def _choice(choice: dict, credit_style: bool):
    """A wrong choice without feedback is just its text; the rest are mappings."""
    if not credit_style and not choice["correct"] and choice.get("feedback") is None:
        return choice["text"]
    entry = {"text": choice["text"]}
    if credit_style:
        entry["credit"] = choice["credit"]
    elif choice["correct"]:
        entry["correct"] = True
    if choice.get("feedback") is not None:
        entry["feedback"] = choice["feedback"]
    return entry


def _choices(question: dict, out: dict) -> None:
    """``single`` and ``multiple``: one style per question, as the format requires."""
    credit_style = any(c.get("credit") is not None for c in question["choices"])
    out["choices"] = [_choice(c, credit_style) for c in question["choices"]]


def _truefalse(question: dict, out: dict) -> None:
    """The answer, and only the feedback that is given."""
    out["answer"] = question["answer"]
    for key in ("correct_feedback", "incorrect_feedback"):
        if question.get(key) is not None:
            out[key] = question[key]


def _short(question: dict, out: dict) -> None:
    """``[FDM, FFF]`` when every answer is plain, else a list mixing texts and mappings."""
    answers = question["answers"]
    plain = [_is_full_credit(a["credit"]) and a.get("feedback") is None for a in answers]
    texts = [a["text"] for a in answers]
    if all(plain) and _fits_on_one_line(texts, len("    answers: ")):
        out["answers"] = _Flow(texts)
        return
    entries = []
    for answer, is_plain in zip(answers, plain, strict=True):
        if is_plain:
            entries.append(answer["text"])
            continue
        entry = {"text": answer["text"], "credit": answer["credit"]}
        if answer.get("feedback") is not None:
            entry["feedback"] = answer["feedback"]
        entries.append(entry)
    out["answers"] = entries


def _numeric_target(answer: dict, out: dict) -> None:
    """``range: [min, max]``, or ``value`` with its tolerance unless that is the default."""
    if "min" in answer:
        out["range"] = _Flow([answer["min"], answer["max"]])
        return
    out["value"] = answer["value"]
    tolerance = answer.get("tolerance", 0)
    if not (type(tolerance) is int and tolerance == 0):
        out["tolerance"] = tolerance


def _numeric(question: dict, out: dict) -> None:
    """One plain full-credit target sits on the question; several go under ``answers``."""
    answers = question["answers"]
    if (
        len(answers) == 1
        and _is_full_credit(answers[0]["credit"])
        and answers[0].get("feedback") is None
    ):
        _numeric_target(answers[0], out)
    else:
        entries = []
        for answer in answers:
            entry: dict = {}
            _numeric_target(answer, entry)
            entry["credit"] = answer["credit"]
            if answer.get("feedback") is not None:
                entry["feedback"] = answer["feedback"]
            entries.append(entry)
        out["answers"] = entries
    if question.get("unit") is not None:
        out["unit"] = question["unit"]


def _matching(question: dict, out: dict) -> None:
    """``[left, right]`` on one line, or a ``left``/``right`` mapping for long text."""
    out["pairs"] = [
        _Flow([left, right])
        if _fits_on_one_line([left, right], len("      - "))
        else {"left": left, "right": right}
        for left, right in question["pairs"]
    ]


_WRITERS = {
    "single": _choices,
    "multiple": _choices,
    "truefalse": _truefalse,
    "short": _short,
    "numeric": _numeric,
    "matching": _matching,
    "reflection": lambda question, out: None,
}


def _question(question: dict) -> dict:
    """The keys in the order authors read them: id, type, points, prompt, answers, explanation."""
    out = {"id": question["id"], "type": question["type"]}
    points = question.get("points", 1)
    if question["type"] != "reflection" and not (type(points) is int and points == 1):
        out["points"] = points
    out["prompt"] = question["prompt"]
    _WRITERS[question["type"]](question, out)
    if question.get("explanation") is not None:
        out["explanation"] = question["explanation"]
    return out


def dump_quiz(quiz: dict) -> str:
    """The native YAML for a normalised quiz (as :func:`parse_quiz` returns; ``line`` ignored)."""
    settings = {
        "pass_mark": quiz.get("pass_mark", 70),
        "max_attempts": quiz.get("max_attempts", 0),
        "shuffle": quiz.get("shuffle", False),
        "reveal": quiz.get("reveal", "after_each_attempt"),
    }
    text = _yaml({**settings, "questions": [_question(q) for q in quiz["questions"]]})
    # A blank line between questions. Safe: no scalar spans lines at this indentation
    # (block scalars are indented deeper, quoted scalars are never folded).
    lines = text.splitlines(keepends=True)
    out, seen_first = [], False
    for line in lines:
        if line.startswith("  - id: "):
            if seen_first:
                out.append("\n")
            seen_first = True
        out.append(line)
    return "".join(out)


def dump_markdown(meta: dict, body: str) -> str:
    """A markdown file with ``meta`` as its front matter, then ``body``."""
    front = _yaml(meta, dumper=_FrontMatterDumper)
    return f"---\n{front}---\n\n{body.strip()}\n"


def dump_module(title: str, duration_minutes: int, objectives: list[str], body: str) -> str:
    """A module file ``NN-slug.md`` with the front matter the checker requires."""
    meta = {"title": title, "duration_minutes": duration_minutes, "objectives": list(objectives)}
    return dump_markdown(meta, body)
