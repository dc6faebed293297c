"""Record audit events. Flush, never commit: the event joins the caller's transaction."""

from flask import has_request_context, request

from lms.audit.models import AuditEvent
from lms.extensions import db


def record_event(kind: str, actor=None, target: str | None = None, **details) -> AuditEvent:
    """Add an :class:`AuditEvent`; ``actor`` is a ``User`` or ``None``.

    ``target`` names the object acted on as ``type:id``. ``details`` must be JSON-safe and
    must never hold passwords or tokens.
    """
    event = AuditEvent(
        kind=kind,
        actor_id=getattr(actor, "id", None),
        target=target,
        ip=request.remote_addr if has_request_context() else None,
        details=details,
    )
    db.session.add(event)
    db.session.flush()
    return event
