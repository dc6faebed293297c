"""People who use the platform and what they may do."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from lms.extensions import UTCDateTime, db, utcnow

ROLES = ("learner", "facilitator", "partner_manager", "programme_manager", "admin")


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
    #: When the person last signed in (password, reset or set-password link).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when the account was deleted: the row stays, anonymised, so cohort figures hold.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Part of every session's and remember-me cookie's user id: raising it (disabling the
    #: account, changing its password or role) ends all of them at their next request.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: Optional, stated by the person: their organisation (picked) or its name (free text).
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    organisation_name: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    #: Optional ISO 3166-1 alpha-2 country code.
    country: Mapped[str] = mapped_column(sa.String(2), default="", server_default="")
    #: Optional: one of lms.organisations.models.GENDERS, or empty (not stated).
    gender: Mapped[str] = mapped_column(sa.String(12), default="", server_default="")

    __table_args__ = (
        sa.CheckConstraint(
            "role in ('learner', 'facilitator', 'partner_manager', 'programme_manager', 'admin')",
            name="role_known",
        ),
    )

    def set_password(self, password: str) -> None:
        """Hash with scrypt (werkzeug's default modern KDF)."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """True when ``password`` matches the stored hash; never for an account that has none yet
        (invited, deleted: their marker is not a hash werkzeug could check)."""
        if not self.password_hash or self.password_hash.startswith("!"):
            return False
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: id, version and
        this sign-in's key (``<issued unix time>.<random>``, see ``lms.accounts.sessions``).

        The key is made once per sign-in and kept on the loaded user for the request, so the
        server can end one sign-in (sign-out) and expire remember-me cookies by their age.
        """
        key = getattr(self, "_login_key", None)
        if key is None:
            from lms.accounts.sessions import new_login_key

            key = self._login_key = new_login_key()
        return f"{self.id}:{self.session_version}:{key}"

    def end_sessions(self) -> None:
        """Sign this account out everywhere (each session checks the version it holds)."""
        self.session_version = (self.session_version or 1) + 1

    @property
    def is_active(self) -> bool:
        """Disabled accounts cannot sign in (flask-login reads this)."""
        return self.active and self.deleted_at is None

    @property
    def is_facilitator(self) -> bool:
        return self.role in ("facilitator", "admin")

    @property
    def is_programme_manager(self) -> bool:
        """Sees the whole programme's figures and lists (admins too)."""
        return self.role in ("programme_manager", "admin")

    @property
    def is_partner_manager(self) -> bool:
        return self.role == "partner_manager"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class EndedLogin(db.Model):
    """A sign-in that was signed out: its session and remember-me cookies are refused.

    Rows older than the remember-me lifetime are removed (those cookies expire anyway).
    """

    __tablename__ = "ended_logins"

    #: The sign-in's key, as in the user id Flask-Login keeps (``<issued>.<random>``).
    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SignupRequest(db.Model):
    """A sign-up waiting for its email address to be confirmed (no account exists yet).

    The link's token is stored only as its SHA-256; the row is used once and removed, and rows
    older than :data:`lms.accounts.links.SIGNUP_MAX_AGE` are purged at the next sign-up.
    """

    __tablename__ = "signup_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    #: The optional "About you" answers: organisation id or name, country, gender.
    about: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
