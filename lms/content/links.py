"""Check the Markdown of a module: links between modules, assets and admonitions."""

import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lms.content.files import (
    _Reader,
)
from lms.content.translations import (
    MODULE_TRANSLATION_RE,
)
from lms.content.tree import (
    ADMONITIONS,
    ASSET_EXTENSIONS,
    MODULE_RE,
)

_INLINE_LINK = re.compile(r"(!?)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ADMONITION = re.compile(r"^\s*!!!\s*([\w-]*)")
_H1 = re.compile(r"^#\s")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class _ModuleIndex:
    """Which module files exist, to check links and rewrite them to URLs."""

    def __init__(self, root: Path, course_dirs: list[Path]):
        self.root = root
        self.course_dirs = {d: d.name for d in course_dirs}
        self.modules: dict[Path, str] = {}
        for course_dir in course_dirs:
            for entry in course_dir.iterdir():
                # A translation may link to another module's translation: same page.
                match = MODULE_RE.match(entry.name) or MODULE_TRANSLATION_RE.match(entry.name)
                if match and entry.is_file():
                    self.modules[entry.resolve()] = match.group(2)

    def resolve(self, source_dir: Path, target: str):
        """Classify a link from a file in ``source_dir``.

        Returns ``(url, error)``: the relative URL to use (``None`` to leave the link
        alone) and an error message (``None`` when the link is fine).
        """
        url, error, _elsewhere = self.locate(source_dir, target)
        return url, error

    def locate(self, source_dir: Path, target: str):
        """:meth:`resolve`, plus where a link into another course points:
        ``(course folder, module slug or None)``, else ``None``."""
        target = target.strip()
        if not target or target.startswith("#"):
            return None, None, None
        if _SCHEME.match(target):
            scheme = target.split(":", 1)[0].lower()
            if scheme in ("http", "https", "mailto"):
                return None, None, None
            return None, f"link uses the unsafe scheme '{scheme}:'", None
        if target.startswith("/"):
            return (
                None,
                f"absolute link '{target}': link to a module file "
                "(02-slug.md) or a file beside the markdown instead",
                None,
            )
        parts = urlsplit(target)
        rel_path = unquote(parts.path)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        # source_dir is already resolved: normalising is enough (no filesystem lookup).
        resolved = Path(os.path.normpath(source_dir / rel_path))
        course_dir = next((d for d in (resolved, *resolved.parents) if d in self.course_dirs), None)
        if course_dir is None:
            return None, f"link '{target}' points outside the courses of this content tree", None
        here = self.course_dirs.get(source_dir.resolve())
        course_slug = self.course_dirs[course_dir]
        prefix = "" if course_slug == here else f"../{course_slug}/"
        elsewhere = (course_dir, None) if prefix else None
        if resolved.name == "course.md" and resolved.parent == course_dir:
            return (prefix or "./") + fragment, None, elsewhere
        if resolved.suffix == ".md":
            slug = self.modules.get(resolved)
            if slug is None:
                return None, f"link to a module that does not exist: '{rel_path}'", None
            return prefix + slug + fragment, None, (course_dir, slug) if prefix else None
        if resolved.suffix.lower() not in ASSET_EXTENSIONS:
            return (
                None,
                f"link to '{rel_path}': files of type '{resolved.suffix or 'none'}' "
                f"are not served (allowed: {', '.join(sorted(ASSET_EXTENSIONS))})",
                None,
            )
        if not resolved.is_file():
            return None, f"link to a file that does not exist: '{rel_path}'", None
        asset = posixpath.join(*resolved.relative_to(course_dir).parts)
        return f"{prefix}assets/{asset}{fragment}", None, elsewhere


def _check_markdown(
    reader: _Reader, path: Path, body: str, first_line: int, index: _ModuleIndex, module: bool
):
    """Report broken links, unknown admonitions and misplaced headings in ``body``."""
    in_fence = None
    for offset, line in enumerate(body.splitlines()):
        number = first_line + offset
        fence = _FENCE.match(line)
        if fence:
            if in_fence is None:
                in_fence = fence.group(1)
            elif fence.group(1) == in_fence:
                in_fence = None
            continue
        if in_fence:
            continue
        admonition = _ADMONITION.match(line) if "!!!" in line else None
        if admonition and admonition.group(1).lower() not in ADMONITIONS:
            kind = admonition.group(1) or "(none)"
            reader.problem(
                path, number, f"unknown admonition '{kind}'; use one of: {', '.join(ADMONITIONS)}"
            )
        if module and line.startswith("#") and _H1.match(line):
            reader.problem(
                path,
                number,
                "a '#' heading repeats the page title; start sections at '##'",
                "warning",
            )
        if "](" not in line and "]:" not in line:
            continue  # no link on this line
        scan = _CODE_SPAN.sub("", line)
        targets = [(m.group(1) == "!", m.group(2)) for m in _INLINE_LINK.finditer(scan)]
        ref = _REF_DEF.match(scan)
        if ref:
            targets.append((False, ref.group(1)))
        for is_image, target in targets:
            if is_image and _SCHEME.match(target):
                reader.problem(
                    path,
                    number,
                    f"image '{target}' is not beside the markdown; "
                    "images are served from the course folder",
                )
                continue
            _, error, elsewhere = index.locate(path.parent, target)
            if error:
                reader.problem(path, number, error)
            elif elsewhere:
                reader.reference(path, number, *elsewhere)
