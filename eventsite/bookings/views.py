"""Bookings: an attendee books, manages and cancels; an organiser sees and changes them.

/events/<slug>/book                          the form (POST, then redirect to thanks)
/events/<slug>/book/thanks                   the outcome of a new booking, else "check your email"
/bookings/<token>                            the booking, from the link in an email
/bookings/<token>/calendar.ics               its calendar file (the event's page, not the link)
/bookings/<token>/cancel                     the confirm step, then cancel
/admin/events/<slug>/bookings                counts, chart, search, a row per booking
/admin/events/<slug>/bookings/new            add someone by hand
/admin/events/<slug>/bookings/<id>/check-in, /undo-check-in, /promote
(cancel and the bulk actions: desk_views.py)
"""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import db, limiter
from ..models import Booking, BookingStatus, Event
from ..outbox.suppressions import suppressed_among
from ..web.admin import admin_blueprint, commit_unless_refused
from ..web.errors import render_error
from ..web.loaders import event_item_or_404, event_or_404
from . import pages
from .attendance import CheckInRefused, bookings_chart, check_in_booking, undo_check_in
from .calendar import event_calendar
from .check_in import check_in_qr
from .forms import CancelBookingForm, OrganiserBookingForm, booking_form
from .online import join_link_note
from .outcome import remember_outcome, take_outcome
from .queries import booking_counts, search_bookings, waiting_list_position
from .services import BookingRefused, cancel_booking, create_booking, promote_booking

bp = Blueprint("bookings", __name__)
admin = admin_blueprint("bookings_admin", __name__)

BOOKING_POST_LIMIT = "20 per minute"
EXPIRED_FORM = (
    "This form had expired, so nothing has been sent yet. Check your details and "
    "press the button again."
)
# Other public forms' pages for an expired form token, by endpoint: page(token).
EXPIRED_FORM_PAGES: dict = {}
TOO_LONG = (
    "What you sent was far too long to accept, so nothing has been booked. "
    "Please fill in the form again with shorter answers."
)


@bp.route("/events/<slug:slug>/book", methods=["GET", "POST"])
@limiter.limit(BOOKING_POST_LIMIT, methods=["POST"])
def book(slug: str):
    event = pages.bookable_event_or_404(slug)
    refusal, left = pages.refusal_and_places(event)
    if refusal is not None:
        return pages.closed_page(event, refusal, 409 if request.method == "POST" else 200)
    form = booking_form(event)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return pages.booking_form_page(event, form, left, status=status)
    result = None
    if not form.looks_automated:
        try:
            result = create_booking(event, form.details())
        except BookingRefused as refused:
            db.session.rollback()
            return pages.closed_page(event, refused, 409)
    remember_outcome(slug, result)
    db.session.commit()
    session["booking_email"] = form.email.data
    return redirect(url_for(".thanks", slug=slug), code=303)


@bp.get("/events/<slug:slug>/book/thanks")
def thanks(slug: str):
    event = pages.bookable_event_or_404(slug)
    # A new booking's outcome, kept in this browser's session; a repeat is told nothing a
    # first booking would not have been (bookings/outcome.py, docs/SECURITY.md).
    return render_template(
        "bookings/thanks.html", event=event, email=session.pop("booking_email", None),
        outcome=take_outcome(slug),
    )


@bp.get("/bookings/<token>")
def manage(token: str):
    booking = pages.booking_or_404(token)
    check_in = check_in_qr(booking, token)
    db.session.commit()  # a link issued before check-in codes has just been given its own
    return pages.private(render_template(
        "bookings/manage.html",
        booking=booking,
        event=booking.event,
        token=token,
        waiting_position=waiting_list_position(booking),
        check_in_qr=check_in,
        **join_link_note(booking),
    ))


@bp.get("/bookings/<token>/calendar.ics")
def calendar_file(token: str):
    booking = pages.booking_or_404(token)
    event = booking.event
    return pages.private(Response(
        event_calendar(event),
        content_type="text/calendar; method=PUBLISH; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    ))


@bp.route("/bookings/<token>/cancel", methods=["GET", "POST"])
@limiter.limit(BOOKING_POST_LIMIT, methods=["POST"])
def cancel(token: str):
    booking = pages.booking_or_404(token)
    if booking.status == BookingStatus.CANCELLED:
        flash("This booking is already cancelled.", "warning")
        return redirect(url_for(".manage", token=token), code=303)
    if booking.event.has_ended():
        flash("This event has already taken place, so there is nothing to cancel.", "warning")
        return redirect(url_for(".manage", token=token), code=303)
    form = CancelBookingForm()
    if form.validate_on_submit():
        was_waiting = booking.status == BookingStatus.WAITING
        cancel_booking(booking)
        db.session.commit()
        flash("You have left the waiting list. We have sent you an email to confirm it."
              if was_waiting else
              "Your booking is cancelled. We have sent you an email to confirm it.", "success")
        return redirect(url_for(".manage", token=token), code=303)
    return pages.private(render_template(
        "bookings/cancel.html", booking=booking, event=booking.event, form=form, token=token
    ))


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """An expired or missing form token: say so, keep what was typed, store nothing."""
    if request.endpoint == "bookings.book":
        return pages.booking_form_problem(EXPIRED_FORM, 400, formdata=request.form)
    if request.endpoint == "bookings.cancel":
        flash(EXPIRED_FORM, "error")
        return redirect(url_for(".cancel", token=request.view_args["token"]), code=303)
    if request.endpoint == "bookings.accept":
        flash(EXPIRED_FORM, "error")
        return redirect(url_for(".manage", token=request.view_args["token"]), code=303)
    if request.endpoint in EXPIRED_FORM_PAGES:
        return EXPIRED_FORM_PAGES[request.endpoint](request.view_args["token"])
    return render_error(error)


@bp.errorhandler(RequestEntityTooLarge)
def too_long(error: RequestEntityTooLarge):
    """A form too large to read at all: an empty form again, with the reason."""
    if request.endpoint != "bookings.book":
        return render_error(error)
    return pages.booking_form_problem(TOO_LONG, 413, formdata=None)


def load(slug: str, booking_id: int) -> tuple[Event, Booking]:
    event = event_or_404(slug)
    return event, event_item_or_404(Booking, booking_id, event)


def requested_status(values) -> str:
    status = values.get("status", "")
    return status if status in set(BookingStatus) else ""


def back_to_list(event: Event, booking: Booking | None = None):
    """Back to the bookings list as it was filtered, at the row just changed."""
    query = request.form.get("q", "")[:200]
    status = requested_status(request.form)
    anchor = f"booking-{booking.id}" if booking is not None else None
    return redirect(url_for(".bookings", slug=event.slug, q=query or None,
                            status=status or None, _anchor=anchor))


@admin.get("/events/<slug:slug>/bookings")
def bookings(slug: str):
    event = event_or_404(slug)
    query = request.args.get("q", "")[:200]
    status = requested_status(request.args)
    bookings = search_bookings(event, query, status)
    return render_template(
        "bookings/admin/bookings.html", event=event, counts=booking_counts(event),
        chart=bookings_chart(event), bookings=bookings, q=query, status=status,
        statuses=list(BookingStatus),
        suppressed=suppressed_among([booking.email for booking in bookings]),
    )


@admin.route("/events/<slug:slug>/bookings/new", methods=["GET", "POST"])
def add_booking(slug: str):
    event = event_or_404(slug)
    form = booking_form(event, OrganiserBookingForm)
    if form.validate_on_submit():
        result = commit_unless_refused(BookingRefused, create_booking, event, form.details(),
                                       by_organiser=True)
        if result is not None:
            booking = result.booking
            if result.outcome == "repeat":
                flash(f"{booking.name} already has a {booking.status} booking "
                      f"({booking.reference}); their email was sent again.", "warning")
            else:
                flash(f"{booking.name} is {result.outcome} ({booking.reference}); "
                      "they will be emailed.", "success")
            return redirect(url_for(".bookings", slug=event.slug,
                                    _anchor=f"booking-{booking.id}"))
    return render_template("bookings/admin/booking_form.html", event=event, form=form)


def act_on_booking(slug: str, booking_id: int, refused: type[Exception], action,
                   done: str):
    """Do `action(booking)` and say `done` about the person, or why it was refused.

    The message and the way back are made before the commit, so nothing is read again
    after it: one organiser POST, one transaction.
    """
    event, booking = load(slug, booking_id)
    message, back = done.format(name=booking.name), back_to_list(event, booking)
    if commit_unless_refused(refused, action, booking):
        flash(message, "success")
    return back


@admin.post("/events/<slug:slug>/bookings/<int:booking_id>/check-in")
def check_in(slug: str, booking_id: int):
    return act_on_booking(slug, booking_id, CheckInRefused, check_in_booking,
                          "{name} is checked in.")


@admin.post("/events/<slug:slug>/bookings/<int:booking_id>/undo-check-in")
def undo_check_in_view(slug: str, booking_id: int):
    return act_on_booking(slug, booking_id, CheckInRefused, undo_check_in,
                          "{name} is no longer checked in.")


@admin.post("/events/<slug:slug>/bookings/<int:booking_id>/promote")
def promote(slug: str, booking_id: int):
    return act_on_booking(slug, booking_id, BookingRefused, promote_booking,
                          "{name} now has a confirmed place and will be emailed.")
