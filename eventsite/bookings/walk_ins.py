"""At the door: people who walk in, and people on the waiting list who turn up anyway.

Each is added and checked in in one step, under the event's lock (`services.lock_event`),
so two organisers at the door never both take the last place. When no place is free the
organiser must confirm the exact count it makes ("Add over capacity: 61 of 60"): the call
carries that number, and if another organiser added someone in the meantime it no longer
matches and the question is asked again with the new count. Every addition is audited.

Email: a walk-in who gives an address gets the normal confirmation (their manage link,
calendar invitation, check-in code, and later the follow-up they asked for); one without
an address gets nothing. Someone let in from the waiting list is standing at the door, so
no "a place came up" email is sent to them (docs/DOOR.md).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import audit
from ..database import utcnow
from ..extensions import db
from ..models import Booking, BookingStatus, Event
from .attendance import CheckInRefused, check_in_booking
from .notices import queue_booking_confirmation
from .queries import booking_counts
from .services import (
    BookingRefused,
    booking_refusal,
    insert_with_reference,
    live_booking,
    lock_event,
    normalise_email,
)
from .tokens import issue_manage_token


class OverCapacity(Exception):
    """No place is free: the organiser must confirm taking the event to `count` of
    `capacity`, and call again with `over_capacity=count`."""

    def __init__(self, count: int, capacity: int):
        super().__init__(f"The event is full. Add over capacity: {count} of {capacity}?")
        self.count = count
        self.capacity = capacity


@dataclass(frozen=True)
class WalkIn:
    """What an organiser types at the door: a name, the rest optional."""

    name: str
    email: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class Admitted:
    """The booking let in and checked in; `outcome` says how, for the organiser:
    'walked in', 'already booked' (checked in), or 'from the waiting list'."""

    booking: Booking
    outcome: str
    over_capacity: bool = False


def add_walk_in(event: Event, walk_in: WalkIn, *, over_capacity: int | None = None) -> Admitted:
    """Add a person at the door and check them in, in one step.

    An address that already has a live booking for the event is not booked twice: a
    confirmed booking is checked in, a waiting one let in (as `admit_from_waiting_list`).
    Raises OverCapacity when no place is free and `over_capacity` is not the count the
    addition makes; BookingRefused for a cancelled event.
    """
    event = lock_event(event.id)
    _refuse_if_cancelled(event)
    email = walk_in.email.strip()
    if email:
        existing = live_booking(event, email)
        if existing is not None and existing.status == BookingStatus.CONFIRMED:
            return Admitted(check_in_booking(existing), "already booked")
        if existing is not None:
            return admit_from_waiting_list(existing, over_capacity=over_capacity)
    over = _room_for_one_more(event, over_capacity)
    now = utcnow()
    booking = Booking(
        event=event, status=BookingStatus.CONFIRMED, name=walk_in.name.strip(), email=email,
        email_normalised=normalise_email(email), organisation=walk_in.organisation.strip(),
        wants_followup=bool(email), walk_in=True, confirmed_at=now, checked_in_at=now,
    )
    insert_with_reference(booking)
    if email:
        queue_booking_confirmation(booking, issue_manage_token(booking))
    audit.record("walk-in added over capacity" if over else "walk-in added", booking=booking,
                 detail=_count_note(booking, event))
    return Admitted(booking, "walked in", over)


def admit_from_waiting_list(booking: Booking, *, over_capacity: int | None = None) -> Admitted:
    """Give a person on the waiting list who has come to the door a place, and check them
    in. Raises OverCapacity as `add_walk_in` does, CheckInRefused if they are no longer
    waiting."""
    event = lock_event(booking.event_id)
    _refuse_if_cancelled(event)
    db.session.refresh(booking)
    if booking.status != BookingStatus.WAITING:
        raise CheckInRefused(f"{booking.name} is not on the waiting list any more "
                             f"({booking.status}).")
    over = _room_for_one_more(event, over_capacity)
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_at = booking.checked_in_at = utcnow()
    db.session.flush()
    action = "let in from the waiting list" + (" over capacity" if over else "")
    audit.record(action, booking=booking, detail=_count_note(booking, event))
    return Admitted(booking, "from the waiting list", over)


def _refuse_if_cancelled(event: Event) -> None:
    refusal = booking_refusal(event, by_organiser=True)
    if refusal is not None:
        raise refusal


def _room_for_one_more(event: Event, over_capacity: int | None) -> bool:
    """False if a place is free; True if the organiser confirmed this very count over
    capacity; else OverCapacity."""
    count = booking_counts(event).confirmed + 1
    if count <= event.capacity:
        return False
    if over_capacity != count:
        raise OverCapacity(count, event.capacity)
    return True


def _count_note(booking: Booking, event: Event) -> str:
    db.session.flush()
    confirmed = booking_counts(event).confirmed
    return f"{booking.reference}: {confirmed} of {event.capacity} places"


__all__ = ["Admitted", "BookingRefused", "OverCapacity", "WalkIn", "add_walk_in",
           "admit_from_waiting_list"]
