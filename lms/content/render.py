"""Markdown to sanitized HTML, done once per content version at sync time."""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from lms.content.sanitize import sanitize

#: Bump when rendering changes, so that the next sync renders everything again.
RENDERER_VERSION = "3"

LinkResolver = Callable[[str], str | None]


@dataclass
class Rendered:
    """HTML plus what the page needs around it."""

    html: str
    toc: list = field(default_factory=list)
    word_count: int = 0


class _LinkRewriter(Treeprocessor):
    """Point links at modules and assets to their URLs (see ``loader.link_url``)."""

    resolver: LinkResolver | None = None

    def run(self, root):
        if self.resolver is None:
            return
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            if attribute and element.get(attribute):
                url = self.resolver(element.get(attribute))
                if url is not None:
                    element.set(attribute, url)


class _LinkExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_LinkRewriter(md), "lms_links", 1)
        md.lms_links = md.treeprocessors["lms_links"]


def _toc_entries(tokens) -> list:
    return [
        {
            "id": token["id"],
            "name": html.unescape(re.sub(r"<[^>]+>", "", token["name"])),
            "children": _toc_entries(token["children"]),
        }
        for token in tokens
    ]


#: Text markdown leaves as it is (no markup characters, one line).
_PLAIN_TEXT = re.compile(r"(?:[^\W_]|[ \t.,;:?'\"()%/°€$=-])*")
_LIST_START = re.compile(r"\s*(?:[-+=]|\d+[.)])(?:\s|$)")
_IMG = re.compile(r'<img [^>]*src="([^"]+)"[^>]*>')


def _page_ids() -> frozenset[str]:
    """Every literal ``id`` the site's own templates use (``main``, ``finish``, ...)."""
    root = Path(__file__).resolve().parent.parent
    found = set()
    for template in root.glob("**/templates/**/*.html"):
        found.update(re.findall(r'\bid="([A-Za-z][\w-]*)"', template.read_text(encoding="utf-8")))
    return frozenset(found)


#: An authored heading or anchor may not take an id the page itself uses: a ``{#main}`` would
#: hijack the skip link, a ``{#finish}`` the module's finish section.
PAGE_IDS = _page_ids()
_ID_ATTR = re.compile(r'\bid="([^"]*)"')


def _keep_page_ids(html_text: str) -> tuple[str, dict[str, str]]:
    """Rename authored ids that the page uses (``main`` -> ``content-main``), as GitHub does
    with ``user-content-``; returns the HTML and the renames (for the table of contents)."""
    renamed: dict[str, str] = {}

    def rename(match: re.Match) -> str:
        value = match.group(1)
        if value in PAGE_IDS:
            renamed[value] = f"content-{value}"
            return f'id="content-{value}"'
        return match.group(0)

    html_text = _ID_ATTR.sub(rename, html_text)
    for old, new in renamed.items():
        html_text = html_text.replace(f'href="#{old}"', f'href="#{new}"')
    return html_text, renamed


def _enhance(html_text: str) -> str:
    """Touches applied after sanitizing (so they are ours, not the author's).

    Tables and images scroll sideways inside a focusable region on narrow screens, images
    open at full size, and heading permalinks stay out of the tab order and screen readers.
    """
    html_text = html_text.replace(
        "<table>", '<div class="table-wrap" role="region" aria-label="Table" tabindex="0"><table>'
    ).replace("</table>", "</table></div>")
    html_text = html_text.replace(
        '<a class="headerlink"', '<a class="headerlink" aria-hidden="true" tabindex="-1"'
    )

    def wrap(match: re.Match) -> str:
        return f'<a class="figure-link" href="{match.group(1)}">{match.group(0)}</a>'

    parts = re.split(r"(<a [^>]*>.*?</a>)", html_text, flags=re.DOTALL)
    return "".join(p if p.startswith("<a ") else _IMG.sub(wrap, p) for p in parts)


def _renamed_toc(entries: list[dict], renamed: dict[str, str]) -> list[dict]:
    return [
        {**e, "id": renamed.get(e["id"], e["id"]), "children": _renamed_toc(e["children"], renamed)}
        for e in entries
    ]


class Renderer:
    """A reusable Markdown converter with our extensions."""

    def __init__(self):
        self.md = markdown.Markdown(
            extensions=[
                "toc",
                "tables",
                "fenced_code",
                "admonition",
                "attr_list",
                "sane_lists",
                "def_list",
                "abbr",
                "footnotes",
                _LinkExtension(),
            ],
            extension_configs={
                "toc": {
                    "permalink": "#",
                    "permalink_title": "Link to this section",
                    "toc_depth": "2-4",
                },
                "tables": {"use_align_attribute": True},
            },
            output_format="html",
        )

    def render(self, source: str, resolver: LinkResolver | None = None) -> Rendered:
        """Render a document: sanitized HTML, its table of contents and word count."""
        self.md.reset()
        self.md.lms_links.resolver = resolver
        body = self.md.convert(source)
        toc = _toc_entries(getattr(self.md, "toc_tokens", []))
        words = len(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", body)))
        html_text, renamed = _keep_page_ids(sanitize(body))
        if renamed:
            toc = _renamed_toc(toc, renamed)
        return Rendered(html=_enhance(html_text), toc=toc, word_count=words)

    def render_inline(self, source: str | None) -> str:
        """Render a short text (a choice, a feedback); a lone paragraph loses its ``<p>``."""
        if not source:
            return ""
        if _PLAIN_TEXT.fullmatch(source) and not _LIST_START.match(source):
            # Most choices are plain words: markdown would only escape them (same output).
            return html.escape(source.strip(), quote=False)
        self.md.reset()
        self.md.lms_links.resolver = None
        body = self.md.convert(str(source)).strip()
        match = re.fullmatch(r"<p>(.*)</p>", body, flags=re.DOTALL)
        if match and "<p>" not in match.group(1):
            body = match.group(1)
        return sanitize(body)


def link_resolver(tree, source_path: str):
    """A function turning a link in the page at ``source_path`` into its site URL (``None``:
    not a link to content), through the tree's link index."""
    source_dir = (
        (tree.root / source_path).parent
        if source_path.endswith(".md")
        else (tree.root / source_path)
    )

    def resolve(target: str):
        url, _error = tree.link_index.resolve(source_dir, target)
        return url

    return resolve


def render_questions(questions: list[dict], renderer: Renderer) -> list[dict]:
    """Add the ``*_html`` renderings the quiz pages show."""
    rendered = []
    for question in questions:
        q = dict(question)
        q["prompt_html"] = renderer.render_inline(q.get("prompt"))
        q["explanation_html"] = renderer.render_inline(q.get("explanation"))
        if "choices" in q:
            q["choices"] = [
                {
                    **c,
                    "text_html": renderer.render_inline(c["text"]),
                    "feedback_html": renderer.render_inline(c.get("feedback")),
                }
                for c in q["choices"]
            ]
        if "answers" in q:
            q["answers"] = [
                {**a, "feedback_html": renderer.render_inline(a.get("feedback"))}
                for a in q["answers"]
            ]
        for key in ("correct_feedback", "incorrect_feedback"):
            if q.get(key):
                q[f"{key}_html"] = renderer.render_inline(q[key])
        rendered.append(q)
    return rendered
