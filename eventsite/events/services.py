"""What organisers do to events and their resources. Each service flushes and writes its
audit entry; the caller commits."""
from __future__ import annotations

import hashlib

from werkzeug.datastructures import FileStorage

from .. import audit
from ..bookings.queries import booking_counts
from ..bookings.services import fill_places_from_waiting_list, lock_event
from ..database import utcnow
from ..extensions import db
from ..models import Event, Resource
from ..outbox.schedule import ScheduledMail
from ..web.slugs import slugify, unique_slug
from ..web.text import format_when
from ..web.uploads import save_resource_file
from .change_notices import due_change_notices, note_change, send_change_notice
from .notices import queue_event_cancelled


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
        # A fingerprint, never the link: change emails say only that it changed (the
        # waiting list gets them too), and the facts are kept until the notice goes.
        "Joining link": _fingerprint(event.online_link),
    }


def _fingerprint(link: str) -> str:
    return hashlib.sha256(link.encode()).hexdigest()[:16] if link else ""


class CapacityTooLow(Exception):
    """The capacity asked for is below the places already confirmed; nothing was changed."""

    def __init__(self, confirmed: int):
        super().__init__(f"{confirmed} places are already confirmed; capacity cannot be "
                         "lower. Cancel bookings first.")
        self.message = str(self)
        self.confirmed = confirmed


# What a typo fix may touch: the words of the place, never the time.
TYPO_FIXABLE = ("Venue", "Address")
WORDS = {"When": "time", "How to attend": "way to attend"}


class NotATypoFix(Exception):
    """A "typo fix" that would move the event in calendars; the caller rolls back."""

    def __init__(self, labels: list[str]):
        super().__init__(
            f"A new {' and '.join(WORDS.get(label, label.lower()) for label in labels)} "
            "is not a typo fix: "
            "attendees' calendars must move, so they will be told. Untick “Don't tell "
            "attendees” to save it, or change only the words of the venue or address.")
        self.message = str(self)


def update_event(event: Event, values: dict, *,
                 tell_attendees: bool = True) -> list[tuple[str, str, str]]:
    """Apply an organiser's edit; return what changed about when and where.

    Takes the event's lock first (`lock_event`, as a booking does), so a lower capacity
    is judged against the confirmed count at that moment: below it, CapacityTooLow is
    raised and nothing changes. Confirmed places never exceed the capacity, whatever the
    concurrency. A change of time or place (attendance mode and joining link included)
    raises the event's sequence and is noted for
    people with a live booking: they are told CHANGE_NOTICE_DELAY_SECONDS after the last
    such edit, in one email with the net change (`change_notices`), the confirmed with a
    new calendar invitation. With `tell_attendees` False (a typo fix) a change of the
    venue's or address's words is saved untold and the sequence stays; any other change
    of time or place raises NotATypoFix. A higher capacity moves people off the waiting
    list straight away.
    """
    event = lock_event(event.id)
    if "capacity" in values and values["capacity"] < event.capacity:
        confirmed = booking_counts(event).taken  # open offers hold their places
        if values["capacity"] < confirmed:
            raise CapacityTooLow(confirmed)
    before = _when_where(event)
    old_capacity = event.capacity
    changed = [name for name, value in values.items() if getattr(event, name) != value]
    for name, value in values.items():
        setattr(event, name, value)
    db.session.flush()
    after = _when_where(event)
    changes = [(label, before[label], after[label]) for label in before
               if before[label] != after[label]]
    moved = [label for label, _, _ in changes if label not in TYPO_FIXABLE]
    if moved and not tell_attendees:
        raise NotATypoFix(moved)
    if changes and tell_attendees:
        event.sequence += 1  # calendars take the new invitation over the old (RFC 5546)
        db.session.flush()
        if not event.is_cancelled:
            note_change(event, before)
    if event.capacity > old_capacity:
        fill_places_from_waiting_list(event)
    if changed:
        untold = " (a typo fix: attendees not told)" if changes and not tell_attendees else ""
        audit.record("event edited", event=event,
                     detail="Changed: " + ", ".join(sorted(changed)) + untold)
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


# The worker tells attendees of each burst of edits once it has ended.
CHANGE_NOTICES = ScheduledMail("change notices", find_due=due_change_notices,
                               queue=lambda due: send_change_notice(due, _when_where))
