"""A confirmed attendee's personal calendar feed.

/calendar/<token>.ics     the booking's invitation as it stands (METHOD:PUBLISH)

The token is signed, not stored (`calendar_links.feed_token`); a token that is not
genuine, or whose booking is gone, anonymised or never had a place, is a plain 404.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort

from .calendar import booking_feed
from .calendar_links import booking_for_feed
from .pages import private

bp = Blueprint("calendar_feed", __name__)


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    booking = booking_for_feed(token)
    if booking is None:
        abort(private(Response("No such calendar.\n", 404, content_type="text/plain")))
    return private(Response(
        booking_feed(booking),
        content_type="text/calendar; method=PUBLISH; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{booking.event.slug}.ics"'},
    ))
