"""Resources per event: links and files (slides, reports) with a publish switch."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, send_from_directory, url_for

from .. import audit
from ..extensions import db
from ..models import Resource
from ..uploads import UploadRefused, delete_resource_file, save_resource_file
from . import bp
from .forms import ResourceForm
from .services import get_event


def get_resource(event, resource_id: int) -> Resource:
    resource = db.session.get(Resource, resource_id)
    if resource is None or resource.event_id != event.id:
        abort(404)
    return resource


def add_resource(event, form: ResourceForm) -> Resource:
    """A link or a checked file on the event; a file is checked and stored first."""
    stored = None if form.url.data else save_resource_file(form.file.data)
    resource = Resource(event=event, title=form.title.data.strip(),
                        published=form.published.data, position=len(event.resources))
    if stored is None:
        resource.url = form.url.data.strip()
    else:
        resource.filename, resource.stored_name = stored.filename, stored.stored_name
        resource.content_type, resource.size = stored.content_type, stored.size
    db.session.add(resource)
    db.session.flush()
    audit.record("resource added", event=event, detail=resource.title)
    return resource


@bp.route("/events/<slug:slug>/resources", methods=["GET", "POST"])
def resources(slug: str):
    event = get_event(slug)
    form = ResourceForm()
    if form.validate_on_submit():
        try:
            resource = add_resource(event, form)
        except UploadRefused as refusal:
            form.file.errors.append(str(refusal))
        else:
            db.session.commit()
            flash(f"“{resource.title}” added.", "success")
            return redirect(url_for("organiser.resources", slug=event.slug))
    rows = db.session.scalars(
        sa.select(Resource).where(Resource.event_id == event.id)
        .order_by(Resource.position, Resource.id)
    ).all()
    return render_template("organiser/resources.html", event=event, form=form, resources=rows)


@bp.post("/events/<slug:slug>/resources/<int:resource_id>/publish")
def publish_resource(slug: str, resource_id: int):
    return _set_published(slug, resource_id, True)


@bp.post("/events/<slug:slug>/resources/<int:resource_id>/unpublish")
def unpublish_resource(slug: str, resource_id: int):
    return _set_published(slug, resource_id, False)


def _set_published(slug: str, resource_id: int, published: bool):
    event = get_event(slug)
    resource = get_resource(event, resource_id)
    resource.published = published
    audit.record("resource published" if published else "resource unpublished",
                 event=event, detail=resource.title)
    db.session.commit()
    flash(f"“{resource.title}” is {'published' if published else 'hidden'}.", "success")
    return redirect(url_for("organiser.resources", slug=event.slug))


@bp.post("/events/<slug:slug>/resources/<int:resource_id>/delete")
def delete_resource(slug: str, resource_id: int):
    event = get_event(slug)
    resource = get_resource(event, resource_id)
    stored_name, title = resource.stored_name, resource.title
    db.session.delete(resource)
    audit.record("resource deleted", event=event, detail=title)
    db.session.commit()
    delete_resource_file(stored_name)
    flash(f"“{title}” deleted.", "success")
    return redirect(url_for("organiser.resources", slug=event.slug))


@bp.get("/events/<slug:slug>/resources/<int:resource_id>/file")
def resource_file(slug: str, resource_id: int):
    """The organiser's own copy of an uploaded file, published or not."""
    resource = get_resource(get_event(slug), resource_id)
    if not resource.is_file:
        abort(404)
    return send_from_directory(
        current_app.config["UPLOAD_FOLDER"] + "/resources", resource.stored_name,
        as_attachment=True, download_name=resource.filename, mimetype=resource.content_type,
    )
