"""What organisers do to events and their resources. Each service flushes and writes its
audit entry; the caller commits."""
from __future__ import annotations

from werkzeug.datastructures import FileStorage

from .. import audit
from ..bookings.queries import booking_counts
from ..bookings.services import fill_places_from_waiting_list, lock_event
from ..database import utcnow
from ..extensions import db
from ..models import Event, Resource
from ..web.slugs import slugify, unique_slug
from ..web.text import format_when
from ..web.uploads import save_resource_file
from .notices import queue_event_cancelled, queue_event_changed


def create_event(values: dict) -> Event:
    """A new event; its slug comes from the title when none is given."""
    values = dict(values)
    values["slug"] = values.get("slug") or unique_slug(Event, slugify(values["title"], "event"))
    event = Event(**values)
    db.session.add(event)
    db.session.flush()
    audit.record("event created", event=event, detail=event.title)
    return event


def _when_where(event: Event) -> dict[str, str]:
    return {
        "When": format_when(event.local_starts_at, event.local_ends_at),
        "Venue": event.venue,
        "Address": event.address,
        "How to attend": event.attendance_label,
    }


def _join_link_change(old_link: str, event: Event) -> list[tuple[str, str, str]]:
    """A change of joining link, told without the link itself: the notice also reaches the
    waiting list, and confirmed attendees find the new link where they found the old."""
    if old_link == event.online_link:
        return []
    return [("Joining link", "the earlier link" if old_link else "none yet",
             "a new link, on your booking page" if event.online_link else "none")]


class CapacityTooLow(Exception):
    """The capacity asked for is below the places already confirmed; nothing was changed."""

    def __init__(self, confirmed: int):
        super().__init__(f"{confirmed} places are already confirmed; capacity cannot be "
                         "lower. Cancel bookings first.")
        self.message = str(self)
        self.confirmed = confirmed


def update_event(event: Event, values: dict) -> list[tuple[str, str, str]]:
    """Apply an organiser's edit; return what changed about when and where.

    Takes the event's lock first (`lock_event`, as a booking does), so a lower capacity
    is judged against the confirmed count at that moment: below it, CapacityTooLow is
    raised and nothing changes. Confirmed places never exceed the capacity, whatever the
    concurrency. A change of time, place, attendance mode or joining link raises the
    event's sequence, and people with a live booking are told of it through the outbox
    (once per change, however often it is submitted), the confirmed with a new calendar
    invitation. A higher capacity moves
    people off the waiting list straight away.
    """
    event = lock_event(event.id)
    if "capacity" in values and values["capacity"] < event.capacity:
        confirmed = booking_counts(event).taken
        if values["capacity"] < confirmed:
            raise CapacityTooLow(confirmed)
    before = _when_where(event)
    old_link = event.online_link
    old_capacity = event.capacity
    changed = [name for name, value in values.items() if getattr(event, name) != value]
    for name, value in values.items():
        setattr(event, name, value)
    db.session.flush()
    after = _when_where(event)
    changes = [(label, before[label], after[label]) for label in before
               if before[label] != after[label]] + _join_link_change(old_link, event)
    if changes:
        event.sequence += 1  # calendars take the new invitation over the old (RFC 5546)
        db.session.flush()
    if changes and not event.is_cancelled:
        told = queue_event_changed(event, changes)
        if told:
            audit.record("event change notices queued", event=event,
                         detail=f"{told} people told: {', '.join(c[0] for c in changes)}")
    if event.capacity > old_capacity:
        fill_places_from_waiting_list(event)
    if changed:
        audit.record("event edited", event=event, detail="Changed: " + ", ".join(sorted(changed)))
    return changes


def set_event_published(event: Event, published: bool) -> None:
    if event.published != published:
        event.published = published
        db.session.flush()
        audit.record("event published" if published else "event unpublished", event=event)


def cancel_event(event: Event) -> int:
    """Mark the event cancelled and tell everyone confirmed or waiting; return how many.

    Cancelling twice changes nothing and sends nothing more.
    """
    if event.is_cancelled:
        return 0
    event.cancelled_at = utcnow()
    event.sequence += 1
    db.session.flush()
    told = queue_event_cancelled(event)
    audit.record("event cancelled", event=event, detail=f"{told} people told")
    return told


def add_resource(event: Event, title: str, url: str | None, upload: FileStorage | None,
                 published: bool) -> Resource:
    """A link, or a file (checked and stored first: UploadRefused saves nothing)."""
    stored = None if url else save_resource_file(upload)
    resource = Resource(event=event, title=title.strip(), published=published,
                        position=len(event.resources))
    if stored is None:
        resource.url = url.strip()
    else:
        resource.filename, resource.stored_name = stored.filename, stored.stored_name
        resource.content_type, resource.size = stored.content_type, stored.size
    db.session.add(resource)
    db.session.flush()
    audit.record("resource added", event=event, detail=resource.title)
    return resource


def set_resource_published(resource: Resource, published: bool) -> None:
    if resource.published != published:
        resource.published = published
        db.session.flush()
        audit.record("resource published" if published else "resource unpublished",
                     event=resource.event, detail=resource.title)


def delete_resource(resource: Resource) -> str | None:
    """Remove the resource; returns its stored file's name, to delete once committed."""
    stored_name = resource.stored_name
    db.session.delete(resource)
    db.session.flush()
    audit.record("resource deleted", event=resource.event, detail=resource.title)
    return stored_name
