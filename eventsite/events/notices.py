"""Telling attendees and the waiting list that their event changed or was cancelled."""
from __future__ import annotations

import sqlalchemy as sa

from ..bookings.calendar import CANCEL, REQUEST, booking_invitation
from ..bookings.notices import manage_url
from ..bookings.tokens import issue_manage_token
from ..extensions import db
from ..models import Booking, BookingStatus, Event
from ..outbox.messages import mailbox, queue_email, queued_message

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
    """Queue one notice per live booking listing these changes (label, was, now); returns
    how many people. `change_notices.send_change_notice` words each person's own."""
    bookings = people_to_tell(event) if changes else []
    for booking in bookings:
        queue_change_notice(booking, changes)
    return len(bookings)


def queue_change_notice(booking: Booking, changes: list[tuple[str, str, str]]):
    """'Your event changed': what changed (label, was, now), a new manage link, and for
    the confirmed a new invitation (the same UID, the event's SEQUENCE now) that moves
    the entry in their calendars.

    Once per booking and event sequence: a retried transaction queues it once, while a
    later change (which raises the sequence) is a new email.
    """
    event = booking.event
    key = f"event-changed:{event.id}:{event.sequence}:{booking.id}"
    existing = queued_message(key)
    if existing is not None:
        return existing
    link = manage_url(issue_manage_token(booking))
    return queue_email(
        kind="event_changed",
        dedupe_key=key,
        to=mailbox(booking.name, booking.email),
        subject=f"Changed: {event.title}",
        template="event_changed",
        context={"changes": changes, "manage_url": link},
        calendar=(booking_invitation(booking, REQUEST)
                  if booking.status == BookingStatus.CONFIRMED else None),
        event=event,
        booking=booking,
        private_links=(link,),
    )


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
