"""Reading a class list (``name,email`` CSV) for import, with a verdict per row."""

import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.cohorts.models import Membership
from lms.extensions import db

MAX_ROWS = 1000
MAX_BYTES = 512 * 1024

CREATE, ADD, MEMBER, REJECT = "create", "add", "member", "reject"


@dataclass
class Row:
    """One line of the class list and what importing it would do."""

    line: int
    name: str
    email: str
    outcome: str  #: create (new account) | add (existing account joins) | member | reject
    reason: str = ""


class ClassListError(ValueError):
    """The list as a whole cannot be read; the message says why."""


#: The code page Excel uses for "CSV" on Windows set up for each of the cohort's languages.
WINDOWS_CODE_PAGES = {
    "en": "cp1252", "it": "cp1252", "de": "cp1252",
    "sl": "cp1250", "hr": "cp1250", "cs": "cp1250", "sk": "cp1250", "pl": "cp1250", "hu": "cp1250",
}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "cp1250": "Windows-1250",
    "cp1252": "Windows-1252",
}


def _too_large() -> ClassListError:
    return ClassListError(
        _(
            "The class list is larger than %(kb)d KB. Split it into smaller files.",
            kb=MAX_BYTES // 1024,
        )
    )


def decode(raw: bytes, language: str = "en") -> tuple[str, str]:
    """The text of an uploaded class list and the name of the encoding it was read in.

    UTF-8 (with or without BOM) and UTF-16 (BOM) first; then the Windows code page a
    spreadsheet program saves "CSV" in for the cohort's language (Excel in German or Italian:
    Windows-1252; in Slovenian, Croatian, Czech, Slovak, Polish, Hungarian: Windows-1250), which
    cannot be told apart from the bytes of a short list; then whatever charset-normalizer finds.
    """
    if len(raw) > MAX_BYTES:
        raise _too_large()
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), ENCODING_NAMES["utf-8-sig"]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), ENCODING_NAMES["utf-16"]
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8"), ENCODING_NAMES["utf-8"]
    except UnicodeDecodeError:
        pass
    if b"\x00" not in raw:
        code_page = WINDOWS_CODE_PAGES.get(language, "cp1252")
        try:
            return raw.decode(code_page), ENCODING_NAMES[code_page]
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is not None and best.encoding:
        return str(best), best.encoding.replace("_", "-").upper()
    raise ClassListError(
        _("The file is not UTF-8 text. In your spreadsheet program, save it as “CSV UTF-8”.")
    )


def parse_class_list(text: str, cohort_id: int) -> list[Row]:
    """Check every row against the database, without changing anything."""
    if len(text.encode()) > MAX_BYTES:
        raise ClassListError(
            _(
                "The class list is larger than %(kb)d KB. Split it into smaller files.",
                kb=MAX_BYTES // 1024,
            )
        )
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ClassListError(_("The class list is empty. Write one learner per line: name, email."))
    if len(lines) > MAX_ROWS + 1:
        raise ClassListError(
            _("The class list has more than %(max)d rows; import it in parts.", max=MAX_ROWS)
        )
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        cells = [c.strip() for c in record]
        if not any(cells):
            continue
        if (
            not rows
            and not seen
            and len(cells) >= 2
            and cells[0].casefold() in ("name", "full name", "learner")
            and "mail" in cells[1].casefold()
        ):
            seen["__header__"] = line
            continue
        name = cells[0] if cells else ""
        email = cells[1] if len(cells) > 1 else ""
        problem, email = _check(cells, name, email)
        if problem is None and email in seen:
            problem = _("This email address is already on line %(line)d.", line=seen[email])
        if problem is not None:
            rows.append(Row(line, name[:120], email, REJECT, problem))
            continue
        seen[email] = line
        rows.append(Row(line, name, email, CREATE))
    if len(rows) > MAX_ROWS:
        raise ClassListError(
            _("The class list has more than %(max)d rows; import it in parts.", max=MAX_ROWS)
        )
    emails = [r.email for r in rows if r.outcome == CREATE]
    if emails:
        users = {
            u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))
        }
        members = set(
            db.session.scalars(
                sa.select(Membership.user_id).where(
                    Membership.cohort_id == cohort_id,
                    Membership.user_id.in_([u.id for u in users.values()]),
                )
            )
        )
        for row in rows:
            user = users.get(row.email)
            if row.outcome != CREATE or user is None:
                continue
            if user.id in members:
                row.outcome, row.reason = MEMBER, _("Already in this cohort.")
            elif user.role != "learner":
                row.outcome, row.reason = REJECT, _("This account is not a learner account.")
            else:
                row.outcome, row.reason = ADD, _("An account exists; it joins the cohort.")
    return rows


def _check(cells: list[str], name: str, email: str) -> tuple[str | None, str]:
    """Why a row cannot be imported (``None`` when it can), and its normalised email."""
    from email_validator import EmailNotValidError, validate_email  # slow to import: lazily

    if len(cells) < 2 or not email:
        return _("The email address is missing."), email
    if len(cells) > 2 and any(cells[2:]):
        return _("Expected two columns: name, email; found %(n)d.", n=len(cells)), email
    if not name:
        return _("The name is missing."), email
    if len(name) > 120:
        return _("The name is too long."), email
    try:
        return None, validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return _("This is not a valid email address."), email


def canonical_csv(rows: list[Row]) -> str:
    """The accepted rows, to carry from the preview to the import."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        if row.outcome in (CREATE, ADD, MEMBER):
            writer.writerow([row.name, row.email])
    return out.getvalue()
