"""Problems found in content, reported as ``path:line: message``."""

from dataclasses import asdict, dataclass


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
