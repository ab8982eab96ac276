"""Each event's bookings: counts, search, by-hand changes, the door, the sheet, the CSV."""
from __future__ import annotations

from flask import (
    Response, abort, flash, redirect, render_template, request, stream_with_context, url_for,
)

from .. import audit
from ..bookings.services import BookingRefused, cancel_booking, create_booking, promote_booking
from ..exports import STATUSES, attendee_csv, export_filename
from ..extensions import db
from ..privacy import erase_person
from . import bp
from .attendance import (
    CheckInRefused, booking_counts, bookings_chart, check_in_booking, get_booking,
    search_bookings, sign_in_sheet, undo_check_in,
)
from .forms import BookingForm, EraseForm
from .services import get_event


def load(slug: str, booking_id: int):
    event = get_event(slug)
    booking = get_booking(event, booking_id)
    if booking is None:
        abort(404)
    return event, booking


def back_to_list(event, booking=None):
    """Back to the bookings list as it was filtered, at the row just changed."""
    query = request.form.get("q", "")[:200]
    status = request.form.get("status", "")
    status = status if status in STATUSES else ""
    anchor = f"booking-{booking.id}" if booking is not None else None
    return redirect(url_for("organiser.bookings", slug=event.slug, q=query or None,
                            status=status or None, _anchor=anchor))


@bp.get("/events/<slug:slug>/bookings")
def bookings(slug: str):
    event = get_event(slug)
    query = request.args.get("q", "")[:200]
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    return render_template(
        "organiser/bookings.html", event=event, counts=booking_counts(event),
        chart=bookings_chart(event), bookings=search_bookings(event, query, status),
        q=query, status=status, statuses=STATUSES,
    )


@bp.route("/events/<slug:slug>/bookings/new", methods=["GET", "POST"])
def add_booking(slug: str):
    event = get_event(slug)
    form = BookingForm()
    if form.validate_on_submit():
        details = {name: form[name].data for name in (
            "name", "email", "organisation", "job_title", "access_needs", "wants_followup")}
        try:
            result = create_booking(event, details, by_organiser=True)
        except BookingRefused as refusal:
            db.session.rollback()
            flash(refusal.message, "error")
        else:
            booking = result.booking
            audit.record("booking added by hand", booking=booking,
                         detail=f"{booking.reference}: {result.outcome}")
            db.session.commit()
            if result.outcome == "repeat":
                flash(f"{booking.name} already has a {booking.status} booking "
                      f"({booking.reference}); their email was sent again.", "warning")
            else:
                flash(f"{booking.name} is {result.outcome} ({booking.reference}); "
                      "they will be emailed.", "success")
            return redirect(url_for("organiser.bookings", slug=event.slug,
                                    _anchor=f"booking-{booking.id}"))
    return render_template("organiser/booking_form.html", event=event, form=form)


@bp.post("/events/<slug:slug>/bookings/<int:booking_id>/check-in")
def check_in(slug: str, booking_id: int):
    event, booking = load(slug, booking_id)
    try:
        check_in_booking(booking)
    except CheckInRefused as refusal:
        flash(str(refusal), "error")
    else:
        db.session.commit()
        flash(f"{booking.name} is checked in.", "success")
    return back_to_list(event, booking)


@bp.post("/events/<slug:slug>/bookings/<int:booking_id>/undo-check-in")
def undo_check_in_view(slug: str, booking_id: int):
    event, booking = load(slug, booking_id)
    undo_check_in(booking)
    db.session.commit()
    flash(f"{booking.name} is no longer checked in.", "success")
    return back_to_list(event, booking)


@bp.post("/events/<slug:slug>/bookings/<int:booking_id>/cancel")
def cancel_booking_view(slug: str, booking_id: int):
    event, booking = load(slug, booking_id)
    was = booking.status
    promoted = cancel_booking(booking)
    if was != "cancelled":
        audit.record("booking cancelled", booking=booking, detail=booking.reference)
    if promoted is not None:
        audit.record("promoted from waiting list", booking=promoted,
                     detail=f"{promoted.reference}, into the place freed by {booking.reference}")
    db.session.commit()
    message = f"{booking.name}'s booking is cancelled; they will be emailed."
    if promoted is not None:
        message += f" {promoted.name} moves off the waiting list and will be emailed."
    flash(message, "success")
    return back_to_list(event, booking)


@bp.post("/events/<slug:slug>/bookings/<int:booking_id>/promote")
def promote(slug: str, booking_id: int):
    event, booking = load(slug, booking_id)
    try:
        promote_booking(booking)
    except BookingRefused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        audit.record("promoted from waiting list", booking=booking, detail=booking.reference)
        db.session.commit()
        flash(f"{booking.name} now has a confirmed place and will be emailed.", "success")
    return back_to_list(event, booking)


@bp.get("/events/<slug:slug>/sign-in-sheet")
def sign_in(slug: str):
    event = get_event(slug)
    return render_template("organiser/sign_in_sheet.html", event=event,
                           bookings=sign_in_sheet(event))


@bp.get("/events/<slug:slug>/attendees.csv")
def attendees_csv(slug: str):
    event = get_event(slug)
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        abort(404)
    audit.record("attendee list exported", event=event, detail=f"{status or 'all'} bookings, CSV")
    db.session.commit()
    return Response(
        stream_with_context(attendee_csv(event, status)),
        mimetype="text/csv",
        headers={"Content-Disposition":
                 f'attachment; filename="{export_filename(event, status)}"'},
    )


@bp.route("/events/<slug:slug>/erase", methods=["GET", "POST"])
def erase(slug: str):
    """Erase one person's personal data, at their request, from every event."""
    event = get_event(slug)
    form = EraseForm()
    if form.validate_on_submit():
        erased = erase_person(form.email.data)
        if not erased:
            form.email.errors.append("No booking with personal data uses that address.")
        else:
            db.session.commit()
            flash(f"Erased the personal data of {len(erased)} booking(s): "
                  + ", ".join(b.reference for b in erased) + ".", "success")
            return redirect(url_for("organiser.bookings", slug=event.slug))
    return render_template("organiser/erase.html", event=event, form=form)
