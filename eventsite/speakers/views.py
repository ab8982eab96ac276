"""Public speaker profiles. A speaker's email address is never shown here."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, send_from_directory

from ..extensions import db
from ..models import Event, EventSpeaker, Speaker

bp = Blueprint("speakers", __name__, url_prefix="/speakers")


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
    speaker = db.session.scalar(
        sa.select(Speaker).where(Speaker.slug == slug, on_published_event())
    )
    if speaker is None:
        abort(404)
    events = db.session.scalars(
        sa.select(Event)
        .join(EventSpeaker)
        .where(EventSpeaker.speaker_id == speaker.id, Event.published.is_(True))
        .order_by(Event.starts_at.desc())
    ).all()
    return render_template("speakers/detail.html", speaker=speaker, events=events)


@bp.get("/photos/<path:filename>")
def photo(filename: str):
    return send_from_directory(
        current_app.config["UPLOAD_FOLDER"] + "/speakers", filename, max_age=86400
    )
