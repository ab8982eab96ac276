"""Telling attendees and the waiting list that their event changed or was cancelled."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa

from ..extensions import db
from ..models import Booking, BookingStatus, Event
from ..outbox.messages import mailbox, queue_email

LIVE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.WAITING)


def people_to_tell(event: Event) -> list[Booking]:
    """Everyone with a live booking (confirmed or waiting) whose details we still hold."""
    return list(db.session.scalars(
        sa.select(Booking)
        .where(Booking.event_id == event.id, Booking.status.in_(LIVE_STATUSES),
               Booking.anonymised_at.is_(None))
        .order_by(Booking.id)
    ))


def queue_event_cancelled(event: Event) -> int:
    """Queue one cancellation notice per live booking; queueing twice sends once."""
    bookings = people_to_tell(event)
    for booking in bookings:
        queue_email(
            kind="event_cancelled",
            dedupe_key=f"event-cancelled:{event.id}:{booking.id}",
            to=mailbox(booking.name, booking.email),
            subject=f"Cancelled: {event.title}",
            template="event_cancelled",
            event=event,
            booking=booking,
        )
    return len(bookings)


def queue_event_changed(event: Event, changes: list[tuple[str, str, str]]) -> int:
    """Queue one notice per live booking listing what changed (label, was, now).

    The same change queued twice (a double submit) sends once.
    """
    if not changes:
        return 0
    digest = hashlib.sha256(repr(sorted(changes)).encode()).hexdigest()[:16]
    bookings = people_to_tell(event)
    for booking in bookings:
        queue_email(
            kind="event_changed",
            dedupe_key=f"event-changed:{event.id}:{digest}:{booking.id}",
            to=mailbox(booking.name, booking.email),
            subject=f"Changed: {event.title}",
            template="event_changed",
            context={"changes": changes},
            event=event,
            booking=booking,
        )
    return len(bookings)
