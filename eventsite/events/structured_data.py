"""schema.org Event data for an event page, for search engines and link previews."""
from __future__ import annotations

from ..models import AttendanceMode, Event
from ..web.urls import absolute_url

ATTENDANCE_MODE_URLS = {
    AttendanceMode.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    AttendanceMode.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    AttendanceMode.MIXED: "https://schema.org/MixedEventAttendanceMode",
}


def _location(event: Event, event_url: str) -> dict | list[dict]:
    """The venue, the online place, or both. The online place names the event's page,
    never the joining link: that is for confirmed attendees alone."""
    place = {"@type": "Place", "name": event.venue, "address": event.address}
    online = {"@type": "VirtualLocation", "url": event_url}
    if event.attendance_mode == AttendanceMode.ONLINE:
        return online
    if event.attendance_mode == AttendanceMode.MIXED:
        return [place, online]
    return place


def structured_data(event: Event, left: int) -> dict:
    """schema.org Event, for search engines and link previews."""
    if event.is_cancelled:
        status = "https://schema.org/EventCancelled"
    else:
        status = "https://schema.org/EventScheduled"
    availability = "https://schema.org/InStock" if left > 0 else "https://schema.org/SoldOut"
    event_url = absolute_url("events.detail", slug=event.slug)
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "startDate": event.local_starts_at.isoformat(),
        "endDate": event.local_ends_at.isoformat(),
        "eventStatus": status,
        "eventAttendanceMode": ATTENDANCE_MODE_URLS.get(
            event.attendance_mode, ATTENDANCE_MODE_URLS[AttendanceMode.IN_PERSON]),
        "url": event_url,
        "location": _location(event, event_url),
        "performer": [
            {
                "@type": "Person",
                "name": speaker.name,
                "jobTitle": speaker.role,
                "affiliation": {"@type": "Organization", "name": speaker.organisation},
                "url": absolute_url("speakers.detail", slug=speaker.slug),
            }
            for speaker in event.speakers
        ],
        "offers": {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": "GBP",
            "availability": availability,
            "url": absolute_url("bookings.book", slug=event.slug),
        },
    }
    if event.host_conference:
        data["superEvent"] = {"@type": "Event", "name": event.host_conference}
        data["organizer"] = {"@type": "Organization", "name": event.host_conference}
    if event.organiser_email:
        data.setdefault("organizer", {"@type": "Organization", "name": event.title})
        data["organizer"]["email"] = event.organiser_email
    return data
