"""Recording messages (outbox + on-platform list), preferences, unsubscribe tokens, privacy."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from lms.extensions import db, utcnow  # noqa: F401  (utcnow used by views)
from lms.notifications.kinds import KINDS, get
from lms.notifications.models import Notification, OutboxMessage, Preference

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    return (current_app.config.get("LMS_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def link(endpoint: str, **values) -> str:
    """An absolute link from the configured base URL (never the request's Host header)."""
    if has_request_context():
        return base_url() + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return base_url() + url_for(endpoint, **values)


def channel_for(user, kind_key: str) -> str:
    """What ``user`` chose for ``kind_key`` (the kind's default when they chose nothing)."""
    kind = get(kind_key)
    if not kind.optional:
        return "email"
    chosen = db.session.scalar(
        sa.select(Preference.channel).where(
            Preference.user_id == user.id, Preference.kind == kind_key
        )
    )
    return chosen or kind.default


def preferences_of(user) -> dict[str, str]:
    rows = db.session.execute(
        sa.select(Preference.kind, Preference.channel).where(Preference.user_id == user.id)
    ).all()
    chosen = dict(rows)
    return {k: (chosen.get(k) or kind.default) for k, kind in KINDS.items() if kind.optional}


def set_preference(user, kind_key: str, channel: str) -> None:
    if not get(kind_key).optional:
        return
    row = db.session.scalar(
        sa.select(Preference).where(Preference.user_id == user.id, Preference.kind == kind_key)
    )
    if row is None:
        db.session.add(Preference(user_id=user.id, kind=kind_key, channel=channel))
    else:
        row.channel = channel
    db.session.flush()


def when(meeting, locale: str) -> str:
    """A meeting's start in its own time zone, e.g. "Tuesday 3 March 2026, 14:00 (Europe/Rome)"."""
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    zone = ZoneInfo(meeting.timezone or "UTC")
    start = meeting.starts_at.astimezone(zone)
    text = format_datetime(start, "EEEE d MMMM y, HH:mm", tzinfo=zone, locale=locale)
    return f"{text} ({meeting.timezone})"


def render(kind_key: str, user, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of a message in the recipient's language."""
    kind = get(kind_key)
    context = dict(
        context,
        kind=kind_key,
        recipient=user,
        base_url=base_url(),
        preferences_url=link("notifications.preferences"),
        unsubscribe_url=unsubscribe_url(user, kind_key) if kind.optional else "",
    )
    locale = user.locale or "en"
    context["when"] = lambda meeting: when(meeting, locale)
    with force_locale(locale):
        text = render_template(kind.template + ".txt", **context)
        html = render_template(kind.template + ".html", **context)
    subject, _, body = text.partition("\n---\n")
    return subject.strip(), body.strip() + "\n", html


def notify(
    kind_key,
    user,
    object_key: str,
    context: dict,
    *,
    url="",
    cohort_id=None,
    attachment: bytes | None = None,
) -> OutboxMessage | None:
    """Record a message for ``user`` in the current transaction (no commit, no SMTP).

    The same (kind, recipient, object) is recorded once, however often this is called.
    """
    if user.deleted_at is not None or not user.active:
        return None
    channel = channel_for(user, kind_key)
    if channel == "off":
        return None
    key = f"{kind_key}:{user.id}:{object_key}"
    subject, text, html = render(kind_key, user, dict(context, url=url and base_url() + url))
    outbox = None
    try:
        with db.session.begin_nested():
            db.session.add(
                Notification(
                    key=key,
                    kind=kind_key,
                    user_id=user.id,
                    subject=subject,
                    body=text,
                    url=url,
                    cohort_id=cohort_id,
                )
            )
            if channel == "email":
                outbox = OutboxMessage(
                    key=key,
                    kind=kind_key,
                    user_id=user.id,
                    to_email=user.email,
                    subject=subject,
                    text_body=text,
                    html_body=html,
                    attachment=attachment,
                )
                db.session.add(outbox)
            db.session.flush()
    except IntegrityError:
        return None  # already recorded
    return outbox


def unread_count() -> int:
    """The header's count: one COUNT over (user_id, read_at)."""
    if not current_user.is_authenticated:
        return 0
    return (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == current_user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(user, notification_id: int | None = None, now: datetime | None = None) -> None:
    stmt = sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    db.session.execute(stmt.values(read_at=now or utcnow()))


def sent_to(user_id: int, cohort_id: int) -> list[Notification]:
    """What a cohort's learner was sent, newest first (for the facilitator's learner page)."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user_id, Notification.cohort_id == cohort_id)
            .order_by(Notification.created_at.desc())
        )
    )


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="notifications-unsubscribe")


def unsubscribe_token(user, kind_key: str) -> str:
    return _serializer().dumps({"u": user.id, "k": kind_key})


def unsubscribe_url(user, kind_key: str) -> str:
    return link("notifications.unsubscribe", token=unsubscribe_token(user, kind_key))


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = _serializer().loads(token)
        user_id, kind_key = int(data["u"]), str(data["k"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if kind_key not in KINDS or not KINDS[kind_key].optional:
        return None
    return user_id, kind_key


def export_section(user) -> dict:
    """The privacy export's "notifications" section (hook for lms/privacy)."""
    return {
        "preferences": preferences_of(user),
        "notifications": [
            {
                "kind": n.kind,
                "subject": n.subject,
                "body": n.body,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
            }
            for n in db.session.scalars(
                sa.select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        ],
    }


def delete_for(user) -> None:
    """Account deletion: forget the person's notifications, preferences and unsent mail."""
    for model in (Notification, Preference, OutboxMessage):
        db.session.execute(sa.delete(model).where(model.user_id == user.id))
