"""The daily digest: one email a day bundling the messages a person let wait.

``notify()`` holds the emails of digestible kinds as ``digest`` rows for people who asked for
the digest. Once a day, at ``LMS_DIGEST_HOUR`` UTC (default 7), this job writes one email per
person with every row held before that hour and marks those rows ``sent`` (``claimed_by``
names the digest that carried them, so the data export and the admin page stay honest). The
digest's key is the person and the day: a second run that day records nothing.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.extensions import db
from lms.notifications.kinds import GROUP_ACCOUNT, Kind, register_kind
from lms.notifications.models import OutboxMessage
from lms.notifications.outbox import channel_for, render_message
from lms.notifications.periodic import register_periodic
from lms.notifications.unsubscribe import unsubscribe_url

DIGEST = register_kind(
    Kind(
        name="digest",
        label=_l("Daily digest"),
        group=GROUP_ACCOUNT,
        template="notifications/messages/digest",
        digestible=False,
    )
)


def digest_cutoff(now: datetime) -> datetime:
    """The latest digest hour at or before ``now``: rows held before it go in that digest."""
    hour = current_app.config.get("LMS_DIGEST_HOUR", 7)
    now = now.astimezone(UTC)
    cutoff = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return cutoff if cutoff <= now else cutoff - timedelta(days=1)


def send_digests(now: datetime) -> int:
    """Record today's digest for everyone with held messages; returns how many it recorded."""
    cutoff = digest_cutoff(now)
    held = db.session.scalars(
        sa.select(OutboxMessage)
        .where(
            OutboxMessage.status == "digest",
            OutboxMessage.user_id.is_not(None),
            OutboxMessage.created_at < cutoff,
        )
        .order_by(OutboxMessage.user_id, OutboxMessage.created_at, OutboxMessage.id)
    ).all()
    by_person: dict[int, list[OutboxMessage]] = {}
    for message in held:
        by_person.setdefault(message.user_id, []).append(message)
    recorded = 0
    for user_id, messages in by_person.items():
        if _bundle(db.session.get(User, user_id), messages, cutoff, now):
            recorded += 1
    db.session.flush()
    return recorded


def _bundle(user: User | None, messages: list[OutboxMessage], cutoff: datetime, now) -> bool:
    """One person's digest; ``False`` when it was already recorded or is not wanted."""
    if user is None or user.deleted_at is not None or not user.active:
        return False
    if channel_for(user.id, DIGEST.name) != "email":
        # They stopped the digest emails: the messages stay on the platform only, and the
        # unsent emails go (the export lists what was sent, not what was never written out).
        for message in messages:
            db.session.delete(message)
        return False
    link = current_app.config["LMS_BASE_URL"] + "/notifications"
    unsubscribe = unsubscribe_url(user, DIGEST.name)
    locale = user.locale or "en"
    subject, text, html = render_message(
        DIGEST.name,
        locale,
        {
            "messages": messages,
            "day": cutoff.date(),
            "recipient": user,
            "base_url": current_app.config["LMS_BASE_URL"],
            "unsubscribe_url": unsubscribe,
            "link_url": link,
        },
    )
    digest = OutboxMessage(
        dedupe_key=f"digest:{user.id}:{cutoff.date().isoformat()}",
        kind=DIGEST.name,
        user_id=user.id,
        to_email=user.email,
        locale=locale,
        subject=subject[:300],
        text_body=text,
        html_body=html,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        attachments=[a for m in messages for a in (m.attachments or [])],
        status="queued",
    )
    try:
        with db.session.begin_nested():
            db.session.add(digest)
    except sa.exc.IntegrityError:
        return False  # another run recorded today's digest (and marked these rows)
    for message in messages:
        message.status = "sent"
        message.sent_at = now
        message.claimed_by = f"digest:{digest.id}"
    return True


register_periodic("notifications.digest", timedelta(hours=1), send_digests)
