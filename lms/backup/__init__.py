"""Backing up and restoring the whole database (``lms db backup`` / ``lms db restore``).

SQLite: SQLite's online backup (consistent while the app runs), written to a temporary file
beside the target and renamed into place. PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore --clean --if-exists`` in one transaction. Nothing here prints a password.
"""

import glob
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump/pg_restore with argument lists, no shell
import tempfile
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

#: Tables every backup of this app holds; a file without them is not one of ours.
REQUIRED_TABLES = ("users", "courses")
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """The backup or restore cannot go ahead; the message says why and what to do."""


def display_url(url: str) -> str:
    """The database URL with its password hidden, fit to print."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def kind_of(url: str) -> str:
    name = sa.engine.make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def _sqlite_path(url: str) -> Path:
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(database)


def _temp_beside(path: Path, suffix: str) -> Path:
    """A new temporary file in ``path``'s folder, so that the final rename is atomic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(name)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


# --- SQLite -------------------------------------------------------------------------------


def backup_sqlite(url: str, target: Path, progress: Callable[[int, int], None] | None = None):
    """Copy the live database page by page into ``target`` (atomic: temp file + rename)."""
    source_path = _sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}.")
    temp = _temp_beside(target, ".tmp")
    try:
        source = sqlite3.connect(source_path, timeout=30)
        try:
            destination = sqlite3.connect(temp)
            try:

                def report(_status, remaining, total):
                    if progress:
                        progress(total - remaining, total)

                # A few hundred pages at a time: writers of the live app are never held up long.
                source.backup(destination, pages=256, progress=report)
                # A backup is one self-contained file, not a WAL database.
                destination.execute("PRAGMA journal_mode=DELETE")
                check = destination.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise BackupError(f"The copy failed its integrity check: {check}")
            finally:
                destination.close()
        finally:
            source.close()
        _fsync(temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def check_sqlite_backup(path: Path) -> dict:
    """Facts about a SQLite backup; :class:`BackupError` when it is not one of ours."""
    with open(path, "rb") as handle:
        if handle.read(16) != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a SQLite backup of COCO4CCI Academy.")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged: it failed SQLite's integrity check.")
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            missing = [t for t in REQUIRED_TABLES if t not in tables]
            if missing:
                raise BackupError(
                    f"{path} is a SQLite database but not a backup of COCO4CCI Academy "
                    f"(no {', '.join(missing)} table)."
                )
            users = connection.execute("SELECT count(*) FROM users").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a SQLite backup: {exc}.") from None
    return {"tables": len(tables), "users": users}


def restore_sqlite(url: str, source: Path, progress: Callable[[int, int], None] | None = None):
    """Copy the backup into the live database through SQLite (never a file swap under the
    app's feet): other connections wait for the copy and then see the restored data."""
    target_path = _sqlite_path(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        live = sqlite3.connect(target_path, timeout=30)
        try:

            def report(_status, remaining, total):
                if progress:
                    progress(total - remaining, total)

            backup.backup(live, pages=0, progress=report)  # one step: all or nothing
        finally:
            live.close()
    finally:
        backup.close()


# --- PostgreSQL ---------------------------------------------------------------------------


def find_pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: from ``LMS_PG_BIN``, the PATH, or Debian's folders."""
    folder = os.environ.get("LMS_PG_BIN")
    candidates = [os.path.join(folder, name)] if folder else []
    found = shutil.which(name)
    if found:
        candidates.append(found)
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(
        f"{name} was not found. Install the PostgreSQL client tools of your server's version "
        "(Debian: apt-get install postgresql-client), or set LMS_PG_BIN to their folder."
    )


def _pg_connection(url: str) -> tuple[str, dict]:
    """A libpq connection URI without the password, and an environment that carries it."""
    parsed = sa.engine.make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    bare = sa.engine.URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return bare.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(
            f"{os.path.basename(args[0])} failed: " + (message[-1] if message else "no output")
        )


def backup_postgresql(url: str, target: Path) -> None:
    """``pg_dump --format=custom`` into a temporary file, then rename it into place."""
    tool = find_pg_tool("pg_dump")
    conninfo, env = _pg_connection(url)
    temp = _temp_beside(target, ".tmp")
    try:
        _run([tool, "--format=custom", "--no-owner", f"--file={temp}", f"--dbname={conninfo}"], env)
        _fsync(temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def check_pg_backup(path: Path) -> dict:
    """Facts about a ``pg_dump`` custom-format file; :class:`BackupError` when it is not ours."""
    with open(path, "rb") as handle:
        if handle.read(5) != PG_DUMP_MAGIC:
            raise BackupError(f"{path} is not a PostgreSQL backup of COCO4CCI Academy.")
    tool = find_pg_tool("pg_restore")
    result = subprocess.run(  # noqa: S603
        [tool, "--list", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{path} cannot be read by pg_restore: {result.stderr.strip()}")
    tables = {
        line.split()[-2]
        for line in result.stdout.splitlines()
        if " TABLE DATA " in line and len(line.split()) >= 2
    }
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise BackupError(
            f"{path} is a PostgreSQL dump but not a backup of COCO4CCI Academy "
            f"(no {', '.join(missing)} table)."
        )
    return {"tables": len(tables)}


def restore_postgresql(url: str, source: Path) -> None:
    """``pg_restore --clean --if-exists`` in one transaction: all of it or nothing."""
    tool = find_pg_tool("pg_restore")
    conninfo, env = _pg_connection(url)
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={conninfo}",
            str(source),
        ],
        env,
    )


# --- both ---------------------------------------------------------------------------------


def check_backup(url: str, path: Path) -> dict:
    """Whether ``path`` is a backup that fits the configured database; facts about it."""
    if not path.is_file():
        raise BackupError(f"There is no file at {path}.")
    with open(path, "rb") as handle:
        head = handle.read(16)
    kind = kind_of(url)
    if head == SQLITE_MAGIC and kind != "sqlite":
        raise BackupError(f"{path} is a SQLite backup, but the configured database is {kind}.")
    if head.startswith(PG_DUMP_MAGIC) and kind != "postgresql":
        raise BackupError(f"{path} is a PostgreSQL backup, but the configured database is {kind}.")
    return check_sqlite_backup(path) if kind == "sqlite" else check_pg_backup(path)


def backup(url: str, target: Path, progress=None) -> None:
    if kind_of(url) == "sqlite":
        backup_sqlite(url, target, progress)
    else:
        backup_postgresql(url, target)
    check_backup(url, target)


def restore(url: str, source: Path, progress=None) -> None:
    check_backup(url, source)
    if kind_of(url) == "sqlite":
        restore_sqlite(url, source, progress)
    else:
        restore_postgresql(url, source)
