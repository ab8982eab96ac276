"""The pages of the public booking views, shared by the views and their error handlers."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Response, abort, current_app, make_response, render_template, request

from ..database import utcnow
from ..extensions import db
from ..models import Booking, Event
from .forms import BookingForm, booking_form
from .queries import places_left
from .services import BookingRefused, booking_refusal
from .tokens import booking_by_token


def booking_form_problem(problem: str, status: int, *, formdata):
    """The booking form again with a problem that belongs to no one field.

    Runs as an error handler, so it answers with pages rather than raising.
    """
    event = find_bookable_event(request.view_args["slug"])
    if event is None:
        return event_not_found()
    refusal, left = refusal_and_places(event)
    if refusal is not None:
        return closed_page(event, refusal, 409)
    form = booking_form(event, formdata=formdata)
    return booking_form_page(event, form, left, status=status, problem=problem)


def find_bookable_event(slug: str) -> Event | None:
    return db.session.scalar(
        sa.select(Event).where(Event.slug == slug, Event.published.is_(True))
    )


def bookable_event_or_404(slug: str) -> Event:
    """The published event, or a 404 that does not say whether an unpublished one exists."""
    event = find_bookable_event(slug)
    if event is None:
        abort(event_not_found())
    return event


def event_not_found() -> Response:
    return Response(render_template("bookings/not_found.html"), 404)


# Manage links stop working this long after the event ends.
LINK_LIFETIME_AFTER_EVENT = timedelta(days=30)


def booking_or_404(token: str) -> Booking:
    """The booking the link leads to; a 404 for an unknown link, and a 410 that says whom
    to write to once the link has expired (30 days after the event ends)."""
    booking = booking_by_token(token)
    if booking is None:
        abort(private(Response(render_template("bookings/unknown_link.html"), 404)))
    event = booking.event
    if utcnow() >= event.ends_at + LINK_LIFETIME_AFTER_EVENT:
        contact = event.organiser_email or current_app.config.get("SITE_CONTACT_EMAIL", "")
        abort(private(Response(
            render_template("bookings/expired_link.html", event=event, contact=contact), 410)))
    return booking


def refusal_and_places(event: Event) -> tuple[BookingRefused | None, int]:
    left = places_left(event)
    refusal = booking_refusal(event)
    if refusal is None and left == 0 and not event.waiting_list:
        refusal = BookingRefused("This event is fully booked.", "full")
    return refusal, left


def booking_form_page(event: Event, form: BookingForm, left: int, *, status: int,
                      problem: str | None = None):
    return render_template(
        "bookings/book.html", event=event, form=form, places_left=left, problem=problem
    ), status


def closed_page(event: Event, refusal: BookingRefused, status: int):
    return render_template("bookings/closed.html", event=event, refusal=refusal), status


def private(response):
    """Pages reached by a manage link: not cached, not indexed."""
    response = make_response(response)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
