"""Each person's choices: a channel per kind of message, and the daily digest."""

import sqlalchemy as sa

from lms.extensions import db
from lms.notifications.kinds import KINDS, Kind
from lms.notifications.models import CHANNELS, NotificationPreference, NotificationSettings

#: The digest itself is chosen with the "Daily digest" box, not as a kind of its own.
DIGEST_KIND = "digest"


def choosable_kinds() -> list[Kind]:
    """The kinds the preferences page lists (security ones too, shown as fixed), by group."""
    return [kind for name, kind in KINDS.items() if name != DIGEST_KIND]


def grouped_kinds() -> list[tuple[str, list[Kind]]]:
    """``[(group label, [kinds])]`` in the order the kinds registered."""
    groups: dict[str, list[Kind]] = {}
    labels: dict[str, object] = {}
    for kind in choosable_kinds():
        key = str(kind.group)
        labels.setdefault(key, kind.group)
        groups.setdefault(key, []).append(kind)
    return [(labels[key], kinds) for key, kinds in groups.items()]


def current_choices(user_id: int) -> dict[str, str]:
    """Kind name -> channel for every registered kind (the default when the person chose none)."""
    stored = {
        p.kind: p.channel
        for p in db.session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    return {
        name: "email" if kind.security else stored.get(name, kind.default)
        for name, kind in KINDS.items()
    }


def daily_digest(user_id: int) -> bool:
    settings = db.session.get(NotificationSettings, user_id)
    return bool(settings and settings.daily_digest)


def set_channel(user_id: int, kind_name: str, channel: str) -> None:
    """Store one choice; only differences from the kind's default keep a row. Flush only."""
    kind = KINDS[kind_name]
    if kind.security or channel not in CHANNELS:
        raise ValueError(f"cannot set {kind_name!r} to {channel!r}")
    row = db.session.get(NotificationPreference, (user_id, kind_name))
    if channel == kind.default:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(NotificationPreference(user_id=user_id, kind=kind_name, channel=channel))
    else:
        row.channel = channel
    db.session.flush()


def save_choices(user_id: int, channels: dict[str, str], digest: bool) -> None:
    """Store the preferences page: a channel per changeable kind and the digest. Flush only."""
    for name, channel in channels.items():
        if name in KINDS and not KINDS[name].security:
            set_channel(user_id, name, channel)
    settings = db.session.get(NotificationSettings, user_id)
    if settings is None:
        settings = NotificationSettings(user_id=user_id, daily_digest=digest)
        db.session.add(settings)
    settings.daily_digest = digest
    if digest and DIGEST_KIND in KINDS:
        # Asking for the digest again undoes an earlier "stop these emails" on a digest.
        set_channel(user_id, DIGEST_KIND, KINDS[DIGEST_KIND].default)
    db.session.flush()


def unsubscribe(user_id: int, kind_name: str) -> None:
    """Stop the emails of one kind (RFC 8058): email becomes platform only; off stays off."""
    if current_choices(user_id).get(kind_name) == "email":
        set_channel(user_id, kind_name, "platform")
