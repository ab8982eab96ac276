"""Organisers and the audit log of what they did."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from .events import Event


__all__ = ["Organiser", "AuditEntry"]

class Organiser(UserMixin, db.Model):
    """Someone who runs events and may see attendee data."""

    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Named in every session cookie; bumping it ends every session issued before.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the session version."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Log this organiser out everywhere: no session issued before counts any more."""
        self.session_version = (self.session_version or 1) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class AuditEntry(db.Model):
    """A record of an organiser action that exported, sent or changed data."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    organiser_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisers.id"))
    actor: Mapped[str] = mapped_column(sa.String(320), default="")
    action: Mapped[str] = mapped_column(sa.String(64))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id"))
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id"))
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    # The client's address (behind a proxy, as TRUSTED_PROXIES lets the app see it).
    address: Mapped[str | None] = mapped_column(sa.String(45))

    organiser: Mapped[Organiser | None] = relationship()
    event: Mapped[Event | None] = relationship()
