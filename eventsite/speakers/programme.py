"""A new speaker made from the event's own speakers tab, and put on its programme at once.

/admin/events/<slug>/speakers/new    name, organisation, job title, photo, and the role and
                                     order on this event: one form, one transaction
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ..extensions import db
from ..web.loaders import event_or_404
from ..web.uploads import UploadRefused, accepts_uploads
from .forms import new_speaker_form
from .services import attach_speaker, save_speaker
from .views import admin, programme_form


@admin.post("/events/<slug:slug>/speakers/new")
@accepts_uploads
def new_event_speaker(slug: str):
    event = event_or_404(slug)
    form = new_speaker_form(event)
    if form.validate_on_submit():
        try:
            speaker, _ = save_speaker(None, form.values(), form.photo.data)
        except UploadRefused as refusal:
            db.session.rollback()
            form.photo.errors.append(str(refusal))
        else:
            attach_speaker(event, speaker, form.event_role.data, form.position.data)
            db.session.commit()
            flash(f"{speaker.name} is added and on the programme as "
                  f"{form.event_role.data.capitalize()}.", "success")
            return redirect(url_for(".event_speakers", slug=event.slug))
    return render_template("speakers/admin/event_speakers.html", event=event_or_404(slug),
                           form=programme_form(event), new_form=form), 422
