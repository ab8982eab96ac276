"""The audit log: who exported, sent, cancelled, checked in or edited what, and when."""
from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from .extensions import db
from .models import AuditEntry, Booking, Event

COMMAND_LINE = "command line"


def record(action: str, *, event: Event | None = None, booking: Booking | None = None,
           detail: str = "", actor: str | None = None) -> AuditEntry:
    """Add one audit entry in the caller's transaction, naming the logged-in organiser.

    Outside a request (a `flask` command) the actor is "command line" and there is no
    address. An attendee acting from their manage link is named by `actor` instead (see
    `attendee`). The detail is free text for people; keep attendees' personal data out of it.
    """
    organiser = None
    in_request = has_request_context()
    if actor is None and in_request and current_user.is_authenticated:
        organiser = current_user._get_current_object()
    entry = AuditEntry(
        organiser_id=organiser.id if organiser is not None else None,
        actor=actor or (organiser.email if organiser else ("" if in_request else COMMAND_LINE)),
        action=action,
        event_id=event.id if event is not None else (booking.event_id if booking else None),
        booking_id=booking.id if booking is not None else None,
        detail=detail,
        address=request.remote_addr if in_request else None,
    )
    db.session.add(entry)
    return entry


def attendee(booking: Booking) -> str:
    """The actor of an attendee's own change: their booking reference, which stays
    meaningful after their personal data is erased and names nobody in the log."""
    return f"attendee {booking.reference}"
