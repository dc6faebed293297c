"""Password rules, the same wherever a password is set: length, not common, not personal."""

from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128

#: 30,000 common passwords (source and licence at the top of the file).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list, lower-cased; read once per process."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as handle:
        return frozenset(
            line.strip().casefold() for line in handle if line.strip() and not line.startswith("#")
        )


def password_problem(password: str, email: str | None = None, name: str | None = None):
    """Why ``password`` may not be used (a lazy message for people), or ``None`` when it may."""
    password = password or ""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        return _l("A password needs 10 to 128 characters.")
    folded = password.strip().casefold()
    if folded in common_passwords():
        return _l(
            "This is one of the most common passwords, so it is easy to guess. "
            "Please choose another one."
        )
    email = (email or "").strip().casefold()
    personal = {email, email.partition("@")[0], (name or "").strip().casefold()}
    if folded in personal - {""}:
        return _l("Your password must not be your email address or your name.")
    return None
