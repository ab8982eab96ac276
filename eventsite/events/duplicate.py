"""Duplicating an event: the organiser's next one, from the last.

/admin/events/<slug>/duplicate    GET: the new-event form, filled in from the event but
                                  for its dates; POST: save the copy as a draft

The copy exists only once saved: an event cannot be without a start and an end, so
"new dates blank" means the form asks for them and nothing is stored until they are
given. Saving creates the draft with the description, venue, capacity and booking
settings as typed, the programme (each speaker with their role and order) and the
resources (files copied, every one unpublished).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from .. import audit
from ..extensions import db
from ..models import Event, EventSpeaker, Resource
from ..web.loaders import event_or_404
from ..web.text import render_markdown
from ..web.uploads import copy_resource_file
from . import drafts
from .forms import EventForm
from .services import create_event
from .views import admin

NOT_COPIED = ("starts", "ends", "booking_opens", "booking_closes", "slug", "published")


def duplicate_event(source: Event, values: dict) -> Event:
    """A new, unpublished event from the form's values, with the source's programme and
    resources (unpublished). Audited; flushes, the caller commits."""
    event = create_event({**values, "published": False})
    for link in source.speaker_links:
        db.session.add(EventSpeaker(event=event, speaker=link.speaker, role=link.role,
                                    position=link.position))
    for resource in source.resources:
        copy = Resource(event=event, title=resource.title, url=resource.url,
                        filename=resource.filename, content_type=resource.content_type,
                        size=resource.size, position=resource.position, published=False)
        if resource.stored_name:
            try:
                copy.stored_name = copy_resource_file(resource.stored_name)
            except OSError:  # the file has gone from the disk: copy what is left
                continue
        db.session.add(copy)
    db.session.flush()
    audit.record("event duplicated", event=event,
                 detail=f"from {source.slug}: {len(source.speaker_links)} speakers, "
                        f"{len(source.resources)} resources")
    return event


@admin.route("/events/<slug:slug>/duplicate", methods=["GET", "POST"])
def duplicate_event_view(slug: str):
    source = event_or_404(slug)
    if request.method == "GET":
        data = {name: value for name, value in EventForm.data_of(source).items()
                if name not in NOT_COPIED}
        form = EventForm(formdata=None, data=data, stored_timezone=source.timezone)
    else:
        form = EventForm(stored_timezone=source.timezone)
    form.published.data = False
    if "preview_page" in request.form and form.validate_on_submit():
        return drafts.preview_page(form.values(), None)
    if ("preview" not in request.form and form.validate_on_submit()
            and form.check_against_database(None)):
        event = duplicate_event(source, form.values())
        db.session.commit()
        flash(f"“{event.title}” is saved as a draft, with the speakers and resources of the "
              "original (resources unpublished). Check it, then publish it.", "success")
        return redirect(url_for(".edit_event", slug=event.slug))
    preview = render_markdown(form.description.data) if "preview" in request.form else None
    return render_template("events/admin/event_form.html", form=form, event=None,
                           preview=preview, copy_of=source)
