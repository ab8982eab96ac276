"""Booking pages: book a place, the thank-you page, and the attendee's own booking.

/events/<slug>/book                the form (POST, then redirect to the thank-you page)
/events/<slug>/book/thanks         "check your email", the same whatever happened
/bookings/<token>                  the booking, from the link in an email
/bookings/<token>/calendar.ics     the calendar file, with the manage link in it
/bookings/<token>/cancel           the confirm step, then cancel
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge

from ..calendar import event_calendar
from ..errors import render_error
from ..events.queries import places_left
from ..extensions import db, limiter
from ..models import Booking, BookingStatus, Event
from .emails import manage_url
from .forms import BookingForm, CancelBookingForm
from .services import (
    BookingRefused,
    booking_by_token,
    booking_refusal,
    cancel_booking,
    create_booking,
    waiting_list_position,
)

bp = Blueprint("bookings", __name__)

BOOKING_POST_LIMIT = "20 per minute"
EXPIRED_FORM = (
    "This form had expired, so nothing has been sent yet. Check your details and "
    "press the button again."
)
TOO_LONG = (
    "What you sent was far too long to accept, so nothing has been booked. "
    "Please fill in the form again with shorter answers."
)


@bp.route("/events/<slug:slug>/book", methods=["GET", "POST"])
@limiter.limit(BOOKING_POST_LIMIT, methods=["POST"])
def book(slug: str):
    event = bookable_event_or_404(slug)
    refusal, left = refusal_and_places(event)
    if refusal is not None:
        return closed_page(event, refusal, 409 if request.method == "POST" else 200)
    form = BookingForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return booking_form_page(event, form, left, status=status)
    if not form.looks_automated:
        try:
            create_booking(event, form.details())
        except BookingRefused as refused:
            db.session.rollback()
            return closed_page(event, refused, 409)
        db.session.commit()
    session["booking_email"] = form.email.data
    return redirect(url_for(".thanks", slug=slug), code=303)


@bp.get("/events/<slug:slug>/book/thanks")
def thanks(slug: str):
    event = bookable_event_or_404(slug)
    # Deliberately the same page for a new booking, a waiting-list place and a repeat:
    # nobody can learn from it whether an address had booked before.
    return render_template(
        "bookings/thanks.html", event=event, email=session.pop("booking_email", None)
    )


@bp.get("/bookings/<token>")
def manage(token: str):
    booking = booking_or_404(token)
    return private(render_template(
        "bookings/manage.html",
        booking=booking,
        event=booking.event,
        token=token,
        waiting_position=waiting_list_position(booking),
    ))


@bp.get("/bookings/<token>/calendar.ics")
def calendar_file(token: str):
    booking = booking_or_404(token)
    event = booking.event
    return private(Response(
        event_calendar(event, manage_url(token)),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    ))


@bp.route("/bookings/<token>/cancel", methods=["GET", "POST"])
@limiter.limit(BOOKING_POST_LIMIT, methods=["POST"])
def cancel(token: str):
    booking = booking_or_404(token)
    if booking.status == BookingStatus.CANCELLED.value:
        flash("This booking is already cancelled.", "warning")
        return redirect(url_for(".manage", token=token), code=303)
    if booking.event.has_ended():
        flash("This event has already taken place, so there is nothing to cancel.", "warning")
        return redirect(url_for(".manage", token=token), code=303)
    form = CancelBookingForm()
    if form.validate_on_submit():
        cancel_booking(booking)
        db.session.commit()
        flash("Your booking is cancelled. We have sent you an email to confirm it.", "success")
        return redirect(url_for(".manage", token=token), code=303)
    return private(render_template(
        "bookings/cancel.html", booking=booking, event=booking.event, form=form, token=token
    ))


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """An expired or missing form token: say so, keep what was typed, store nothing."""
    if request.endpoint == "bookings.book":
        return booking_form_problem(EXPIRED_FORM, 400, formdata=request.form)
    if request.endpoint == "bookings.cancel":
        flash(EXPIRED_FORM, "error")
        return redirect(url_for(".cancel", token=request.view_args["token"]), code=303)
    return render_error(error)


@bp.errorhandler(RequestEntityTooLarge)
def too_long(error: RequestEntityTooLarge):
    """A form too large to read at all: an empty form again, with the reason."""
    if request.endpoint != "bookings.book":
        return render_error(error)
    return booking_form_problem(TOO_LONG, 413, formdata=None)


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
    form = BookingForm(formdata=formdata)
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


def booking_or_404(token: str) -> Booking:
    booking = booking_by_token(token)
    if booking is None:
        abort(private(Response(render_template("bookings/unknown_link.html"), 404)))
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
