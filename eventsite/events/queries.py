"""Loading events as the public site shows them."""
from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from ..bookings.queries import CONFIRMED, OPEN_OFFER, BookingCounts, counted
from ..database import utcnow
from ..extensions import db
from ..models import Event, EventSpeaker
from ..web.loaders import published_event_query


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
    """The published event with this slug, or 404."""
    event = db.session.scalar(published_event_query(slug))
    if event is None:
        abort(404)
    return event


@cache
def _event_page_statement() -> sa.Select:
    # Built once (it is the same for every slug): building it costs more than running it.
    return (
        published_event_query(sa.bindparam("slug"))
        .add_columns(counted(CONFIRMED), counted(OPEN_OFFER))
        .options(joinedload(Event.speaker_links).joinedload(EventSpeaker.speaker))
    )


def get_event_page(slug: str) -> tuple[Event, BookingCounts]:
    """The published event with its programme (speakers) and its confirmed bookings and
    open offers counted, in one query; or 404. Its resources load when asked for."""
    found = db.session.execute(_event_page_statement(), {"slug": slug}).unique().first()
    if found is None:
        abort(404)
    event, confirmed, offered = found
    return event, BookingCounts(capacity=event.capacity, confirmed=confirmed, offered=offered)
