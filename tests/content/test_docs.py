"""The authoring guide's examples are valid: what authors copy must pass the checker."""

import re
from pathlib import Path

from lms.content.quizfile import QUESTION_TYPES, parse_quiz
from lms.content.yamlfile import load_yaml

GUIDE = Path(__file__).parents[2] / "content" / "README.md"


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)


def test_every_quiz_example_in_the_guide_parses():
    blocks = yaml_blocks()
    assert len(blocks) >= 2
    types = set()
    for block in blocks:
        text = (
            block
            if block.lstrip().startswith(("pass_mark", "questions"))
            else ("questions:\n" + block)
        )
        quiz, errors = parse_quiz(load_yaml(text), "README.md")
        assert errors == [], (errors, text)
        types.update(q["type"] for q in quiz["questions"])
    assert types == set(QUESTION_TYPES)  # an example of every question type
