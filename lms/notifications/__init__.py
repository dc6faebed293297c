"""Notifications: messages to people by email and on the platform, recorded in an outbox."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, template_folder="templates")


def init_app(app) -> None:
    """Register the blueprint, the signal receivers, the header count and ``lms worker``."""
    from lms.notifications import receivers, views  # noqa: F401  (routes and receivers)
    from lms.notifications.cli import worker_command
    from lms.notifications.services import unread_count

    app.register_blueprint(bp)
    receivers.connect()
    app.cli.add_command(worker_command)

    @app.context_processor
    def _unread():
        return {"notifications_unread": unread_count}

    from lms.notifications.worker import start_embedded_worker

    start_embedded_worker(app)
