"""Downloading an event's published resource files, once the event has started."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, send_from_directory

from ..extensions import db
from ..models import Resource
from .queries import get_published_event

bp = Blueprint("downloads", __name__)


@bp.get("/events/<slug:slug>/resources/<int:resource_id>")
def resource(slug: str, resource_id: int):
    """A published file of a published event that has started, as an attachment; else 404."""
    event = get_published_event(slug)
    found = db.session.get(Resource, resource_id)
    if (found is None or found.event_id != event.id or not found.published
            or not found.is_file or not event.has_started()):
        abort(404)
    return send_from_directory(
        current_app.config["UPLOAD_FOLDER"] + "/resources", found.stored_name,
        as_attachment=True, download_name=found.filename, mimetype=found.content_type,
    )
