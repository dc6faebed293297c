"""One-click unsubscribe links (RFC 8058): a signed token naming the person and the kind."""

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(user, kind: str) -> str:
    return _serializer().dumps([user.id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """``(user id, kind)``, or ``None`` for a token this platform did not sign."""
    try:
        user_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(kind, str):
        return None
    return user_id, kind


def unsubscribe_url(user, kind: str) -> str:
    """The absolute link, built from ``LMS_BASE_URL``; it needs no sign-in."""
    return url_for("notifications.unsubscribe", token=unsubscribe_token(user, kind), _external=True)
