"""Reading a list page's query string: which page, and which event to filter by."""
from __future__ import annotations

import sqlalchemy as sa
from flask import request

from ..extensions import db
from ..models import Event

LAST_PAGE = 10_000  # beyond any real list; keeps OFFSET within what databases accept


def requested_page() -> int:
    """?page=N as a whole number from 1 to LAST_PAGE; anything else is page 1."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), LAST_PAGE)


def requested_event() -> tuple[str, Event | None]:
    """?event=<slug>: the slug as given (shown back in the filter) and its event, if any."""
    slug = request.args.get("event", "")[:120]
    if not slug:
        return slug, None
    return slug, db.session.scalar(sa.select(Event).where(Event.slug == slug))
