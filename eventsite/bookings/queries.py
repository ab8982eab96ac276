"""Reading bookings: counts by status, places left, the organiser's search, the line.

Every count of an event's bookings comes from `counts_by_event`: one SQL COUNT grouped
by event and status.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import Booking, BookingStatus, Event


@dataclass(frozen=True)
class BookingCounts:
    """An event's bookings by status, how many of the confirmed have arrived, and how many
    of the waiting hold an open offer of a place."""

    capacity: int
    confirmed: int = 0
    waiting: int = 0
    cancelled: int = 0
    checked_in: int = 0
    offered: int = 0

    @property
    def taken(self) -> int:
        """Places confirmed or offered: an offer holds its place until it is taken or lapses."""
        return self.confirmed + self.offered

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def live(self) -> int:
        """Confirmed or waiting: everyone who still expects to hear about the event."""
        return self.confirmed + self.waiting

    @property
    def filled_percent(self) -> float:
        if self.capacity <= 0:
            return 100.0 if self.confirmed else 0.0
        return min(100.0, 100.0 * self.confirmed / self.capacity)

    @property
    def checked_in_percent(self) -> float:
        if self.capacity <= 0:
            return 0.0
        return min(100.0, 100.0 * self.checked_in / self.capacity)


def counts_by_event(events: list[Event]) -> dict[int, BookingCounts]:
    """Each event's BookingCounts, by event id, in one query."""
    found: dict[int, dict[str, int]] = {event.id: {} for event in events}
    if found:
        rows = db.session.execute(
            sa.select(Booking.event_id, Booking.status, sa.func.count(),
                      sa.func.count(Booking.checked_in_at),
                      sa.func.count(Booking.offer_expires_at))
            .where(Booking.event_id.in_(found))
            .group_by(Booking.event_id, Booking.status)
        )
        for event_id, status, total, arrived, offered in rows:
            found[event_id][status] = total
            if status == BookingStatus.CONFIRMED:
                found[event_id]["checked_in"] = arrived
            if status == BookingStatus.WAITING:
                found[event_id]["offered"] = offered
    return {event.id: BookingCounts(capacity=event.capacity, **found[event.id])
            for event in events}


CONFIRMED = Booking.status == BookingStatus.CONFIRMED
OPEN_OFFER = sa.and_(Booking.status == BookingStatus.WAITING,
                     Booking.offer_expires_at.is_not(None))  # each holds its place


def counted(condition) -> sa.ScalarSelect:
    """How many of its event's bookings meet the condition (CONFIRMED, OPEN_OFFER), as a
    column to load beside the event."""
    return (sa.select(sa.func.count()).where(Booking.event_id == Event.id, condition)
            .correlate(Event).scalar_subquery())


def booking_counts(event: Event) -> BookingCounts:
    return counts_by_event([event])[event.id]


def places_left(event: Event) -> int:
    return booking_counts(event).places_left


def search_bookings(event: Event, query: str = "", status: str = "") -> list[Booking]:
    """The event's bookings matching a name, email, organisation or reference."""
    statement = sa.select(Booking).where(Booking.event_id == event.id)
    if status in set(BookingStatus):
        statement = statement.where(Booking.status == status)
    query = query.strip()
    if query:
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        statement = statement.where(sa.or_(*(
            sa.func.lower(column).like(pattern, escape="\\")
            for column in (Booking.name, Booking.email, Booking.organisation, Booking.reference)
        )))
    ranks = {status: rank for rank, status in enumerate(BookingStatus)}
    order = sa.case(ranks, value=Booking.status)
    return list(db.session.scalars(statement.order_by(order, Booking.created_at, Booking.id)))


def waiting_list_position(booking: Booking) -> int | None:
    """1 for the first in line; None unless the booking is waiting."""
    if booking.status != BookingStatus.WAITING:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count()).select_from(Booking).where(
            Booking.event_id == booking.event_id,
            Booking.status == BookingStatus.WAITING,
            sa.or_(
                Booking.created_at < booking.created_at,
                sa.and_(Booking.created_at == booking.created_at, Booking.id < booking.id),
            ),
        )
    )
    return ahead + 1


def surname_key(booking: Booking) -> tuple[str, str]:
    """Sort by the last word of the name, then the whole name."""
    words = booking.name.split()
    return ((words[-1] if words else "").casefold(), booking.name.casefold())


def confirmed_by_surname(event: Event) -> list[Booking]:
    """Everyone confirmed, sorted by surname: the sign-in sheet and the door."""
    bookings = db.session.scalars(
        sa.select(Booking).where(Booking.event_id == event.id,
                                 Booking.status == BookingStatus.CONFIRMED)
    ).all()
    return sorted(bookings, key=surname_key)
