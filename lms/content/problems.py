"""Problems found in content, reported as ``path:line: message``."""

import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a look) in a content file."""

    path: str
    line: int
    message: str
    severity: str = "error"  #: ``error`` blocks publishing; ``warning`` does not.

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


def display_path(root, relative: str) -> str:
    """How the checker, the sync and the site's banner name a content file: relative to the
    current folder when the file is inside it (``content/technology/x/course.md``), else the
    absolute path, so an editor opens it from a ``path:line`` either way."""
    full = (Path(root) / relative).resolve()
    try:
        return str(full.relative_to(Path(os.getcwd()).resolve()))
    except ValueError:
        return str(full)
