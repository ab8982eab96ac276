"""Bookings as the organiser sees them: counts, search, check-in at the door, charts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from .. import audit
from ..database import utcnow
from ..extensions import db
from ..models import Booking, BookingStatus, Event

CHART_WIDTH, CHART_HEIGHT = 600, 200
CHART_PAD_LEFT, CHART_PAD_BOTTOM, CHART_PAD_TOP = 40, 28, 12


class CheckInRefused(ValueError):
    """Only a confirmed booking can be checked in; the message says why not."""


@dataclass(frozen=True)
class BookingCounts:
    confirmed: int
    waiting: int
    cancelled: int
    checked_in: int
    capacity: int

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)

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


def booking_counts(event: Event) -> BookingCounts:
    """Bookings by status and how many have arrived, in one query."""
    rows = db.session.execute(
        sa.select(Booking.status, sa.func.count(), sa.func.count(Booking.checked_in_at))
        .where(Booking.event_id == event.id)
        .group_by(Booking.status)
    ).all()
    by_status = {status: (total, arrived) for status, total, arrived in rows}
    confirmed, checked_in = by_status.get(BookingStatus.CONFIRMED.value, (0, 0))
    return BookingCounts(
        confirmed=confirmed,
        waiting=by_status.get(BookingStatus.WAITING.value, (0, 0))[0],
        cancelled=by_status.get(BookingStatus.CANCELLED.value, (0, 0))[0],
        checked_in=checked_in,
        capacity=event.capacity,
    )


def search_bookings(event: Event, query: str = "", status: str = "") -> list[Booking]:
    """The event's bookings matching a name, email, organisation or reference."""
    statement = sa.select(Booking).where(Booking.event_id == event.id)
    if status in {s.value for s in BookingStatus}:
        statement = statement.where(Booking.status == status)
    query = query.strip()
    if query:
        pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(sa.or_(*(
            sa.func.lower(column).like(pattern, escape="\\")
            for column in (Booking.name, Booking.email, Booking.organisation, Booking.reference)
        )))
    order = sa.case({"confirmed": 0, "waiting": 1, "cancelled": 2}, value=Booking.status)
    return list(db.session.scalars(statement.order_by(order, Booking.created_at, Booking.id)))


def get_booking(event: Event, booking_id: int) -> Booking | None:
    booking = db.session.get(Booking, booking_id)
    return booking if booking is not None and booking.event_id == event.id else None


def check_in_booking(booking: Booking) -> None:
    """Record that the person has arrived. Checking in twice keeps the first time."""
    if booking.status != BookingStatus.CONFIRMED.value:
        raise CheckInRefused(f"{booking.name} is {booking.status}, not confirmed, so cannot be "
                             "checked in. Move them off the waiting list first.")
    if booking.checked_in_at is None:
        booking.checked_in_at = utcnow()
        db.session.flush()
        audit.record("checked in", booking=booking, detail=booking.reference)


def undo_check_in(booking: Booking) -> None:
    if booking.checked_in_at is not None:
        booking.checked_in_at = None
        db.session.flush()
        audit.record("check-in undone", booking=booking, detail=booking.reference)


def surname_key(booking: Booking) -> tuple[str, str]:
    """Sort by the last word of the name, then the whole name."""
    words = booking.name.split()
    return ((words[-1] if words else "").casefold(), booking.name.casefold())


def sign_in_sheet(event: Event) -> list[Booking]:
    """Everyone confirmed, sorted by surname, for the printed sheet at the door."""
    bookings = db.session.scalars(
        sa.select(Booking).where(Booking.event_id == event.id,
                                 Booking.status == BookingStatus.CONFIRMED.value)
    ).all()
    return sorted(bookings, key=surname_key)


@dataclass(frozen=True)
class Chart:
    """Bookings made over time, as points ready for an SVG polyline."""

    points: str
    capacity_y: float | None
    first_day: date | None
    last_day: date | None
    total: int
    top: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_PAD_LEFT
    bottom: int = CHART_HEIGHT - CHART_PAD_BOTTOM
    top_y: int = CHART_PAD_TOP


def bookings_chart(event: Event) -> Chart:
    """Running total of bookings made (any status) per day, in the event's timezone."""
    zone = event.tz
    per_day = Counter(
        created.astimezone(zone).date()
        for created in db.session.scalars(
            sa.select(Booking.created_at).where(Booking.event_id == event.id)
            .execution_options(yield_per=1000)
        )
    )
    if not per_day:
        return Chart("", None, None, None, 0, event.capacity)
    first = min(per_day)
    last = max(max(per_day), min(utcnow().astimezone(zone).date(), event.local_starts_at.date()))
    days = (last - first).days or 1
    top = max(sum(per_day.values()), event.capacity, 1)
    plot_width = CHART_WIDTH - CHART_PAD_LEFT - 10
    plot_height = CHART_HEIGHT - CHART_PAD_BOTTOM - CHART_PAD_TOP
    bottom = CHART_HEIGHT - CHART_PAD_BOTTOM

    def y(value: int) -> float:
        return round(bottom - plot_height * value / top, 1)

    running, points = 0, [f"{CHART_PAD_LEFT},{bottom}"]
    for offset in range(days + 1):
        running += per_day.get(first + timedelta(days=offset), 0)
        x = round(CHART_PAD_LEFT + plot_width * offset / days, 1)
        points.append(f"{x},{y(running)}")
    capacity_y = y(event.capacity) if event.capacity else None
    return Chart(" ".join(points), capacity_y, first, last, running, top)
