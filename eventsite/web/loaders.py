"""Finding what an organiser's URL names, or answering 404."""
from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa

from ..extensions import db
from ..models import Event

Item = TypeVar("Item")


def event_or_404(slug: str) -> Event:
    """Any event with this slug, published or not (organisers see drafts); else 404."""
    return db.first_or_404(sa.select(Event).where(Event.slug == slug))


def published_event_query(slug: str | sa.BindParameter) -> sa.Select:
    """The published event with this slug, as the public pages and the booking form find
    it (an unpublished one is not there at all)."""
    return sa.select(Event).where(Event.slug == slug, Event.published.is_(True))


def event_item_or_404(model: type[Item], item_id: int, event: Event) -> Item:
    """The booking, resource or follow-up with this id, if it belongs to the event; else
    404, so that no URL reaches another event's rows by changing the slug."""
    return db.one_or_404(sa.select(model).where(model.id == item_id,
                                                model.event_id == event.id))
