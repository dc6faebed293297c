"""The authoring guide's examples are valid: what authors copy must pass the checker."""

import re
from pathlib import Path

from lms.content.quizformat import QUESTION_TYPES, parse_quiz
from lms.content.yamlfile import load_yaml

GUIDE = Path(__file__).parents[2] / "content" / "README.md"


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)


def test_every_quiz_example_in_the_guide_parses():
    blocks = yaml_blocks()
    assert len(blocks) >= 2
    types = set()
    for block in blocks:
        # A quiz translation is a quiz plus its translation_of (see test_translation_example).
        block = re.sub(r"^translation_of: \w+\n", "", block)
        text = (
            block
            if block.lstrip().startswith(("pass_mark", "questions"))
            else ("questions:\n" + block)
        )
        quiz, errors = parse_quiz(load_yaml(text), "README.md")
        assert errors == [], (errors, text)
        types.update(q["type"] for q in quiz["questions"])
    assert types == set(QUESTION_TYPES)  # an example of every question type


def test_translation_examples_in_the_guide_pass_the_checker(tmp_path):
    """The guide's module and quiz translations, beside originals, check clean."""
    import hashlib

    from lms.content.loader import load_content

    guide = GUIDE.read_text()
    markdown = re.findall(r"```markdown\n(.*?)```", guide, flags=re.DOTALL)
    course_md, module_md = markdown[0], markdown[1]
    translated_md = next(b for b in markdown if "translation_of" in b)
    translated_quiz = next(b for b in yaml_blocks() if b.startswith("translation_of"))
    course = tmp_path / "technology" / "additive-manufacturing"
    course.mkdir(parents=True)
    (course / "course.md").write_text(course_md.replace("  - trends/circular-economy\n", ""))
    (course / "01-what-is-am.md").write_text(module_md)
    (course / "01-what-is-am.quiz.yml").write_text(translated_quiz.split("\n", 1)[1])

    def pinned(text: str, original: str) -> str:
        digest = hashlib.sha256((course / original).read_bytes()).hexdigest()[:12]
        return re.sub(r"translation_of: \w+", f"translation_of: {digest}", text)

    (course / "01-what-is-am.it.md").write_text(pinned(translated_md, "01-what-is-am.md"))
    (course / "01-what-is-am.it.quiz.yml").write_text(
        pinned(translated_quiz, "01-what-is-am.quiz.yml")
    )
    tree = load_content(tmp_path)
    assert [str(p) for p in tree.problems] == []
    assert tree.summary()["translations"] == {"it": {"files": 2}}
