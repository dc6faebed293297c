"""Rendering: markdown features work, hostile markdown renders inert."""

import pytest

from lms.content.render import Renderer


@pytest.fixture(scope="module")
def renderer():
    return Renderer()


def test_markdown_features_render(renderer):
    result = renderer.render(
        "## Section one\n\n### Sub\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n"
        "```python\nprint('hi')\n```\n\n!!! warning \"Careful\"\n    Hot nozzle.\n"
    )
    assert '<h2 id="section-one">' in result.html
    assert "<table>" in result.html and '<td align="right">2</td>' in result.html
    assert '<code class="language-python">' in result.html
    assert '<div class="admonition warning">' in result.html
    assert result.toc == [
        {
            "id": "section-one",
            "name": "Section one",
            "children": [{"id": "sub", "name": "Sub", "children": []}],
        }
    ]


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("<script>alert(1)</script>", ["<script", "alert(1)"]),
        ("[click](javascript:alert(1))", ["javascript:"]),
        ("[click](JaVaScRiPt:alert(1))", ["javascript:", "JaVaScRiPt"]),
        ('<img src="x.png" onerror="alert(1)">', ["onerror"]),
        ('<a href="#" onclick="steal()">x</a>', ["onclick"]),
        ('A paragraph\n{: onclick="alert(1)" style="position:fixed" }', ["onclick", "style="]),
        ('## Heading {: onmouseover="x()" }', ["onmouseover"]),
        ('<svg onload="alert(1)"><circle/></svg>', ["<svg", "onload"]),
        ("![x](data:image/svg+xml;base64,PHN2Zz4=)", ["data:"]),
        ('<iframe src="https://evil.example"></iframe>', ["<iframe"]),
        ('<div class="admonition evil" style="x">y</div>', ["evil", "style"]),
        ("<form action=/x><input name=a></form>", ["<form", "<input"]),
    ],
)
def test_hostile_markdown_renders_inert(renderer, source, forbidden):
    html = renderer.render(source).html
    for fragment in forbidden:
        assert fragment.lower() not in html.lower(), html


def test_attr_list_keeps_harmless_attributes(renderer):
    html = renderer.render("## Title {: #custom-id }").html
    assert 'id="custom-id"' in html
