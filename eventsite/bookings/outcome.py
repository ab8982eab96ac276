"""What the page after booking may say, and to whom: see docs/SECURITY.md.

A booking this request created is told its outcome ("You have a place", "You are number
3 on the waiting list"), carried to the next page in the submitter's own session. A
repeat (the address already held a live booking) is told exactly what a first booking
made at that moment would have been told, whatever its own booking holds; the email it
is sent again says where it really stands, and the page says so to everyone. So the page
never tells a stranger typing someone else's address anything about that person's
booking, not even that there is one.
"""
from __future__ import annotations

from flask import session

from ..models import BookingStatus, Event
from .queries import booking_counts, waiting_list_position
from .services import BookingRefused, BookingResult, status_for_new_booking

SESSION_KEY = "booking_outcome"


def remember_outcome(slug: str, result: BookingResult | None) -> None:
    """Keep for the thanks page what it may say about this request's booking."""
    outcome = _outcome_to_show(result) if result is not None else None
    if outcome is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = {"slug": slug, **outcome}


def take_outcome(slug: str) -> dict | None:
    """The outcome kept for this event's thanks page, once; None if there is none."""
    outcome = session.pop(SESSION_KEY, None)
    if not isinstance(outcome, dict) or outcome.get("slug") != slug:
        return None
    return outcome


def _outcome_to_show(result: BookingResult) -> dict | None:
    booking = result.booking
    if result.outcome == BookingStatus.CONFIRMED:
        return {"status": "confirmed"}
    if result.outcome == BookingStatus.WAITING:
        return {"status": "waiting", "position": waiting_list_position(booking)}
    return _newcomers_outcome(booking.event)


def _newcomers_outcome(event: Event) -> dict | None:
    """What a first booking made now would be told, by the very rule that would place it."""
    try:
        status = status_for_new_booking(event)
    except BookingRefused:
        return None
    if status == BookingStatus.CONFIRMED:
        return {"status": "confirmed"}
    return {"status": "waiting", "position": booking_counts(event).waiting + 1}
