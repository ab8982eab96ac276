"""Events: the public pages, and the organiser's pages for each event and its resources.

/                                          upcoming events, then past ones
/events/<slug>                             one event (schema.org JSON-LD, OpenGraph)
/events/<slug>.ics                         its calendar file
/events/<slug>/resources/<id>              a published file, once the event has started
/healthz                                   for load balancers
/admin/events/new                          create an event
/admin/events/<slug>/edit                  edit it (with a Markdown preview)
/admin/events/<slug>/publish, /unpublish   show it on the public site, or not
/admin/events/<slug>/cancel                the confirm step, then cancel and tell everyone
/admin/events/<slug>/resources             slides and links; add one
/admin/events/<slug>/resources/<id>/...    publish, unpublish, delete, file
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from werkzeug.exceptions import NotFound

from ..bookings.calendar import event_calendar
from ..bookings.queries import booking_counts, counts_by_event
from ..extensions import db
from ..models import Event, Resource
from ..web.admin import admin_blueprint
from ..web.loaders import event_item_or_404, event_or_404
from ..web.text import render_markdown
from ..web.uploads import UploadRefused, accepts_uploads, delete_resource_file, resource_folder
from . import drafts, services
from .forms import EventForm, ResourceForm
from .queries import get_event_page, get_published_event, published_events

bp = Blueprint("events", __name__)
admin = admin_blueprint("events_admin", __name__)


@bp.get("/")
def index():
    upcoming, past = published_events()
    counts = counts_by_event(upcoming)
    left = {event.id: counts[event.id].places_left for event in upcoming}
    return render_template("events/index.html", upcoming=upcoming, past=past, places_left=left)


@bp.get("/events/<slug:slug>")
def detail(slug: str):
    try:
        event, counts = get_event_page(slug)
    except NotFound:
        return drafts.event_page(drafts.draft_event_or_404(slug), draft=True)
    return drafts.event_page(event, places_left=counts.places_left)


@bp.get("/events/<slug:slug>.ics")
def calendar_file(slug: str):
    event = get_published_event(slug)
    return Response(
        event_calendar(event),
        content_type="text/calendar; method=PUBLISH; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )


@bp.get("/events/<slug:slug>/resources/<int:resource_id>")
def resource(slug: str, resource_id: int):
    """A published file of a published event that has started, as an attachment; else 404."""
    event = get_published_event(slug)
    found = db.get_or_404(Resource, resource_id)
    if (found.event_id != event.id or not found.published or not found.is_file
            or not event.has_started()):
        abort(404)
    return send_resource_file(found)


@bp.get("/healthz")
def healthz():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}


def resource_or_404(event: Event, resource_id: int) -> Resource:
    return event_item_or_404(Resource, resource_id, event)


def send_resource_file(found: Resource):
    return send_from_directory(resource_folder(), found.stored_name, as_attachment=True,
                               download_name=found.filename, mimetype=found.content_type)


def to_bookings(event: Event):
    return redirect(url_for("bookings_admin.bookings", slug=event.slug))


def event_form_page(form: EventForm, event: Event | None):
    preview = render_markdown(form.description.data) if "preview" in request.form else None
    return render_template("events/admin/event_form.html", form=form, event=event,
                           preview=preview)


@admin.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = EventForm()
    if "preview_page" in request.form and form.validate_on_submit():
        return drafts.preview_page(form.values(), None)
    if ("preview" not in request.form and form.validate_on_submit()
            and form.check_against_database(None)):
        event = services.create_event(form.values())
        db.session.commit()
        flash(f"Event “{event.title}” created.", "success")
        return to_bookings(event)
    return event_form_page(form, None)


@admin.route("/events/<slug:slug>/edit", methods=["GET", "POST"])
def edit_event(slug: str):
    event = event_or_404(slug)
    form = EventForm(data=None if request.method == "POST" else EventForm.data_of(event),
                     stored_timezone=event.timezone)
    if "preview_page" in request.form and form.validate_on_submit():
        return drafts.preview_page(form.values(), event)
    if ("preview" not in request.form and form.validate_on_submit()
            and form.check_against_database(event)):
        values = form.values()
        values["slug"] = values["slug"] or event.slug
        tell = not form.typo_fix.data
        try:
            changes = services.update_event(event, values, tell_attendees=tell)
        except (services.CapacityTooLow, services.NotATypoFix) as refused:
            db.session.rollback()
            field = (form.capacity if isinstance(refused, services.CapacityTooLow)
                     else form.typo_fix)
            field.errors.append(refused.message)
            return event_form_page(form, event_or_404(slug))
        db.session.commit()
        flash("Event saved." + told_of_change(event, changes, tell), "success")
        return to_bookings(event)
    return event_form_page(form, event)


def told_of_change(event: Event, changes: list, tell: bool) -> str:
    """What the organiser is told about the email their change of time or place makes."""
    if not changes or event.is_cancelled or not booking_counts(event).live:
        return ""
    if not tell:
        return " Attendees were not told (a typo fix)."
    minutes = max(0, current_app.config["CHANGE_NOTICE_DELAY_SECONDS"]) // 60
    later = f"in {minutes} minute{'s' if minutes != 1 else ''}" if minutes else "shortly"
    return (f" Everyone booked or waiting will be emailed about the change {later}; "
            "further changes before then go in the same email.")


@admin.post("/events/<slug:slug>/publish")
def publish_event(slug: str):
    return show_on_public_site(slug, True, "The event is published on the public site.")


@admin.post("/events/<slug:slug>/unpublish")
def unpublish_event(slug: str):
    return show_on_public_site(slug, False, "The event is no longer on the public site.")


def show_on_public_site(slug: str, published: bool, message: str):
    event = event_or_404(slug)
    services.set_event_published(event, published)
    db.session.commit()
    flash(message, "success")
    return to_bookings(event)


@admin.route("/events/<slug:slug>/cancel", methods=["GET", "POST"])
def cancel_event_view(slug: str):
    event = event_or_404(slug)
    if request.method == "POST":
        told = services.cancel_event(event)
        db.session.commit()
        flash(f"The event is cancelled. {told} people will be emailed.", "success")
        return to_bookings(event)
    return render_template("events/admin/event_cancel.html", event=event,
                           live=booking_counts(event).live)


@admin.route("/events/<slug:slug>/resources", methods=["GET", "POST"])
@accepts_uploads
def resources(slug: str):
    event = event_or_404(slug)
    form = ResourceForm()
    if form.validate_on_submit():
        try:
            added = services.add_resource(event, form.title.data, form.url.data, form.file.data,
                                 form.published.data)
        except UploadRefused as refusal:
            form.file.errors.append(str(refusal))
        else:
            db.session.commit()
            flash(f"“{added.title}” added.", "success")
            return redirect(url_for(".resources", slug=event.slug))
    return render_template("events/admin/resources.html", event=event, form=form,
                           resources=event.resources)


@admin.post("/events/<slug:slug>/resources/<int:resource_id>/publish")
def publish_resource(slug: str, resource_id: int):
    return set_published(slug, resource_id, True)


@admin.post("/events/<slug:slug>/resources/<int:resource_id>/unpublish")
def unpublish_resource(slug: str, resource_id: int):
    return set_published(slug, resource_id, False)


def set_published(slug: str, resource_id: int, published: bool):
    event = event_or_404(slug)
    found = resource_or_404(event, resource_id)
    services.set_resource_published(found, published)
    db.session.commit()
    flash(f"“{found.title}” is {'published' if published else 'hidden'}.", "success")
    return redirect(url_for(".resources", slug=event.slug))


@admin.post("/events/<slug:slug>/resources/<int:resource_id>/delete")
def delete_resource_view(slug: str, resource_id: int):
    event = event_or_404(slug)
    found = resource_or_404(event, resource_id)
    stored_name = services.delete_resource(found)
    db.session.commit()
    delete_resource_file(stored_name)
    flash(f"“{found.title}” deleted.", "success")
    return redirect(url_for(".resources", slug=event.slug))


@admin.get("/events/<slug:slug>/resources/<int:resource_id>/file")
def resource_file(slug: str, resource_id: int):
    """The organiser's own copy of an uploaded file, published or not."""
    found = resource_or_404(event_or_404(slug), resource_id)
    if not found.is_file:
        abort(404)
    return send_resource_file(found)
