"""Loading events as the public site shows them."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from ..database import utcnow
from ..extensions import db
from ..models import Event, EventSpeaker


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
