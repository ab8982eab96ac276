"""Seeing an event before the world does: drafts on the public page, for organisers only,
and the event form's Preview of what is typed, saved or not. All three (the published
page too) are rendered by the one `event_page`.

A draft's page is never cached: the page cache serves only requests without cookies,
and an organiser's requests always carry their session cookie; the response also says
`Cache-Control: no-store` so no browser or proxy keeps it.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, make_response, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..bookings.queries import booking_counts
from ..extensions import db
from ..models import Event, EventSpeaker
from ..web.sessions import session_is_current
from ..web.slugs import slugify
from .structured_data import structured_data


def organiser_is_reading() -> bool:
    """A logged-in organiser whose session has not run out, as the /admin guard asks."""
    return bool(current_user.is_authenticated) and session_is_current()


def draft_event_or_404(slug: str) -> Event:
    """The unpublished event with this slug, for an organiser; anyone else gets the 404
    the public site gives for an event that does not exist."""
    if not organiser_is_reading():
        abort(404)
    event = db.session.scalar(
        sa.select(Event).where(Event.slug == slug, Event.published.is_(False)).options(
            selectinload(Event.speaker_links).selectinload(EventSpeaker.speaker),
            selectinload(Event.resources),
        )
    )
    if event is None:
        abort(404)
    return event


def event_page(event: Event, *, places_left: int | None = None, draft: bool = False,
               preview: bool = False) -> Response:
    """The public event page, as readers see it or (draft) as organisers see it; the places
    left are counted unless the caller counted them already."""
    left = booking_counts(event).places_left if places_left is None else places_left
    resources = [r for r in event.resources if r.published] if event.has_started() else []
    response = make_response(render_template(
        "events/detail.html", event=event, places_left=left, resources=resources,
        structured_data=structured_data(event, left), draft=draft, preview=preview,
    ))
    if draft or preview:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def preview_page(values: dict, event: Event | None) -> Response:
    """The public page as it would look with the form's values, saving nothing.

    The values are set on the event (or on a new, unsaved one) only while the page is
    rendered, with autoflush off, then rolled back: no row changes, nobody is emailed.
    """
    with db.session.no_autoflush:
        if event is None:
            event = Event(**{**values, "slug": values.get("slug") or slugify(values["title"],
                                                                             "event")})
            event.id, event.speaker_links, event.resources = 0, [], []
        else:
            for name, value in {**values, "slug": values.get("slug") or event.slug}.items():
                setattr(event, name, value)
        event.description_rules = ""  # render what is typed, not the stored HTML
        response = event_page(event, draft=not event.published, preview=True)
    db.session.rollback()
    return response
