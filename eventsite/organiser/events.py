"""Events: the list, new, edit (with a Markdown preview), publish, unpublish, cancel."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from ..database import utcnow
from ..events.queries import confirmed_count
from ..extensions import db
from ..models import Booking, Event
from ..text import render_markdown
from . import bp
from .forms import EventForm, utc_to_local
from .services import (
    cancel_event, create_event, get_event, live_booking_count,
    set_event_published, slug_taken, update_event,
)


def event_values(form: EventForm) -> dict:
    return {
        "title": form.title.data.strip(),
        "slug": form.slug.data or "",
        "host_conference": form.host_conference.data.strip(),
        "summary": form.summary.data.strip(),
        "description": form.description.data,
        "starts_at": form.utc(form.starts),
        "ends_at": form.utc(form.ends),
        "timezone": form.timezone.data,
        "venue": form.venue.data.strip(),
        "address": form.address.data.strip(),
        "capacity": form.capacity.data,
        "waiting_list": form.waiting_list.data,
        "booking_opens_at": form.utc(form.booking_opens),
        "booking_closes_at": form.utc(form.booking_closes),
        "organiser_email": (form.organiser_email.data or "").strip(),
        "published": form.published.data,
    }


def form_data(event: Event) -> dict:
    zone = event.timezone
    return {
        "title": event.title, "slug": event.slug, "host_conference": event.host_conference,
        "summary": event.summary, "description": event.description,
        "starts": utc_to_local(event.starts_at, zone), "ends": utc_to_local(event.ends_at, zone),
        "timezone": zone, "venue": event.venue, "address": event.address,
        "capacity": event.capacity, "waiting_list": event.waiting_list,
        "booking_opens": utc_to_local(event.booking_opens_at, zone),
        "booking_closes": utc_to_local(event.booking_closes_at, zone),
        "organiser_email": event.organiser_email, "published": event.published,
    }


def check_against_database(form: EventForm, event: Event | None) -> bool:
    """The checks a form cannot make alone: a free web address, enough places."""
    valid = True
    if form.slug.data and slug_taken(Event, form.slug.data, event.id if event else None):
        form.slug.errors.append("Another event already uses this web address.")
        valid = False
    if event is not None:
        confirmed = confirmed_count(event.id)
        if form.capacity.data is not None and form.capacity.data < confirmed:
            form.capacity.errors.append(
                f"{confirmed} places are already confirmed; capacity cannot be lower. "
                "Cancel bookings first.")
            valid = False
    return valid


def render_form(form: EventForm, event: Event | None):
    preview = render_markdown(form.description.data) if "preview" in request.form else None
    return render_template("organiser/event_form.html", form=form, event=event,
                           preview=preview)


@bp.get("/")
def index():
    events = db.session.scalars(sa.select(Event).order_by(Event.starts_at)).all()
    rows = db.session.execute(
        sa.select(Booking.event_id, Booking.status, sa.func.count())
        .group_by(Booking.event_id, Booking.status)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for event_id, status, total in rows:
        counts.setdefault(event_id, {})[status] = total
    now = utcnow()
    upcoming = [event for event in events if not event.has_ended(now)]
    past = [event for event in events if event.has_ended(now)][::-1]
    return render_template("organiser/events.html", upcoming=upcoming, past=past,
                           counts=counts)


@bp.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = EventForm()
    if "preview" not in request.form and form.validate_on_submit() \
            and check_against_database(form, None):
        event = create_event(event_values(form))
        db.session.commit()
        flash(f"Event “{event.title}” created.", "success")
        return redirect(url_for("organiser.bookings", slug=event.slug))
    return render_form(form, None)


@bp.route("/events/<slug:slug>/edit", methods=["GET", "POST"])
def edit_event(slug: str):
    event = get_event(slug)
    form = EventForm(data=None if request.method == "POST" else form_data(event),
                     stored_timezone=event.timezone)
    if "preview" not in request.form and form.validate_on_submit() \
            and check_against_database(form, event):
        values = event_values(form)
        values["slug"] = values["slug"] or event.slug
        changes = update_event(event, values)
        db.session.commit()
        message = "Event saved."
        if changes and live_booking_count(event):
            message += " Everyone booked or waiting will be emailed about the change."
        flash(message, "success")
        return redirect(url_for("organiser.bookings", slug=event.slug))
    return render_form(form, event)


@bp.post("/events/<slug:slug>/publish")
def publish_event(slug: str):
    event = get_event(slug)
    set_event_published(event, True)
    db.session.commit()
    flash("The event is published on the public site.", "success")
    return redirect(url_for("organiser.bookings", slug=event.slug))


@bp.post("/events/<slug:slug>/unpublish")
def unpublish_event(slug: str):
    event = get_event(slug)
    set_event_published(event, False)
    db.session.commit()
    flash("The event is no longer on the public site.", "success")
    return redirect(url_for("organiser.bookings", slug=event.slug))


@bp.route("/events/<slug:slug>/cancel", methods=["GET", "POST"])
def cancel(slug: str):
    event = get_event(slug)
    if request.method == "POST":
        told = cancel_event(event)
        db.session.commit()
        flash(f"The event is cancelled. {told} people will be emailed.", "success")
        return redirect(url_for("organiser.bookings", slug=event.slug))
    return render_template("organiser/event_cancel.html", event=event,
                           live=live_booking_count(event))
