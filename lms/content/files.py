"""Read the files of a content tree, collecting :class:`~lms.content.problems.Problem`s."""

import hashlib
from collections import Counter
from pathlib import Path

from lms.content.problems import Problem
from lms.content.render import RENDERER_VERSION
from lms.content.schema import (
    check_fields,
)
from lms.content.translations import (
    file_hash,
)
from lms.content.tree import (
    MAX_FILE_BYTES,
    Reference,
)
from lms.content.yamlfile import LineDict, YamlError, load_yaml, split_front_matter


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256(RENDERER_VERSION.encode())
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


class _Reader:
    """Walks the tree, collecting problems with paths relative to the content root."""

    def __init__(
        self, root: Path, known_quizzes: dict | None = None, known_translations: dict | None = None
    ):
        self.root = root
        self.problems: list[Problem] = []
        #: Quiz file hash -> questions already published and checked from that exact file.
        self.known_quizzes = known_quizzes or {}
        #: Quiz translation hash -> its ``translation_of``, published and checked already.
        self.known_translations = known_translations or {}
        #: SHA-256 of every file read, by path.
        self.shas: dict[Path, str] = {}
        self.translation_paths: set[str] = set()
        self.translation_counts: dict[str, Counter] = {}
        #: Links and prerequisites into other courses.
        self.references: list[Reference] = []

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def problem(self, path: Path, line: int, message: str, severity: str = "error"):
        self.problems.append(Problem(self.rel(path), line, message, severity))

    def reference(self, path: Path, line: int, course_dir: Path, module=None, kind="link"):
        self.references.append(Reference(self.rel(path), line, self.rel(course_dir), module, kind))

    def read_text(self, path: Path) -> str | None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                self.problem(path, 1, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
                return None
            raw = path.read_bytes()
        except OSError as exc:
            self.problem(path, 1, f"cannot read file: {exc.strerror}")
            return None
        self.shas[path] = file_hash(raw)
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.problem(path, line, "file is not valid UTF-8 text")
            return None

    def front_matter(self, path: Path, spec: dict):
        """Return ``(meta, body, body_first_line)`` or ``None`` after reporting why."""
        source = self.read_text(path)
        if source is None:
            return None
        split = split_front_matter(source)
        if split is None:
            self.problem(
                path,
                1,
                "missing front matter: the file must start with a line "
                "'---', then YAML keys, then another '---'",
            )
            return None
        yaml_text, yaml_line, body, body_line = split
        try:
            meta = load_yaml(yaml_text, yaml_line)
        except YamlError as exc:
            self.problem(path, exc.line, exc.message)
            return None
        if meta is None:
            meta = LineDict()
            meta.line = yaml_line
        if not isinstance(meta, LineDict):
            self.problem(path, yaml_line, "front matter must be YAML keys and values")
            return None
        for line, message in check_fields(meta, spec, "front matter"):
            self.problem(path, line, message)
        return meta, body, body_line, source


def _has_errors(reader: _Reader, since: int) -> bool:
    return any(p.severity == "error" for p in reader.problems[since:])
