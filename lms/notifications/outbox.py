"""Recording a message: the one function other features call, inside their transaction."""

import base64
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from lms.extensions import db
from lms.notifications.kinds import get_kind
from lms.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationSettings,
    OutboxMessage,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def channel_for(user_id: int, kind_name: str) -> str:
    """``email``, ``platform`` or ``off``: the person's choice, else the kind's default."""
    kind = get_kind(kind_name)
    if kind.security:
        return "email"
    chosen = db.session.get(NotificationPreference, (user_id, kind_name))
    return chosen.channel if chosen else kind.default


def wants_digest(user_id: int) -> bool:
    settings = db.session.get(NotificationSettings, user_id)
    return bool(settings and settings.daily_digest)


def render_message(kind_name: str, locale: str, context: dict) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a kind's templates in ``locale``."""
    template = get_kind(kind_name).template
    with force_locale(locale or "en"):
        subject = " ".join(render_template(f"{template}.subject.txt", **context).split())
        text = render_template(f"{template}.txt", **context).strip() + "\n"
        html = render_template(f"{template}.html", **context)
    return subject, text, html


def _recorded_before(kind: str, user_id: int | None, key: str, dedupe_key: str) -> bool:
    """Whether this message was recorded already (its platform entry or its email)."""
    email = sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    if user_id is None:
        return db.session.scalar(email.limit(1)) is not None
    entry = sa.select(Notification.id).where(
        Notification.user_id == user_id, Notification.kind == kind, Notification.key == key
    )
    return db.session.scalar(sa.union_all(entry, email).limit(1)) is not None


def notify(
    kind: str,
    user,
    key: str,
    *,
    context: dict | None = None,
    link: str = "",
    summary: str = "",
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
    to_email: str | None = None,
    locale: str | None = None,
) -> OutboxMessage | Notification | None:
    """Record one message of ``kind`` about ``key`` for ``user``, honouring their choices.

    Call it inside the transaction of the change that causes the message, after a flush; it
    adds rows and flushes, never commits and never talks to SMTP. The same (kind, person, key)
    twice records once: the second call returns ``None``. ``user`` may be ``None`` for a
    security message to an address without an account (give ``to_email`` and ``locale``).
    Returns the outbox row when an email was recorded, else the platform entry, else ``None``.
    """
    kind_def = get_kind(kind)
    user_id = user.id if user is not None else None
    address = (to_email or (user.email if user is not None else "")).strip()
    language = locale or (user.locale if user is not None else "en") or "en"
    channel = channel_for(user_id, kind) if user_id is not None else "email"
    if channel == "off" or (
        user is not None and (user.deleted_at or not user.active) and not kind_def.security
    ):
        return None
    dedupe_key = f"{kind}:{user_id if user_id is not None else address.lower()}:{key}"[:400]
    if _recorded_before(kind, user_id, key, dedupe_key):
        return None  # periodic jobs ask again every run: no rendering, no failed insert
    from lms.notifications.unsubscribe import unsubscribe_url

    unsubscribe = "" if kind_def.security or user is None else unsubscribe_url(user, kind)
    values = dict(context or {})
    values.update(
        recipient=user,
        base_url=current_app.config["LMS_BASE_URL"],
        unsubscribe_url=unsubscribe,
        link_url=(current_app.config["LMS_BASE_URL"] + link) if link.startswith("/") else link,
    )
    subject, text, html = render_message(kind, language, values)
    recorded = None
    try:
        with db.session.begin_nested():
            if user_id is not None and not kind_def.security:
                entry = Notification(
                    user_id=user_id,
                    kind=kind,
                    key=key,
                    title=subject[:300],
                    summary=summary,
                    link=link,
                )
                db.session.add(entry)
                recorded = entry
            if channel == "email" and address:
                headers = {}
                if unsubscribe:
                    headers = {
                        "List-Unsubscribe": f"<{unsubscribe}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    }
                held = (
                    kind_def.digestible
                    and not kind_def.security
                    and user_id is not None
                    and wants_digest(user_id)
                )
                message = OutboxMessage(
                    dedupe_key=dedupe_key,
                    kind=kind,
                    user_id=user_id,
                    to_email=address,
                    locale=language,
                    subject=subject[:300],
                    text_body=text,
                    html_body=html,
                    headers=headers,
                    attachments=[
                        {
                            "filename": a.filename,
                            "content_type": a.content_type,
                            "data": base64.b64encode(a.data).decode("ascii"),
                        }
                        for a in attachments
                    ],
                    status="digest" if held else "queued",
                )
                db.session.add(message)
                recorded = message
    except sa.exc.IntegrityError:
        log.debug("notification %s %s for user %s already recorded", kind, key, user_id)
        return None
    return recorded
