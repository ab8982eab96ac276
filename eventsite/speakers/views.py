"""Speakers: public profiles, and the organiser's speaker and programme pages.

A speaker's email address is never shown on a public page.

/speakers/                                         speakers on published events
/speakers/<slug>                                   one profile, with their events
/speakers/photos/<file>                            a checked, re-encoded photo
/admin/speakers/                                   every speaker
/admin/speakers/new, /admin/speakers/<id>/edit     add or change a profile
/admin/events/<slug>/speakers                      the event's programme; add to it
/admin/events/<slug>/speakers/<id>/remove          take a speaker off the programme
/admin/events/<slug>/speakers/new                  a new speaker, straight onto it (programme.py)
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, send_from_directory, url_for

from ..extensions import db
from ..models import Event, EventSpeaker, Speaker
from ..web.admin import admin_blueprint
from ..web.loaders import event_or_404
from ..web.slugs import slug_taken
from ..web.uploads import UploadRefused, accepts_uploads, delete_speaker_photo, photo_folder
from .forms import AttachSpeakerForm, SpeakerForm, format_links, new_speaker_form
from .services import attach_speaker, detach_speaker, save_speaker

bp = Blueprint("speakers", __name__, url_prefix="/speakers")
admin = admin_blueprint("speakers_admin", __name__)


def on_published_event():
    return Speaker.event_links.any(EventSpeaker.event.has(Event.published.is_(True)))


@bp.get("/")
def index():
    speakers = db.session.scalars(
        sa.select(Speaker).where(on_published_event()).order_by(Speaker.name)
    ).all()
    return render_template("speakers/index.html", speakers=speakers)


@bp.get("/<slug:slug>")
def detail(slug: str):
    speaker = db.first_or_404(sa.select(Speaker).where(Speaker.slug == slug,
                                                       on_published_event()))
    events = db.session.scalars(
        sa.select(Event)
        .join(EventSpeaker)
        .where(EventSpeaker.speaker_id == speaker.id, Event.published.is_(True))
        .order_by(Event.starts_at.desc())
    ).all()
    return render_template("speakers/detail.html", speaker=speaker, events=events)


@bp.get("/photos/<path:filename>")
def photo(filename: str):
    return send_from_directory(photo_folder(), filename, max_age=86400)


def save_from_form(form: SpeakerForm, speaker: Speaker | None) -> Speaker | None:
    """Save the speaker if the form (and any photo) is acceptable; else None."""
    if not form.validate_on_submit():
        return None
    if form.slug.data and slug_taken(Speaker, form.slug.data, speaker.id if speaker else None):
        form.slug.errors.append("Another speaker already uses this web address.")
        return None
    try:
        saved, replaced = save_speaker(speaker, form.values(), form.photo.data,
                                       remove_photo=form.remove_photo.data)
    except UploadRefused as refusal:
        form.photo.errors.append(str(refusal))
        return None
    db.session.commit()
    delete_speaker_photo(replaced)
    return saved


@admin.get("/speakers/")
def speakers():
    rows = db.session.scalars(sa.select(Speaker).order_by(Speaker.name)).all()
    return render_template("speakers/admin/speakers.html", speakers=rows)


@admin.route("/speakers/new", methods=["GET", "POST"])
@accepts_uploads
def new_speaker():
    form = SpeakerForm()
    speaker = save_from_form(form, None)
    if speaker is not None:
        flash(f"Speaker {speaker.name} added.", "success")
        return redirect(url_for(".speakers"))
    return render_template("speakers/admin/speaker_form.html", form=form, speaker=None)


@admin.route("/speakers/<int:speaker_id>/edit", methods=["GET", "POST"])
@accepts_uploads
def edit_speaker(speaker_id: int):
    speaker = db.get_or_404(Speaker, speaker_id)
    form = SpeakerForm(obj=speaker)
    if not form.is_submitted():
        form.links.data = format_links(speaker.links)
    if save_from_form(form, speaker) is not None:
        flash(f"Speaker {speaker.name} saved.", "success")
        return redirect(url_for(".speakers"))
    return render_template("speakers/admin/speaker_form.html", form=form, speaker=speaker)


def programme_form(event: Event) -> AttachSpeakerForm:
    form = AttachSpeakerForm()
    form.speaker.choices = [
        (speaker.id, f"{speaker.name} ({speaker.organisation})" if speaker.organisation
         else speaker.name)
        for speaker in db.session.scalars(sa.select(Speaker).order_by(Speaker.name))
    ]
    if form.position.data == 0 and not form.is_submitted():
        form.position.data = len(event.speaker_links)
    return form


@admin.route("/events/<slug:slug>/speakers", methods=["GET", "POST"])
def event_speakers(slug: str):
    """The event's programme: who speaks, in what order and role; add or change one."""
    event = event_or_404(slug)
    form = programme_form(event)
    if form.validate_on_submit():
        speaker = db.get_or_404(Speaker, form.speaker.data)
        attach_speaker(event, speaker, form.role.data, form.position.data)
        db.session.commit()
        flash(f"{speaker.name} is on the programme as {form.role.data.capitalize()}.",
              "success")
        return redirect(url_for(".event_speakers", slug=event.slug))
    return render_template("speakers/admin/event_speakers.html", event=event, form=form,
                           new_form=new_speaker_form(event))


@admin.post("/events/<slug:slug>/speakers/<int:speaker_id>/remove")
def remove_event_speaker(slug: str, speaker_id: int):
    event = event_or_404(slug)
    speaker = db.get_or_404(Speaker, speaker_id)
    if db.session.get(EventSpeaker, (event.id, speaker.id)) is None:
        abort(404)
    detach_speaker(event, speaker)
    db.session.commit()
    flash(f"{speaker.name} is no longer on the programme.", "success")
    return redirect(url_for(".event_speakers", slug=event.slug))
