"""The organiser's desk: cancelling with a look first, and acting on several bookings.

Each function flushes but does not commit; the view commits once.
"""
from __future__ import annotations

from .. import audit
from ..extensions import db
from ..models import Booking, BookingStatus, Event
from ..outbox.messages import mailbox, queue_email, queued_message
from .attendance import check_in_booking
from .services import cancel_booking, lock_event, next_in_line


class CancelRefused(ValueError):
    """This booking cannot be cancelled from the bookings page; the message says why."""


def moving_up(booking: Booking) -> list[Booking]:
    """Who on the waiting list would be given (or offered) a place if `booking` were
    cancelled now, first in line first: what `cancel_booking` would do at this moment."""
    if booking.status == BookingStatus.CANCELLED:
        return []
    freed = 1 if booking.status == BookingStatus.CONFIRMED or booking.has_offer else 0
    return next_in_line(booking.event, freed=freed, leaving=booking)


def cancellation_refusal(booking: Booking) -> str | None:
    """Why the bookings page will not cancel this booking, or None if it will."""
    if booking.status == BookingStatus.CANCELLED:
        return f"{booking.name}'s booking is already cancelled."
    if booking.checked_in_at is not None:
        return (f"{booking.name} is checked in, so their booking cannot be cancelled. "
                "Undo the check-in first if they were checked in by mistake.")
    return None


def cancel_from_the_desk(booking: Booking) -> Booking | None:
    """Cancel as `cancel_booking(by_organiser=True)` does (audited, the waiting list
    promoted and everyone emailed), unless the person is checked in or already cancelled
    (CancelRefused). Judged under the event's lock, so a check-in at the door a moment
    earlier is seen. Returns the first person promoted, or None."""
    lock_event(booking.event_id)
    db.session.refresh(booking)
    refusal = cancellation_refusal(booking)
    if refusal is not None:
        raise CancelRefused(refusal)
    return cancel_booking(booking, by_organiser=True)


def check_in_bookings(bookings: list[Booking]) -> tuple[list[Booking], list[Booking]]:
    """Check in each confirmed booking (each audited); return (checked in, passed over).

    Those already checked in keep their first time; waiting and cancelled ones are
    passed over, unchanged.
    """
    checked, passed = [], []
    for booking in bookings:
        if booking.status == BookingStatus.CONFIRMED:
            checked.append(check_in_booking(booking))
        else:
            passed.append(booking)
    return checked, passed


def email_bookings(event: Event, bookings: list[Booking], subject: str, message: str,
                   submission: str) -> int:
    """Queue the organiser's message to each person ticked, and audit it; return how many
    were newly queued.

    One email per booking, through the outbox. The dedupe key holds the form's submission
    value, so pressing Send twice on the same form emails nobody twice. It is bulk mail:
    an address that bounced or complained is not written to.
    """
    new = [booking for booking in bookings
           if queued_message(f"organiser-message:{submission}:{booking.id}") is None]
    for booking in new:
        queue_email(
            kind="organiser_message",
            dedupe_key=f"organiser-message:{submission}:{booking.id}",
            to=mailbox(booking.name, booking.email),
            subject=subject,
            template="organiser_message",
            context={"message": message},
            headers={"Reply-To": event.organiser_email} if event.organiser_email else None,
            event=event,
            booking=booking,
            bulk=True,
        )
    if new:
        references = ", ".join(booking.reference for booking in new)
        audit.record("attendees emailed", event=event,
                     detail=f"“{subject}” to {len(new)}: {references}")
    return len(new)
