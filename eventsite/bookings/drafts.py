"""A booking drawn up before the event's lock is taken, with its first email built.

Everything a new booking's confirmation (or waiting-list email) needs that does not
depend on the outcome is prepared here, before `create_booking` takes the event's lock:
the booking's reference, its manage token and its calendar UID, and with those the email
itself for the outcome the places left promise (templates, calendar invitation, QR code,
MIME, DKIM signature, the suppression lookup). Under the lock only the count, the insert
and the outbox row remain; the row gets the booking's id once it is inserted. If the
outcome or the reference turn out otherwise (the last places went meanwhile; a reference
taken at the same moment), the email is built again under the lock.

Nothing in the email depends on the booking's id (the UID is drawn, the QR code's
content-id carries the reference), so the same holds on SQLite and PostgreSQL.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm.attributes import set_committed_value

from ..database import utcnow
from ..models import Booking, BookingStatus, Event, OutboxMessage, new_calendar_uid
from ..outbox.messages import store_email
from .notices import file_first_email, prepare_first_email
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
        return (self.email is not None and booking.status == self.status
                and booking.reference == self.reference)

    def send(self) -> str:
        """Record the manage link and store the first email built beforehand, with the
        id the booking has now."""
        issue_manage_token(self.booking, self.token)
        file_first_email(self.email, self.booking, self.token)
        store_email(self.email)
        return self.token


def draw_up_booking(event: Event, booking: Booking) -> BookingDraft:
    """Give the booking a token and its calendar UID, and build its first email for the
    outcome expected from the places left now."""
    booking.calendar_uid = new_calendar_uid()
    waiting = places_left(event) <= 0 and event.waiting_list
    booking.status = BookingStatus.WAITING if waiting else BookingStatus.CONFIRMED
    set_committed_value(booking, "event", event)  # for the email; adds nothing to the session
    token = new_token()
    email = prepare_first_email(booking, token)
    return BookingDraft(booking, token, email, booking.status, booking.reference)


def settle_status(booking: Booking, status: str) -> None:
    """The outcome decided under the lock."""
    booking.status = status
    booking.confirmed_at = utcnow() if status == BookingStatus.CONFIRMED else None

