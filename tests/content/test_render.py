"""Rendering: markdown features work, hostile markdown renders inert."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
        # Links and images with scripting or data URLs, in markdown and raw HTML.
        ("[x](&#106;avascript:alert(1))", ["javascript", "alert"]),
        ("[x](&#x6A;&#x61;vascript:alert(1))", ["javascript", "alert"]),
        ('<a href="&#106;avascript:alert(1)">x</a>', ["javascript", "alert"]),
        ('<a href="jav&#x09;ascript:alert(1)">x</a>', ["ascript", "alert"]),
        ('<a href="javascript&colon;alert(1)">x</a>', ["javascript", "alert"]),
        ('<a href="java\nscript:alert(1)">x</a>', ["script", "alert"]),
        ("[x]( javascript:alert(1))", ["javascript"]),
        ("[a][r]\n\n[r]: javascript:alert(1)", ["javascript"]),
        ("[x](vbscript:msgbox(1))", ["vbscript"]),
        ("[x](VbScRiPt:msgbox(1))", ["vbscript"]),
        ("![x](VBScript:x)", ["vbscript"]),
        ('![x](javascript:alert(1) "t")', ["javascript"]),
        ("<IMG SRC=JaVaScRiPt:alert(1)>", ["javascript"]),
        ('<img src="data:image/png;base64,AAAA">', ["data:"]),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', ["data:", "<script"]),
        # Event handlers on any element.
        ("<img src=x onerror=alert(1)//>", ["onerror", "alert"]),
        ("<details open ontoggle=alert(1)>", ["ontoggle"]),
        ("<body onload=alert(1)>", ["onload", "<body"]),
        ('<p onmouseover="alert(1)">x</p>', ["onmouseover"]),
        # SVG and MathML, embedded content, styles and forms.
        ("<svg><script>alert(1)</script></svg>", ["<svg", "<script", "alert"]),
        ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', ["javascript"]),
        ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', ["javascript", "<math"]),
        ('<object data="x.swf"></object>', ["<object"]),
        ('<embed src="x.swf">', ["<embed"]),
        ("<style>body{display:none}</style>", ["<style", "display:none"]),
        ('<div style="background:url(javascript:x)">a</div>', ["style", "javascript"]),
        ('<link rel="stylesheet" href="https://evil.example/x.css">', ["<link"]),
        ('<base href="https://evil.example/">', ["<base"]),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ["<meta", "refresh"]),
        ("<input autofocus onfocus=alert(1)>", ["<input", "onfocus"]),
        ("<select><option>x</option></select>", ["<select", "<option"]),
        ('<button formaction="javascript:alert(1)">x</button>', ["<button", "javascript"]),
        ("<textarea>x</textarea>", ["<textarea"]),
        # attr_list attributes on paragraphs, headings, links and images.
        ('para\n{: style="color:red" }', ["style"]),
        ('[x](https://example.org){: onclick="alert(1)" }', ["onclick"]),
        ('![x](images/a.png){: onerror="alert(1)" }', ["onerror"]),
        ('## Title {: href="javascript:alert(1)" }', ["javascript"]),
        ('## Title {: class="evil" }', ["evil"]),
    ],
)
def test_hostile_markdown_renders_inert(renderer, source, forbidden):
    html = renderer.render(source).html
    for fragment in forbidden:
        assert fragment.lower() not in html.lower(), html


def test_attr_list_keeps_harmless_attributes(renderer):
    html = renderer.render("## Title {: #custom-id }").html
    assert 'id="custom-id"' in html


#: Fragments that try to run script or load foreign content, combined by the property test.
HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "[a](javascript:alert(1))",
    "[a](JAVASCRIPT:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](vbscript:x)",
    "[a](data:text/html;base64,PHNjcmlwdD4=)",
    "![i](data:image/svg+xml;base64,PHN2Zz4=)",
    "![i](javascript:alert(1))",
    '<a href="javascript:alert(1)">a</a>',
    '<a href=" &#x6A;avascript:alert(1)">a</a>',
    "<img src=x onerror=alert(1)>",
    '<svg onload="alert(1)"><circle/></svg>',
    "<iframe src=//evil.example></iframe>",
    "<object data=x></object>",
    "<embed src=x>",
    "<style>*{color:red}</style>",
    '<div style="x" onclick="y">d</div>',
    '{: onclick="alert(1)" }',
    '{: style="position:fixed" }',
    '{: href="javascript:alert(1)" }',
    "<form action=//evil.example><input name=p></form>",
    '<meta http-equiv="refresh" content="0;url=//evil.example">',
    "<math><mi>x</mi></math>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]
STRUCTURE = ["\n\n", "\n", "## ", "- ", "> ", "| a | b |\n|---|---|\n| ", "!!! note\n    ", " "]
#: Elements that must never come out of the renderer, and URL schemes links may use.
FORBIDDEN_ELEMENTS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "input",
    "meta",
    "link",
    "base",
    "frame",
    "frameset",
    "applet",
}
SAFE_SCHEMES = {"", "http", "https", "mailto"}


class _Audit(HTMLParser):
    """Collects what would be unsafe in a page: elements, event handlers, URL schemes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_ELEMENTS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "formaction", "srcdoc"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action", "xlink:href") and value is not None:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme not in SAFE_SCHEMES:
                    self.found.append(f"{tag} {name}={value!r}")

    handle_startendtag = handle_starttag


def unsafe_parts(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(HOSTILE),
            st.sampled_from(STRUCTURE),
            st.text(alphabet="<>\"'=&#;:/[](){}!x ", max_size=20),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_generated_hostile_markdown_renders_without_script_styles_or_unsafe_urls(renderer, pieces):
    source = "".join(pieces)
    for html in (renderer.render(source).html, renderer.render_inline(source)):
        assert unsafe_parts(html) == [], (source, html)


def test_the_audit_itself_sees_unsafe_html():
    assert unsafe_parts('<a href="javascript:x" onclick="y">a</a><script></script>') == [
        "a href='javascript:x'",
        "a onclick",
        "<script>",
    ]


def test_authored_ids_never_take_one_the_page_uses():
    """Issue 12, item 8: ``{#main}`` would hijack the skip link, a "Finish" heading the
    module's finish section; such ids get a ``content-`` prefix, links and contents follow."""
    import re

    from lms.content.render import PAGE_IDS, Renderer

    assert {"main", "finish"} <= PAGE_IDS  # read from the templates themselves
    rendered = Renderer().render("## Skip {#main}\n\n[back up](#main)\n\n## Finish\n\n## Per cominciare\n")
    ids = re.findall(r'\bid="([^"]+)"', rendered.html)
    assert ids == ["content-main", "content-finish", "per-cominciare"]
    assert 'href="#content-main"' in rendered.html and 'href="#main"' not in rendered.html
    assert [e["id"] for e in rendered.toc] == ["content-main", "content-finish", "per-cominciare"]
