"""Development preview: a saved change in ``content/`` shows on the next page load.

Before each page request the content folder's file list, sizes and modification times
are compared with the last look; on a change the content is synced. A course with a broken
file keeps its last good version while the other courses publish; its ``path:line``
problems show to admins on every page and on /admin/content.
"""

import logging
import os
from pathlib import Path

from flask import Flask, request

from lms.extensions import db

log = logging.getLogger(__name__)


def fingerprint(root: str) -> tuple:
    """A cheap summary of the tree: changes whenever a file is added, removed or saved."""
    entries = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            try:
                stat = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            entries.append((folder, name, stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def init_autosync(app: Flask) -> None:
    if not app.config.get("LMS_CONTENT_AUTOSYNC"):
        return
    state = {"fingerprint": None}

    @app.before_request
    def _autosync():
        if request.endpoint in (None, "static") or request.path.startswith("/api/"):
            return
        root = app.config["LMS_CONTENT_DIR"]
        if not Path(root).is_dir():
            return
        current = fingerprint(root)
        if current == state["fingerprint"]:
            return
        from lms.extensions import will_write
        from lms.publishing.sync import sync_content

        db.session.commit()  # end the read-only transaction; the sync writes
        will_write()

        try:
            report = sync_content(root)
            if report.applied:
                db.session.commit()
                if report.changed:
                    log.info("content preview: %s", "; ".join(report.changes))
            else:
                db.session.rollback()
            app.extensions["lms_content_problems"] = report.tree.errors
            app.extensions["lms_content_held_back"] = report.held_back
            app.extensions["lms_content_blocking"] = report.tree.global_errors
            state["fingerprint"] = current
        except Exception:  # the preview must never take the site down
            db.session.rollback()
            log.exception("content preview sync failed")
