"""Bookings and the manage links emailed for them."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from .events import Event


# Where a booking stands: a place, a place in line, or given up.
# Each value is the name in lower case, as stored.
__all__ = ["BookingStatus", "Booking", "BookingLink", "new_calendar_uid"]

BookingStatus = enum.StrEnum("BookingStatus", "CONFIRMED WAITING CANCELLED")
LIVE_WITH_ADDRESS = "status != 'cancelled' AND email_normalised != ''"


def new_calendar_uid() -> str:
    """A booking's own part of its calendar invitation's UID (before the @)."""
    return f"booking-{secrets.token_hex(10)}"


class Booking(db.Model):
    """One person's place (or place in line) at an event."""

    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=BookingStatus.CONFIRMED)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(320))
    email_normalised: Mapped[str] = mapped_column(sa.String(320))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    access_needs: Mapped[str] = mapped_column(sa.Text, default="")
    wants_followup: Mapped[bool] = mapped_column(default=True)
    followup_unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A waiting booking offered a place until then; while open, that place counts as taken.
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Added at the door by an organiser (a walk-in), perhaps without an email address.
    walk_in: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Its invitation's UID before the @, drawn with the booking so that its first email
    # can be built before it has an id; none for bookings made before there was one, whose
    # UID carries their id (bookings/calendar.py).
    calendar_uid: Mapped[str | None] = mapped_column(sa.String(40), default=new_calendar_uid)

    event: Mapped[Event] = relationship()
    manage_links: Mapped[list[BookingLink]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('confirmed', 'waiting', 'cancelled')", name="status_known"
        ),
        # One live booking per address per event; cancelled ones, and walk-ins who gave
        # no address, do not count.
        sa.Index(
            "uq_bookings_live_email",
            "event_id",
            "email_normalised",
            unique=True,
            sqlite_where=sa.text(LIVE_WITH_ADDRESS),
            postgresql_where=sa.text(LIVE_WITH_ADDRESS),
        ),
        sa.Index("ix_bookings_event_status", "event_id", "status", "created_at"),
    )

    @property
    def has_offer(self) -> bool:
        return self.status == BookingStatus.WAITING and self.offer_expires_at is not None

    def __repr__(self) -> str:
        return f"<Booking {self.reference} {self.status}>"


class BookingLink(db.Model):
    """One manage link emailed for a booking, and its check-in code; only the SHA-256 of
    each is kept.

    A booking gains a link with every email that carries one, and every link keeps
    working until the booking's personal data is anonymised or erased.
    """

    __tablename__ = "booking_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The SHA-256 of the check-in code derived from this link's token (bookings/tokens.py);
    # empty for links issued before check-in codes until their page is next opened.
    check_in_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="manage_links")
