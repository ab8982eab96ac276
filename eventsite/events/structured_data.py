"""schema.org Event data for an event page, for search engines and link previews.

Nothing is emitted empty: a property with no value is left out, as schema.org readers
treat "" or [] as a claim rather than as nothing known.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask import current_app

from ..models import AttendanceMode, Event
from ..web.brand import contact_email
from ..web.text import plain_text
from ..web.urls import absolute_url

DESCRIPTION_LENGTH = 300
# A UK postcode (the outward and inward parts), the one address part we can recognise
# with confidence; without one the address stays plain text.
UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)
ATTENDANCE_MODE_URLS = {
    AttendanceMode.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    AttendanceMode.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    AttendanceMode.MIXED: "https://schema.org/MixedEventAttendanceMode",
}


def _location(event: Event, event_url: str) -> dict | list[dict]:
    """The venue, the online place, or both. The online place names the event's page,
    never the joining link: that is for confirmed attendees alone."""
    online = {"@type": "VirtualLocation", "url": event_url}
    if event.attendance_mode == AttendanceMode.ONLINE:
        return online
    if event.attendance_mode == AttendanceMode.MIXED:
        return [_place(event), online]
    return _place(event)


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
        "description": event.summary or plain_text(event.description, DESCRIPTION_LENGTH),
        "startDate": event.local_starts_at.isoformat(),
        "endDate": event.local_ends_at.isoformat(),
        "eventStatus": status,
        "eventAttendanceMode": ATTENDANCE_MODE_URLS.get(
            event.attendance_mode, ATTENDANCE_MODE_URLS[AttendanceMode.IN_PERSON]),
        "url": event_url,
        "image": _image(event),
        "location": _location(event, event_url),
        "performer": [_person(speaker) for speaker in event.speakers],
        "offers": {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": "GBP",
            "availability": availability,
            "url": absolute_url("bookings.book", slug=event.slug),
            "validFrom": _local(event, event.booking_opens_at or event.created_at),
        },
        "organizer": {
            "@type": "Organization",
            "name": current_app.config["SITE_NAME"],
            "url": current_app.config["SITE_URL"] + "/",
            "email": contact_email(event),
        },
    }
    if event.host_conference:
        data["superEvent"] = {"@type": "Event", "name": event.host_conference}
    return _without_empty(data)


def postal_address(address: str) -> dict | str:
    """A schema.org PostalAddress when the address ends in a UK postcode, else the text.

    "Riverside Conference Centre, 1 Quay Street, Manchester M3 3JE": the postcode, the
    town before it (in its own part or the same one) and the rest as the street address.
    """
    parts = [part.strip() for part in re.split(r"[,\n]", address) if part.strip()]
    match = UK_POSTCODE.search(parts[-1]) if parts else None
    if match is None:
        return address.strip()
    postcode = f"{match.group(1)} {match.group(2)}".upper()
    locality = (parts[-1][:match.start()] + parts[-1][match.end():]).strip(" ,")
    street = parts[:-1]
    if not locality and street:
        locality = street.pop()
    if not locality or not street:
        return address.strip()
    return {
        "@type": "PostalAddress",
        "streetAddress": ", ".join(street),
        "addressLocality": locality,
        "postalCode": postcode,
        "addressCountry": "GB",
    }


def _place(event: Event) -> dict:
    return {
        "@type": "Place",
        "name": event.venue or event.address.split(",")[0].strip(),
        "address": postal_address(event.address) if event.address.strip() else None,
    }


def _person(speaker) -> dict:
    return {
        "@type": "Person",
        "name": speaker.name,
        "jobTitle": speaker.role,
        "affiliation": {"@type": "Organization", "name": speaker.organisation},
        "image": _photo_url(speaker),
        "url": absolute_url("speakers.detail", slug=speaker.slug),
    }


def _image(event: Event) -> str | None:
    """The first speaker's photo that there is; events have no image of their own."""
    return next((url for url in map(_photo_url, event.speakers) if url), None)


def _photo_url(speaker) -> str | None:
    if not speaker.photo_filename:
        return None
    return absolute_url("speakers.photo", filename=speaker.photo_filename)


def _local(event: Event, moment: datetime | None) -> str | None:
    return moment.astimezone(event.tz).isoformat() if moment else None


def _without_empty(value):
    """The value with every empty string, list, dict or None left out, all the way down;
    a dict left holding only its @type is dropped too."""
    if isinstance(value, dict):
        kept = {key: _without_empty(item) for key, item in value.items()}
        kept = {key: item for key, item in kept.items() if item not in ("", None, [], {})}
        return {} if set(kept) <= {"@type"} else kept
    if isinstance(value, list):
        return [item for item in map(_without_empty, value) if item not in ("", None, [], {})]
    if isinstance(value, str):
        return value.strip()
    return value
