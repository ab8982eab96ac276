"""Calendar files (RFC 5545) for events, and iMIP invitations (RFC 5546, RFC 6047) for
bookings, built with icalendar. docs/CALENDAR.md says what calendars do with each."""
from __future__ import annotations

from datetime import timedelta

import icalendar

from ..database import utcnow
from ..models import Booking, BookingStatus, Event
from ..outbox.delivery import CalendarInvitation, sender
from ..web.urls import absolute_url, site_host
from .online import join_link_for

REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"
FEED_REFRESH = timedelta(hours=1)


def event_uid(event: Event) -> str:
    return f"event-{event.id}@{site_host()}"


def booking_uid(booking: Booking) -> str:
    """The UID of one attendee's invitation: the same in every REQUEST and CANCEL. Drawn
    with the booking (`Booking.calendar_uid`); a booking made before that keeps the UID its
    invitations have always had, which carries its id."""
    own = booking.calendar_uid or f"event-{booking.event_id}-booking-{booking.id}"
    return f"{own}@{site_host()}"


def event_calendar(event: Event) -> bytes:
    """One VEVENT with a stable UID, so re-downloading updates rather than duplicates.

    It carries the event's public page and never a booking's manage link, nor an online
    event's joining link: calendars are shared, synced and published far more freely than
    email.
    """
    return _calendar(event, PUBLISH, event_uid(event)).to_ical()


def booking_invitation(booking: Booking, method: str = REQUEST, *,
                       sequence: int | None = None) -> CalendarInvitation:
    """The attendee's iMIP invitation (REQUEST) or its withdrawal (CANCEL).

    ORGANIZER is the address the email comes from (MAIL_DEFAULT_SENDER), as iMIP
    requires; the attendee has accepted already, so no reply is asked for. SEQUENCE is
    the event's unless `sequence` says otherwise. From JOIN_LINK_HOURS before the start a
    confirmed attendee's invitation carries the joining link as its URL and in its
    LOCATION (`online.join_link_for`); earlier ones carry the event's page, and the
    reminder's invitation, the same SEQUENCE with a later DTSTAMP, brings the link.
    """
    event = booking.event
    join_link = join_link_for(booking) if method == REQUEST else None
    calendar = _calendar(event, method, booking_uid(booking), join_link=join_link)
    vevent = calendar.walk("VEVENT")[0]
    vevent.add("sequence", event.sequence if sequence is None else sequence)
    name, address = sender()
    vevent.add("organizer", icalendar.vCalAddress(f"mailto:{address}"),
               parameters={"CN": name})
    vevent.add("attendee", icalendar.vCalAddress(f"mailto:{booking.email}"), parameters={
        "CN": booking.name, "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED",
        "RSVP": "FALSE",
    })
    if method == CANCEL:
        vevent["status"] = icalendar.vText("CANCELLED")
    return CalendarInvitation(method, calendar.to_ical())


def booking_feed(booking: Booking) -> bytes:
    """The booking's personal calendar feed: its invitation as it stands, published
    (METHOD:PUBLISH) with the invitation's UID and the SEQUENCE its latest email carried,
    STATUS:CANCELLED once the booking or the event is cancelled. It names no one: no
    ORGANIZER to reply to, no ATTENDEE (calendars are shared more freely than email)."""
    event = booking.event
    cancelled = booking.status == BookingStatus.CANCELLED
    calendar = _calendar(event, PUBLISH, booking_uid(booking))
    calendar.add("x-wr-calname", event.title)
    # Ask subscribing apps to look again hourly (RFC 7986; Outlook's older name).
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    vevent = calendar.walk("VEVENT")[0]
    vevent.add("sequence", event.sequence + 1 if cancelled else event.sequence)
    if cancelled:
        vevent["status"] = icalendar.vText("CANCELLED")
    return calendar.to_ical()


def _calendar(event: Event, method: str, uid: str, *,
              join_link: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//eventsite//fringe events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    vevent = icalendar.Event()
    vevent.add("uid", uid)
    vevent.add("dtstamp", utcnow())
    vevent.add("dtstart", event.local_starts_at)
    vevent.add("dtend", event.local_ends_at)
    vevent.add("summary", event.title)
    location = _location(event, join_link)
    if location:
        vevent.add("location", location)
    event_url = absolute_url("events.detail", slug=event.slug)
    vevent.add("url", join_link or event_url)
    description = [event.summary] if event.summary else []
    if join_link:
        description.append(f"Join online: {join_link}")
    description.append(f"Event page: {event_url}")
    vevent.add("description", "\n\n".join(description))
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    calendar.add_component(vevent)
    # Only the rules around the event, so the file stays small.
    calendar.add_missing_timezones(
        first_date=event.starts_at.date() - timedelta(days=366),
        last_date=event.ends_at.date() + timedelta(days=366),
    )
    return calendar


def _location(event: Event, join_link: str | None) -> str:
    """The venue and address; for an online event the joining link when given, else
    'Online'."""
    place = ", ".join(part for part in (event.venue, event.address) if part)
    if not event.is_online:
        return place
    online = join_link or "Online"
    if not event.has_venue or not place:
        return online
    return f"{place}; or online: {online}" if join_link else f"{place}, and online"
