"""Add to calendar anywhere: Google Calendar and Outlook links, the .ics for Apple
Calendar and the rest, and each confirmed booking's personal calendar feed.

The feed is a URL a calendar app subscribes to and fetches again now and then, so it
always holds the booking's invitation as it stands (docs/CALENDAR.md). Its token is the
booking's id signed with SECRET_KEY (itsdangerous, its own salt), as the unsubscribe
link is: the manage page can show it on every visit, it needs nothing stored, and it
keeps working after the outbox has forgotten the emails' private links. It stops
working when the booking's personal data is anonymised or erased, or SECRET_KEY changes
(docs/SECURITY.md).
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..extensions import db
from ..models import Booking, Event
from ..web.urls import absolute_url

FEED_SALT = "calendar-feed"
GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/action/compose"
READABLE = "/:"  # left as they are in the links' values, which stay valid and readable


def add_to_calendar_links(event: Event, ics_url: str | None = None) -> list[tuple[str, str]]:
    """(label, absolute URL) for Google Calendar, Outlook and the .ics (the event's
    public file unless another is given): each adds a copy that does not follow changes."""
    details, location = _details(event), _location(event)
    google = GOOGLE + "?" + urlencode({
        "action": "TEMPLATE", "text": event.title,
        "dates": f"{_google_time(event.starts_at)}/{_google_time(event.ends_at)}",
        "details": details, "location": location,
    }, safe=READABLE)
    outlook = OUTLOOK + "?" + urlencode({
        "subject": event.title, "startdt": _iso_utc(event.starts_at),
        "enddt": _iso_utc(event.ends_at), "body": details, "location": location,
    }, safe=READABLE)
    ics = ics_url or absolute_url("events.calendar_file", slug=event.slug)
    return [("Google Calendar", google), ("Outlook", outlook), ("Apple / other (.ics)", ics)]


def _google_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _details(event: Event) -> str:
    page = absolute_url("events.detail", slug=event.slug)
    return "\n\n".join(part for part in (event.summary, f"Event page: {page}") if part)


def _location(event: Event) -> str:
    return ", ".join(part for part in (event.venue, event.address) if part)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FEED_SALT)


def feed_token(booking: Booking) -> str:
    return _serializer().dumps(booking.id)


def feed_urls(booking: Booking) -> dict[str, str]:
    """The booking's personal feed: {"https": ..., "webcal": ...} (the same address, for
    apps that subscribe when a webcal:// link is opened)."""
    url = absolute_url("calendar_feed.feed", token=feed_token(booking))
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def booking_for_feed(token: str) -> Booking | None:
    """The booking a genuine feed token was made for, if its data is still held and it
    ever had a place (so an invitation); None for anything else."""
    try:
        booking_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(booking_id, int) or isinstance(booking_id, bool):
        return None
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.anonymised_at is not None or booking.confirmed_at is None:
        return None
    return booking
