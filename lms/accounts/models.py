"""People who use the platform and what they may do."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from lms.extensions import UTCDateTime, db, utcnow

ROLES = ("learner", "facilitator", "admin")


class User(UserMixin, db.Model):
    """A learner, facilitator or administrator, signing in with email and password."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; unique across the platform.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: One of :data:`ROLES`.
    role: Mapped[str] = mapped_column(sa.String(20), default="learner")
    #: The UI language the person chose (a code like ``en``).
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when the account was deleted: the row stays, anonymised, so cohort figures hold.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("role in ('learner', 'facilitator', 'admin')", name="role_known"),
    )

    def set_password(self, password: str) -> None:
        """Hash with scrypt (werkzeug's default modern KDF)."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """True when ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        """Disabled accounts cannot sign in (flask-login reads this)."""
        return self.active and self.deleted_at is None

    @property
    def is_facilitator(self) -> bool:
        return self.role in ("facilitator", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"
