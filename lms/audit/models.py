"""One row per security-relevant event; rows are never updated or deleted by the app."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import UTCDateTime, db, utcnow

#: What each kind of event means, for the admin pages (the code stays in the database).
EVENT_LABELS = {
    "login.success": _l("Signed in"),
    "login.failure": _l("Sign-in failed"),
    "logout": _l("Signed out"),
    "password.reset_requested": _l("Password reset asked for"),
    "password.reset": _l("Password reset"),
    "password.changed": _l("Password changed"),
    "password.set": _l("Password set from an invitation"),
    "user.sign_in_link": _l("New sign-in link made"),
    "mail.retried": _l("Email queued again by an admin"),
    "user.created": _l("Account created"),
    "user.role_changed": _l("Role changed"),
    "user.disabled": _l("Account disabled"),
    "user.enabled": _l("Account enabled"),
    "user.deleted": _l("Account deleted"),
    "data.exported": _l("Data downloaded"),
    "cohort.exported": _l("Cohort results exported"),
    "signup.requested": _l("Sign-up requested"),
    "organisation.created": _l("Organisation added"),
    "organisation.changed": _l("Organisation changed"),
    "organisation.staff_added": _l("Linked to an organisation"),
    "organisation.staff_removed": _l("Unlinked from an organisation"),
}


class AuditEvent(db.Model):
    """Who did what to which object, when and from where."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: A dotted name such as ``login.success``, ``user.role_changed``, ``cohort.exported``.
    kind: Mapped[str] = mapped_column(sa.String(60), index=True)
    #: The person who acted; ``None`` for anonymous requests and the command line.
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: What was acted on, as ``type:id`` (``user:12``, ``cohort:3``); ``None`` when nothing.
    target: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    #: The client address as seen by the app (after ``LMS_TRUSTED_PROXIES``).
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    #: Small JSON details; never passwords, tokens or answers.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    @property
    def label(self) -> str:
        """The event in words, in the reader's language (the code when it has no label)."""
        return str(EVENT_LABELS.get(self.kind, self.kind))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.kind} {self.target}>"
