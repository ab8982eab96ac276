"""The joining link of an online or hybrid event: who sees it, and from when.

The link is a credential: whoever holds it can join. It is never on a public page, the
public calendar file or the schema.org data; a confirmed attendee gets it on their booking
page, in their reminder and in their calendar invitation, from JOIN_LINK_HOURS before the
start until the event ends. Nobody else does: not the waiting list, not a cancelled
booking, not anyone once the event is cancelled.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from ..database import utcnow
from ..models import Booking, BookingStatus, Event


def join_link_opens_at(event: Event) -> datetime:
    """From when confirmed attendees see the joining link."""
    return event.starts_at - timedelta(hours=current_app.config["JOIN_LINK_HOURS"])


def join_link_for(booking: Booking, now: datetime | None = None) -> str | None:
    """The joining link, if this booking may have it at this moment; else None."""
    event = booking.event
    now = now or utcnow()
    if (booking.status != BookingStatus.CONFIRMED or not event.is_online
            or not event.online_link or event.is_cancelled or event.has_ended(now)):
        return None
    return event.online_link if now >= join_link_opens_at(event) else None


def join_link_note(booking: Booking, now: datetime | None = None) -> dict:
    """What a confirmed attendee of an online event is told about joining, for templates:
    the link (when it may be had), else when it will appear."""
    event = booking.event
    now = now or utcnow()
    return {
        "join_link": join_link_for(booking, now),
        "join_link_opens": join_link_opens_at(event).astimezone(event.tz),
        "join_link_open": now >= join_link_opens_at(event),
    }
