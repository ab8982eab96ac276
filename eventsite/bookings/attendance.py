"""At the door and on the bookings page: checking people in, and the bookings chart."""
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


def check_in_booking(booking: Booking) -> Booking:
    """Record that the person has arrived. Checking in twice keeps the first time."""
    if booking.status != BookingStatus.CONFIRMED:
        raise CheckInRefused(f"{booking.name} is {booking.status}, not confirmed, so cannot be "
                             "checked in. Move them off the waiting list first.")
    if booking.checked_in_at is None:
        booking.checked_in_at = utcnow()
        db.session.flush()
        audit.record("checked in", booking=booking, detail=booking.reference)
    return booking


def undo_check_in(booking: Booking) -> Booking:
    if booking.checked_in_at is not None:
        booking.checked_in_at = None
        db.session.flush()
        audit.record("check-in undone", booking=booking, detail=booking.reference)
    return booking


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
