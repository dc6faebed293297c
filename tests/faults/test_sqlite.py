"""SQLite out of disk space, or read-only: the 503 page with Retry-After, nothing half-written.

The database file lives on a small tmpfs mounted for the scenario (root only: the suite runs
as root, which ignores file permissions, so ``chmod`` cannot make the file read-only):

- disk full: WAL checkpointed and truncated, then a filler file takes every free block, so
  the next commit cannot grow the WAL; deleting the filler is the repair.
- read-only: ``chattr +i`` (immutable: root cannot write it either) on the file, its WAL and
  shared-memory files and its folder, then a reload (``kill -HUP``, as a deploy does): SQLite
  opens the file read-only for the new workers. A connection already open keeps writing
  through its open file, as it would after a ``chmod``; the fault shows on connections opened
  during it, and those stay read-only after the repair (``chattr -i``) unless replaced.

``mount -o remount,ro`` is refused while the workers hold the file open for writing ("mount
point is busy"), and ext4's forced read-only (errors=remount-ro) cannot be undone without
unmounting, so neither is used.
"""

import errno
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.faults.harness import Gunicorn, Stream, check_writes, make_learners

#: The tmpfs holding the database: room for the file and its WAL, quick to fill.
FILESYSTEM_MB = 48
MOUNT, UMOUNT, CHATTR = (shutil.which(name) or name for name in ("mount", "umount", "chattr"))


@pytest.fixture
def small_filesystem(tmp_path):
    """A tmpfs of :data:`FILESYSTEM_MB` at ``tmp_path/fs``; unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs for the SQLite file needs root")
    folder = tmp_path / "fs"
    folder.mkdir()
    mounted = subprocess.run(
        [MOUNT, "-t", "tmpfs", "-o", f"size={FILESYSTEM_MB}m,mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield folder
    _immutable(folder, False)
    if subprocess.run([UMOUNT, str(folder)], capture_output=True).returncode != 0:
        subprocess.run([UMOUNT, "-l", str(folder)], check=True)


@pytest.fixture
def sqlite_server(small_filesystem, tmp_path):
    """gunicorn (two workers) on a SQLite file on the small filesystem, migrated, with content."""
    path = small_filesystem / "lms.sqlite3"
    url = f"sqlite:///{path}"
    app = Gunicorn({"LMS_DATABASE_URL": url}, tmp_path)  # log and instance off the tmpfs
    app.env.pop("LMS_REDIS_URL", None)
    app.lms("db", "upgrade")
    app.lms("content", "sync")
    app.start()
    yield app, path, url
    app.stop()
    assert "Traceback" not in app.log_text(), app.log_text()[-5000:]


def _immutable(folder, on: bool) -> None:
    """``chattr +i`` / ``-i`` on the folder and every file in it (the folder last / first)."""
    names = [str(p) for p in folder.iterdir() if p.is_file()] if folder.exists() else []
    flag = "+i" if on else "-i"
    if not on:
        subprocess.run([CHATTR, flag, str(folder)], capture_output=True)
    if names:
        subprocess.run([CHATTR, flag, *names], capture_output=True)
    if on:
        subprocess.run([CHATTR, flag, str(folder)], check=True)


def _truncate_wal(path) -> None:
    """Checkpoint the WAL into the file and cut it to zero bytes: the next commit must grow it."""
    connection = sqlite3.connect(path, timeout=10)
    try:
        for _ in range(50):
            busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
            time.sleep(0.02)
    finally:
        connection.close()


def _fill(filler) -> int:
    """Write ``filler`` until the filesystem has no block left; returns the bytes written."""
    written = 0
    with open(filler, "wb", buffering=0) as out:
        for size in (1 << 20, 4096, 512, 1):
            block = b"\0" * size
            while True:
                try:
                    written += out.write(block)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    return written


def _get(server, path: str) -> int:
    try:
        with urllib.request.urlopen(server.base + path, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _assert_targets(stream, writes, recovery):
    counts = stream.counts()
    assert counts["5xx"] == 0, stream.server_errors()[:5]
    assert counts["503"] > 0  # the friendly page was shown meanwhile
    assert writes["lost"] == writes["duplicated"] == writes["partial"] == 0, writes
    assert not stream.lost, stream.lost
    assert writes["confirmed"] > 0
    assert recovery <= 5


def test_sqlite_out_of_disk_space_then_space_again(sqlite_server, figures):
    server, path, url = sqlite_server
    learners = make_learners(url, "full", 12)
    stream = Stream(server.base, learners)
    stream.run_for(2)  # before
    seen = {}

    def fill_up():
        filler = path.parent / "filler"
        _truncate_wal(path)
        seen["filled"] = _fill(filler)
        time.sleep(1)
        seen["health"] = server.health()
        seen["reads"] = [_get(server, "/login"), _get(server, "/")]
        time.sleep(2)
        filler.unlink()
        seen["back"] = time.monotonic()

    stream.run_for(3, while_running=fill_up)  # during
    stream.run_for(4)  # after
    writes = check_writes(url, learners)
    recovery = stream.recovered_after(seen["back"])
    figures.add("SQLite out of disk space 3 s, then freed", stream, writes, recovery)
    assert seen["reads"] == [200, 200]  # pages that only read still show
    status, body = seen["health"]
    assert status == 200 and body["checks"]["database"]["status"] == "degraded", body
    assert server.health()[1]["checks"]["database"]["status"] == "ok"
    _assert_targets(stream, writes, recovery)
    assert "database or disk is full" in server.log_text()


def test_sqlite_read_only_then_writable_again(sqlite_server, figures):
    if shutil.which(CHATTR) is None:
        pytest.skip("chattr (e2fsprogs) is not installed")
    server, path, url = sqlite_server
    learners = make_learners(url, "readonly", 12)
    stream = Stream(server.base, learners)
    stream.run_for(2)  # before
    seen = {}

    def make_read_only():
        _immutable(path.parent, True)
        server.reload()  # the new workers open the file while it is read-only
        time.sleep(1)
        seen["health"] = server.health()
        seen["reads"] = [_get(server, "/login"), _get(server, "/")]
        time.sleep(2)
        _immutable(path.parent, False)
        seen["back"] = time.monotonic()

    stream.run_for(3, while_running=make_read_only)  # during
    stream.run_for(4)  # after
    writes = check_writes(url, learners)
    recovery = stream.recovered_after(seen["back"])
    figures.add("SQLite read-only 3 s (and a reload), then not", stream, writes, recovery)
    assert seen["reads"] == [200, 200]
    status, body = seen["health"]
    assert status == 200 and body["checks"]["database"]["status"] == "degraded", body
    assert server.health()[1]["checks"]["database"]["status"] == "ok"
    _assert_targets(stream, writes, recovery)
    assert "attempt to write a readonly database" in server.log_text()
