"""Calendar files (RFC 5545) for events and bookings, built with icalendar."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import icalendar
from flask import current_app

from ..database import utcnow
from ..models import Event
from ..web.urls import absolute_url


def event_uid(event: Event) -> str:
    host = urlsplit(current_app.config["SITE_URL"]).hostname or "eventsite"
    return f"event-{event.id}@{host}"


def event_calendar(event: Event) -> bytes:
    """One VEVENT with a stable UID, so re-downloading updates rather than duplicates.

    It carries the event's public page and never a booking's manage link: calendars are
    shared, synced and published far more freely than email.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//eventsite//fringe events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", utcnow())
    vevent.add("dtstart", event.local_starts_at)
    vevent.add("dtend", event.local_ends_at)
    vevent.add("summary", event.title)
    location = ", ".join(part for part in (event.venue, event.address) if part)
    if location:
        vevent.add("location", location)
    event_url = absolute_url("events.detail", slug=event.slug)
    vevent.add("url", event_url)
    description = [event.summary] if event.summary else []
    description.append(f"Event page: {event_url}")
    vevent.add("description", "\n\n".join(description))
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    calendar.add_component(vevent)
    # Only the rules around the event, so the file stays small.
    calendar.add_missing_timezones(
        first_date=event.starts_at.date() - timedelta(days=366),
        last_date=event.ends_at.date() + timedelta(days=366),
    )
    return calendar.to_ical()
