"""Notifications: messages to people, on the platform and by email, recorded with the change
that causes them (an outbox row in the same transaction) and delivered afterwards by a worker.

Layer: above cohorts, certificates, programme and collider (it subscribes to their signals and
reads their models); below privacy, admin and api. Entry point for other code: :func:`notify`.
"""

from flask import Blueprint

bp = Blueprint("notifications", __name__, template_folder="templates")

from lms.notifications.outbox import notify  # noqa: E402

__all__ = ["bp", "notify"]
