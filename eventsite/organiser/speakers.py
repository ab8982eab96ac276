"""Speakers: profiles (with checked photos) and their place on each event's programme."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for

from ..extensions import db
from ..models import EventSpeaker, Speaker
from ..uploads import UploadRefused, delete_speaker_photo
from . import bp
from .forms import AttachSpeakerForm, SpeakerForm, format_links, parse_links
from .services import attach_speaker, detach_speaker, get_event, save_speaker, slug_taken


def get_speaker(speaker_id: int) -> Speaker:
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None:
        abort(404)
    return speaker


def speaker_values(form: SpeakerForm) -> dict:
    return {
        "name": form.name.data.strip(), "slug": form.slug.data or "",
        "role": form.role.data.strip(), "organisation": form.organisation.data.strip(),
        "bio": form.bio.data, "email": (form.email.data or "").strip(),
        "links": parse_links(form.links.data),
    }


def save_from_form(form: SpeakerForm, speaker: Speaker | None):
    """Save the speaker if the form (and any photo) is acceptable; else None."""
    if not form.validate_on_submit():
        return None
    if form.slug.data and slug_taken(Speaker, form.slug.data, speaker.id if speaker else None):
        form.slug.errors.append("Another speaker already uses this web address.")
        return None
    try:
        saved, replaced = save_speaker(speaker, speaker_values(form), form.photo.data,
                                       remove_photo=form.remove_photo.data)
    except UploadRefused as refusal:
        form.photo.errors.append(str(refusal))
        return None
    db.session.commit()
    delete_speaker_photo(replaced)
    return saved


@bp.get("/speakers/")
def speakers():
    rows = db.session.scalars(sa.select(Speaker).order_by(Speaker.name)).all()
    return render_template("organiser/speakers.html", speakers=rows)


@bp.route("/speakers/new", methods=["GET", "POST"])
def new_speaker():
    form = SpeakerForm()
    speaker = save_from_form(form, None)
    if speaker is not None:
        flash(f"Speaker {speaker.name} added.", "success")
        return redirect(url_for("organiser.speakers"))
    return render_template("organiser/speaker_form.html", form=form, speaker=None)


@bp.route("/speakers/<int:speaker_id>/edit", methods=["GET", "POST"])
def edit_speaker(speaker_id: int):
    speaker = get_speaker(speaker_id)
    form = SpeakerForm(obj=speaker)
    if not form.is_submitted():
        form.links.data = format_links(speaker.links)
    if save_from_form(form, speaker) is not None:
        flash(f"Speaker {speaker.name} saved.", "success")
        return redirect(url_for("organiser.speakers"))
    return render_template("organiser/speaker_form.html", form=form, speaker=speaker)


def programme_form(event) -> AttachSpeakerForm:
    form = AttachSpeakerForm()
    form.speaker.choices = [
        (speaker.id, f"{speaker.name} ({speaker.organisation})" if speaker.organisation
         else speaker.name)
        for speaker in db.session.scalars(sa.select(Speaker).order_by(Speaker.name))
    ]
    if form.position.data == 0 and not form.is_submitted():
        form.position.data = len(event.speaker_links)
    return form


@bp.route("/events/<slug:slug>/speakers", methods=["GET", "POST"])
def event_speakers(slug: str):
    """The event's programme: who speaks, in what order and role; add or change one."""
    event = get_event(slug)
    form = programme_form(event)
    if form.validate_on_submit():
        speaker = get_speaker(form.speaker.data)
        attach_speaker(event, speaker, form.role.data, form.position.data)
        db.session.commit()
        flash(f"{speaker.name} is on the programme as {form.role.data}.", "success")
        return redirect(url_for("organiser.event_speakers", slug=event.slug))
    return render_template("organiser/event_speakers.html", event=event, form=form)


@bp.post("/events/<slug:slug>/speakers/<int:speaker_id>/remove")
def remove_event_speaker(slug: str, speaker_id: int):
    event = get_event(slug)
    speaker = get_speaker(speaker_id)
    if db.session.get(EventSpeaker, (event.id, speaker.id)) is None:
        abort(404)
    detach_speaker(event, speaker)
    db.session.commit()
    flash(f"{speaker.name} is no longer on the programme.", "success")
    return redirect(url_for("organiser.event_speakers", slug=event.slug))
