"""Places offered from the waiting list: taken in time, or passed on.

An event with `offer_hours` does not give a freed place straight away: the first in line
is offered it until a deadline (that many hours, never beyond the start), and the place
counts as taken meanwhile (`BookingCounts.taken`), so nobody else can book it. The person
confirms on their booking page (`accept_offer`). An offer not taken in time lapses: the
outbox worker looks for lapsed offers on every pass (a scheduled job, `OFFERS`), cancels
each such booking, tells its holder, and offers the place to the next in line, all under
the event's lock in one transaction. Nothing is offered once the event has started.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..database import utcnow
from ..extensions import db
from ..models import Booking, BookingStatus
from ..outbox.schedule import ScheduledMail
from .notices import queue_offer_lapsed_notice
from .services import (
    BookingRefused,
    confirm_from_waiting_list,
    free_place,
    lock_event,
)


def accept_offer(booking: Booking) -> Booking:
    """Take the place offered: the booking is confirmed and gets the promotion email with
    its calendar invitation. The place was held for it, so capacity is never exceeded.

    Raises BookingRefused if there is no open offer (taken already, lapsed, or never
    made), or the event is cancelled or has started.
    """
    event = lock_event(booking.event_id)
    db.session.refresh(booking)
    if booking.status == BookingStatus.CONFIRMED:
        raise BookingRefused("You already have a confirmed place.", "no_offer")
    if event.is_cancelled:
        raise BookingRefused("This event has been cancelled.", "cancelled")
    if not booking.has_offer or booking.offer_expires_at <= utcnow() or event.has_started():
        raise BookingRefused("This offer has lapsed, so the place has passed to the next "
                             "person on the waiting list.", "no_offer")
    confirm_from_waiting_list(booking)
    db.session.flush()
    return booking


def lapsed_offers(now: datetime) -> list[Booking]:
    """Waiting bookings whose offer ran out by `now`, oldest deadline first."""
    return list(db.session.scalars(
        sa.select(Booking).where(Booking.status == BookingStatus.WAITING,
                                 Booking.offer_expires_at <= now)
        .order_by(Booking.offer_expires_at, Booking.id)
    ))


def pass_on_lapsed_offer(booking: Booking) -> int:
    """Cancel a booking whose offer lapsed, tell them, and offer the place to the next in
    line (unless the event has started); returns the emails queued. Under the event's
    lock: an offer taken meanwhile, or already passed on by another worker, is left alone.
    """
    event = lock_event(booking.event_id)
    db.session.refresh(booking)
    if not booking.has_offer or booking.offer_expires_at > utcnow():
        return 0
    if event.is_cancelled:  # everyone has been told already; nothing to pass on
        booking.offer_expires_at = None
        db.session.flush()
        return 0
    return 1 + len(free_place(event, booking, queue_offer_lapsed_notice))


OFFERS = ScheduledMail("waiting-list offers", find_due=lapsed_offers,
                       queue=pass_on_lapsed_offer)
