"""Loading events as the public site shows them."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from ..database import utcnow
from ..extensions import db
from ..models import Booking, BookingStatus, Event, EventSpeaker


def confirmed_counts(event_ids: list[int]) -> dict[int, int]:
    """Confirmed bookings per event, in one query."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        sa.select(Booking.event_id, sa.func.count())
        .where(Booking.event_id.in_(event_ids), Booking.status == BookingStatus.CONFIRMED.value)
        .group_by(Booking.event_id)
    )
    return dict(rows.all())


def confirmed_count(event_id: int) -> int:
    """Confirmed bookings of one event."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Booking)
        .where(Booking.event_id == event_id, Booking.status == BookingStatus.CONFIRMED.value)
    )


def places_left(event: Event) -> int:
    return max(event.capacity - confirmed_count(event.id), 0)


def published_events() -> tuple[list[Event], list[Event]]:
    """Published events: upcoming soonest first, then past most recent first."""
    events = db.session.scalars(
        sa.select(Event).where(Event.published.is_(True)).order_by(Event.starts_at)
    ).all()
    now = utcnow()
    upcoming = [event for event in events if not event.has_ended(now)]
    past = [event for event in events if event.has_ended(now)]
    past.reverse()
    return upcoming, past


def get_published_event(slug: str) -> Event:
    """The published event with this slug, its speakers and resources loaded, or 404."""
    event = db.session.scalar(
        sa.select(Event)
        .where(Event.slug == slug, Event.published.is_(True))
        .options(
            selectinload(Event.speaker_links).selectinload(EventSpeaker.speaker),
            selectinload(Event.resources),
        )
    )
    if event is None:
        abort(404)
    return event
