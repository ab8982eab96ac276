"""Telling attendees and the waiting list that their event changed or was cancelled."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa

from ..bookings.calendar import CANCEL, REQUEST, booking_invitation
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
    """Queue one cancellation notice per live booking; queueing twice sends once. The
    confirmed get a CANCEL that takes the event out of their calendars."""
    return _tell_everyone(event, "event_cancelled", f"Cancelled: {event.title}",
                          f"event-cancelled:{event.id}", method=CANCEL)


def queue_event_changed(event: Event, changes: list[tuple[str, str, str]]) -> int:
    """Queue one notice per live booking listing what changed (label, was, now); the
    confirmed get a new invitation (the same UID, the event's new SEQUENCE) that moves the
    entry in their calendars.

    The same change queued twice (a double submit) sends once. The key holds the new
    SEQUENCE too, since two changes of joining link read alike (the link is never told).
    """
    if not changes:
        return 0
    digest = hashlib.sha256(repr((event.sequence, sorted(changes))).encode()).hexdigest()[:16]
    return _tell_everyone(event, "event_changed", f"Changed: {event.title}",
                          f"event-changed:{event.id}:{digest}", {"changes": changes},
                          method=REQUEST)


def _tell_everyone(event: Event, kind: str, subject: str, key_prefix: str,
                   context: dict | None = None, *, method: str) -> int:
    """One email of this kind to each of `people_to_tell`, kept once per key and booking,
    with a calendar of this iTIP method to those confirmed; returns how many people."""
    bookings = people_to_tell(event)
    for booking in bookings:
        queue_email(
            kind=kind,
            dedupe_key=f"{key_prefix}:{booking.id}",
            to=mailbox(booking.name, booking.email),
            subject=subject,
            template=kind,
            context=context,
            calendar=(booking_invitation(booking, method)
                      if booking.status == BookingStatus.CONFIRMED else None),
            event=event,
            booking=booking,
        )
    return len(bookings)
