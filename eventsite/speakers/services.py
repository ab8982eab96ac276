"""What organisers do to speakers and programmes. Each service flushes and writes its audit
entry; the caller commits."""
from __future__ import annotations

from werkzeug.datastructures import FileStorage

from .. import audit
from ..extensions import db
from ..models import Event, EventSpeaker, Speaker
from ..web.slugs import slugify, unique_slug
from ..web.uploads import save_speaker_photo


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
    audit.record("speaker saved", detail=speaker.name)
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
