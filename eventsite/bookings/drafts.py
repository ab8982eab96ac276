"""A booking drawn up before the event's lock is taken, with its first email built.

Everything a new booking's confirmation (or waiting-list email) needs that does not
depend on the outcome is prepared here, before `create_booking` takes the event's lock:
the booking's reference, its manage token and, on PostgreSQL, its id (drawn from the
table's sequence), and with those the email itself for the outcome the places left
promise (templates, calendar invitation, MIME, DKIM signature, the suppression lookup).
Under the lock only the count, the insert and the outbox row remain. If the outcome, the
id or the reference turn out otherwise (the last places went meanwhile; a reference taken
at the same moment), the email is built again under the lock, as before.

SQLite hands out ids only on insert, so there the email is built after the insert, under
the lock, as before; SQLite's lock is the whole database's anyway.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from ..database import utcnow
from ..extensions import db
from ..models import Booking, BookingStatus, Event, OutboxMessage
from ..outbox.messages import store_email
from .notices import prepare_first_email
from .queries import places_left
from .tokens import issue_manage_token, new_token


@dataclass
class BookingDraft:
    """A booking not yet inserted (`booking`, transient), its token and its first email,
    built for that status and reference."""

    booking: Booking
    token: str
    email: OutboxMessage | None
    status: str
    reference: str

    def email_still_fits(self) -> bool:
        """Whether the email built beforehand says what the inserted booking is."""
        booking = self.booking
        return (self.email is not None and booking.id == self.email.booking_id
                and booking.status == self.status and booking.reference == self.reference)

    def send(self) -> str:
        """Record the manage link and store the first email built beforehand."""
        issue_manage_token(self.booking, self.token)
        store_email(self.email)
        return self.token


def draw_up_booking(event: Event, booking: Booking) -> BookingDraft:
    """Give the booking an id (where the database can before inserting) and a token, and
    build its first email for the outcome expected from the places left now."""
    booking.id = _next_booking_id()
    waiting = places_left(event) <= 0 and event.waiting_list
    booking.status = BookingStatus.WAITING if waiting else BookingStatus.CONFIRMED
    set_committed_value(booking, "event", event)  # for the email; adds nothing to the session
    token = new_token()
    email = prepare_first_email(booking, token) if booking.id is not None else None
    return BookingDraft(booking, token, email, booking.status, booking.reference)


def settle_status(booking: Booking, status: str) -> None:
    """The outcome decided under the lock."""
    booking.status = status
    booking.confirmed_at = utcnow() if status == BookingStatus.CONFIRMED else None


def _next_booking_id() -> int | None:
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    return db.session.scalar(
        sa.select(sa.func.nextval(sa.func.pg_get_serial_sequence("bookings", "id"))))
