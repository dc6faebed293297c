"""Notifications: messages to people, on the platform and by email, recorded with the change
that causes them (an outbox row in the same transaction) and delivered afterwards by a worker.

Layer: above cohorts, certificates, programme and collider (it subscribes to their signals and
reads their models); below privacy, admin and api. Entry point for other code: :func:`notify`.
"""

from flask import Blueprint

bp = Blueprint("notifications", __name__, template_folder="templates")

from lms.notifications.outbox import notify  # noqa: E402


@bp.record_once
def _init_delivery(state) -> None:
    """Delivery hooks (enqueue after commit) and the queue and mail health checks."""
    from lms.notifications import health, worker

    worker.init_app(state.app)
    health.init_app(state.app)


# Routes and receivers register on import, before the blueprint is registered.
from lms.notifications import admin_views, catalogue_account, receivers_account  # noqa: E402, F401

__all__ = ["bp", "notify"]
