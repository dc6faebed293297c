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
    records: list[tuple[int, list[str]]] = []
    for record in reader:
        cells = [c.strip() for c in record]
        if not any(cells):
            continue
        if (
            not records
            and len(cells) >= 2
            and cells[0].casefold() in ("name", "full name", "learner")
            and "mail" in cells[1].casefold()
        ):
            continue  # the header line
        records.append((reader.line_num, cells))
    return _judge(records, cohort_id)


def _judge(records: list[tuple[int, list[str]]], cohort_id: int, rejected=()) -> list[Row]:
    """The verdict on each ``(line, cells)`` record, in line order with ``rejected`` rows."""
    rows: list[Row] = list(rejected)
    seen: dict[str, int] = {}
    for line, cells in records:
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
    rows.sort(key=lambda r: r.line)
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
    """Every row with its line in the file, to carry from the preview to the import:
    ``line,name,email`` for the rows to check again, ``line,name,email,reason`` for rejected
    ones. So the import's report keeps the file's line numbers, rejected rows included."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        cells = [row.line, row.name, row.email[:254]]
        writer.writerow(cells + [row.reason] if row.outcome == REJECT else cells)
    return out.getvalue()


def parse_carried(text: str, cohort_id: int) -> list[Row]:
    """The rows :func:`canonical_csv` carried, checked against the database again.

    Rejected rows keep the reason the preview gave; every other row is checked as if it came
    from the file (the form could have been changed on the way).
    """
    records: list[tuple[int, list[str]]] = []
    rejected: list[Row] = []
    for record in csv.reader(io.StringIO(text)):
        if not record:
            continue
        number = record[0]
        if (
            len(record) not in (3, 4)
            or not (number.isascii() and number.isdigit())
            or len(number) > 7
        ):
            raise ClassListError(_("The class list could not be read. Please send it again."))
        line = int(record[0])
        if len(record) == 4:
            rejected.append(Row(line, record[1][:120], record[2][:254], REJECT, record[3][:300]))
        else:
            records.append((line, [record[1].strip(), record[2].strip()]))
    if not records and not rejected:
        raise ClassListError(_("The class list is empty. Write one learner per line: name, email."))
    return _judge(records, cohort_id, rejected)


# --- the import's result, for downloading its links ---------------------------------------

#: The import's page offers its links as CSV for this long (the links work 14 days).
RESULT_MAX_AGE = 24 * 3600


def _result_serializer():
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="import-result")


def import_result_token(cohort_id: int, actor_id: int, created: list[tuple[int, int]]) -> str:
    """Which accounts an import created, as ``(line, user id)``: signed, so the download
    can make their links again without storing any link. Holds ids and lines only."""
    return _result_serializer().dumps({"c": cohort_id, "a": actor_id, "r": created})


def import_result(token: str, cohort_id: int, actor_id: int) -> list[tuple[int, int]] | None:
    """The ``(line, user id)`` pairs of :func:`import_result_token`, or ``None`` when the
    token is not valid, too old, or was made for another cohort or person."""
    from itsdangerous import BadSignature

    try:
        data = _result_serializer().loads(token, max_age=RESULT_MAX_AGE)
        if data["c"] != cohort_id or data["a"] != actor_id:
            return None
        return [(int(line), int(user_id)) for line, user_id in data["r"]]
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
