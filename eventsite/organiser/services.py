"""What organisers do to events and speakers. Each service flushes; the caller commits."""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from flask import abort
from werkzeug.datastructures import FileStorage

from .. import audit
from ..bookings.services import fill_places_from_waiting_list
from ..database import utcnow
from ..events.emails import people_to_tell, queue_event_cancelled, queue_event_changed
from ..extensions import db
from ..models import Event, EventSpeaker, Speaker
from ..text import format_when
from ..uploads import save_speaker_photo

SLUG_MAX = 80


def slugify(text: str, fallback: str) -> str:
    """Lower-case ASCII words joined by single hyphens: "Café & Co" -> "cafe-co"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or fallback


def slug_taken(model, slug: str, exclude_id: int | None = None) -> bool:
    query = sa.select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def unique_slug(model, base: str, exclude_id: int | None = None) -> str:
    """base, or base-2, base-3 … whichever no other row of `model` uses."""
    slug, n = base, 1
    while slug_taken(model, slug, exclude_id):
        n += 1
        slug = f"{base[:SLUG_MAX - len(str(n)) - 1]}-{n}"
    return slug


def get_event(slug: str) -> Event:
    """Any event (published or not) by slug, or 404."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    return event


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
    }


def update_event(event: Event, values: dict) -> list[tuple[str, str, str]]:
    """Apply an organiser's edit; return what changed about when and where.

    People with a live booking are told of a change of time or place through the outbox
    (once per change, however often it is submitted). A higher capacity moves people off
    the waiting list straight away.
    """
    before = _when_where(event)
    old_capacity = event.capacity
    changed = [name for name, value in values.items() if getattr(event, name) != value]
    for name, value in values.items():
        setattr(event, name, value)
    db.session.flush()
    after = _when_where(event)
    changes = [(label, before[label], after[label]) for label in before
               if before[label] != after[label]]
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
    db.session.flush()
    told = queue_event_cancelled(event)
    audit.record("event cancelled", event=event, detail=f"{told} people told")
    return told


def live_booking_count(event: Event) -> int:
    return len(people_to_tell(event))


def save_speaker(speaker: Speaker | None, values: dict, photo: FileStorage | None = None,
                 remove_photo: bool = False) -> tuple[Speaker, str | None]:
    """Create (speaker=None) or update a speaker, storing a new photo if one is given.

    The photo is checked first (UploadRefused if it is not acceptable), so a refused
    photo leaves the speaker unchanged. Returns the speaker and the name of the photo
    file it no longer uses, to delete once the change is committed.
    """
    new_photo = save_speaker_photo(photo) if photo is not None and photo.filename else None
    values = dict(values)
    if speaker is None:
        values["slug"] = values.get("slug") or unique_slug(
            Speaker, slugify(values["name"], "speaker"))
        speaker = Speaker(**values)
        db.session.add(speaker)
    else:
        values["slug"] = values.get("slug") or speaker.slug
        for name, value in values.items():
            setattr(speaker, name, value)
    replaced = None
    if new_photo or remove_photo:
        replaced, speaker.photo_filename = speaker.photo_filename, new_photo
    db.session.flush()
    return speaker, replaced


def attach_speaker(event: Event, speaker: Speaker, role: str, position: int) -> EventSpeaker:
    """Put a speaker on the event's programme, or change their role and place on it."""
    link = db.session.get(EventSpeaker, (event.id, speaker.id))
    if link is None:
        link = EventSpeaker(event=event, speaker=speaker)
        db.session.add(link)
    link.role, link.position = role, position
    db.session.flush()
    audit.record("speaker attached", event=event, detail=f"{speaker.name} as {role}")
    return link


def detach_speaker(event: Event, speaker: Speaker) -> None:
    link = db.session.get(EventSpeaker, (event.id, speaker.id))
    if link is not None:
        db.session.delete(link)
        db.session.flush()
        audit.record("speaker removed", event=event, detail=speaker.name)
