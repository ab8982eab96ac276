"""Public event pages: the list, one event, its calendar file, and the health check."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, render_template, url_for

from ..calendar import event_calendar, site_url
from ..extensions import db
from ..models import Event
from .queries import confirmed_counts, get_published_event, places_left, published_events

bp = Blueprint("events", __name__)


@bp.get("/")
def index():
    upcoming, past = published_events()
    counts = confirmed_counts([event.id for event in upcoming])
    left = {event.id: max(event.capacity - counts.get(event.id, 0), 0) for event in upcoming}
    return render_template("events/index.html", upcoming=upcoming, past=past, places_left=left)


@bp.get("/events/<slug:slug>")
def detail(slug: str):
    event = get_published_event(slug)
    left = places_left(event)
    resources = [r for r in event.resources if r.published] if event.has_started() else []
    return render_template(
        "events/detail.html",
        event=event,
        places_left=left,
        resources=resources,
        structured_data=structured_data(event, left),
    )


@bp.get("/events/<slug:slug>.ics")
def calendar_file(slug: str):
    event = get_published_event(slug)
    return Response(
        event_calendar(event),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )


@bp.get("/healthz")
def healthz():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}


def structured_data(event: Event, left: int) -> dict:
    """schema.org Event, for search engines and link previews."""
    if event.is_cancelled:
        status = "https://schema.org/EventCancelled"
    else:
        status = "https://schema.org/EventScheduled"
    availability = "https://schema.org/InStock" if left > 0 else "https://schema.org/SoldOut"
    event_url = site_url(url_for("events.detail", slug=event.slug))
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "startDate": event.local_starts_at.isoformat(),
        "endDate": event.local_ends_at.isoformat(),
        "eventStatus": status,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": event_url,
        "location": {
            "@type": "Place",
            "name": event.venue,
            "address": event.address,
        },
        "performer": [
            {
                "@type": "Person",
                "name": speaker.name,
                "jobTitle": speaker.role,
                "affiliation": {"@type": "Organization", "name": speaker.organisation},
                "url": site_url(url_for("speakers.detail", slug=speaker.slug)),
            }
            for speaker in event.speakers
        ],
        "offers": {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": "GBP",
            "availability": availability,
            "url": site_url(f"/events/{event.slug}/book"),
        },
    }
    if event.host_conference:
        data["superEvent"] = {"@type": "Event", "name": event.host_conference}
        data["organizer"] = {"@type": "Organization", "name": event.host_conference}
    if event.organiser_email:
        data.setdefault("organizer", {"@type": "Organization", "name": event.title})
        data["organizer"]["email"] = event.organiser_email
    return data
