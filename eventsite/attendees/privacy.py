"""Forgetting attendees: old events' bookings anonymised, one person erased on request.

What is kept is what statistics need: how many booked, in which status, when, and who
turned up (as a time, not a name), and the answers to booking questions an organiser marked
as not personal (choices and yes/no only: see `bookings.answers.forget_answers`).
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from .. import audit
from ..bookings.answers import forget_answers
from ..bookings.services import cancel_booking
from ..bookings.tokens import forget_manage_links
from ..database import utcnow
from ..extensions import db
from ..models import Booking, BookingStatus, Event, OutboxMessage
from ..outbox.services import erase_messages

ANONYMISED_NAME = "Anonymised"

def anonymise_booking(booking: Booking) -> None:
    """Replace everything that identifies the person; keep status and times.

    The booking's manage links stop working: nobody can reach it by email any more.
    """
    forget_manage_links(booking)
    forget_answers(booking)
    booking.name = ANONYMISED_NAME
    booking.email = f"anonymised-{booking.id}@invalid"
    booking.email_normalised = booking.email
    booking.organisation = ""
    booking.job_title = ""
    booking.access_needs = ""
    booking.wants_followup = False
    booking.anonymised_at = utcnow()


def purge_bookings(older_than_days: int) -> tuple[int, int]:
    """Anonymise every booking of events that ended more than `older_than_days` ago.

    Also blanks the emails kept about them, including attendee lists sent for those
    events. Returns (bookings anonymised, events affected); running it again finds
    nothing more to do.
    """
    cutoff = utcnow() - timedelta(days=older_than_days)
    event_ids = list(db.session.scalars(sa.select(Event.id).where(Event.ends_at < cutoff)))
    if not event_ids:
        return 0, 0
    bookings = list(db.session.scalars(
        sa.select(Booking).where(Booking.event_id.in_(event_ids),
                                 Booking.anonymised_at.is_(None))
    ))
    for booking in bookings:
        anonymise_booking(booking)
    db.session.flush()
    erase_messages(OutboxMessage.event_id.in_(event_ids))
    touched = {booking.event_id for booking in bookings}
    if bookings:
        audit.record("privacy purge", detail=(
            f"{len(bookings)} bookings anonymised across {len(touched)} events that ended "
            f"more than {older_than_days} days ago"))
    db.session.flush()
    return len(bookings), len(touched)


def erase_person(email: str) -> list[Booking]:
    """Erase one person's bookings, at every event, on their request.

    A live booking for an event still to come is cancelled first (so the place goes to
    the next person waiting); then every booking with that address is anonymised and the
    emails to it blanked. The audit entry names booking references, not the person.
    """
    address = email.strip().lower()
    bookings = list(db.session.scalars(
        sa.select(Booking).where(Booking.email_normalised == address,
                                 Booking.anonymised_at.is_(None)).order_by(Booking.id)
    ))
    now = utcnow()
    for booking in bookings:
        if booking.status != BookingStatus.CANCELLED and not booking.event.has_ended(now):
            cancel_booking(booking)
    for booking in bookings:
        anonymise_booking(booking)
    db.session.flush()
    if bookings:
        ids = [booking.id for booking in bookings]
        erase_messages(OutboxMessage.booking_id.in_(ids))
        audit.record("personal data erased", detail="On request; bookings " + ", ".join(
            booking.reference for booking in bookings))
    db.session.flush()
    return bookings
