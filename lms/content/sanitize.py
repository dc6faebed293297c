"""The one HTML allowlist: everything rendered from content passes through :func:`sanitize`."""

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "th": {"align", "scope"},
    "td": {"align"},
    "ol": {"start"},
    "li": {"id"},
}
#: Classes the templates style: admonitions and heading permalinks.
ALLOWED_CLASSES = {
    "div": {"admonition", "note", "tip", "warning"},
    "p": {"admonition-title"},
    "a": {"headerlink", "footnote-ref", "footnote-backref"},
    "code": {
        f"language-{lang}"
        for lang in (
            "python",
            "bash",
            "shell",
            "text",
            "json",
            "yaml",
            "gcode",
            "csv",
            "html",
            "css",
        )
    },
}
URL_SCHEMES = {"http", "https", "mailto"}
#: Elements dropped together with everything inside them.
DROP_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "template",
    "noscript",
    "form",
    "textarea",
    "select",
    "button",
}


def sanitize(html: str) -> str:
    """Keep only the allowlisted tags, attributes, classes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
