"""The bookings page's own actions: cancel with a confirmation page, and bulk actions.

/admin/events/<slug>/bookings/<id>/cancel   GET: who will be emailed and who moves up;
                                            POST: cancel (not while checked in)
/admin/events/<slug>/bookings/bulk          the ticked bookings: check them in, or
                                            write them an email (the compose page)
/admin/events/<slug>/bookings/email         send that email to each, through the outbox
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from ..extensions import db
from ..models import Booking, Event
from ..web.forms import new_submission
from ..web.loaders import event_or_404
from ..web.text import people
from .desk import (
    CancelRefused,
    cancel_from_the_desk,
    cancellation_refusal,
    check_in_bookings,
    email_bookings,
    moving_up,
)
from .desk_forms import BulkForm, CancelForm, ticked_ids
from .views import admin, back_to_list, load

NOTHING_TICKED = "Tick at least one booking first."


@admin.route("/events/<slug:slug>/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
def cancel_booking_view(slug: str, booking_id: int):
    event, booking = load(slug, booking_id)
    form = CancelForm()
    if form.validate_on_submit():
        name, back = booking.name, back_to_list(event, booking)
        try:
            promoted = cancel_from_the_desk(booking)
        except CancelRefused as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
            return redirect(url_for(".cancel_booking_view", slug=slug, booking_id=booking_id))
        db.session.commit()
        message = f"{name}'s booking is cancelled; they will be emailed."
        if promoted is not None and promoted.has_offer:
            message += f" {promoted.name} is offered the place and will be emailed."
        elif promoted is not None:
            message += f" {promoted.name} moves off the waiting list and will be emailed."
        flash(message, "success")
        return back
    return render_template(
        "bookings/admin/cancel_booking.html", event=event, booking=booking, form=form,
        refusal=cancellation_refusal(booking), moving_up=moving_up(booking),
        q=request.args.get("q", "")[:200], status=request.args.get("status", "")[:20],
    )


def ticked_bookings(event: Event, values: list[str]) -> list[Booking]:
    """The event's bookings among the ids ticked, in the order of the list."""
    ids = ticked_ids(values)
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Booking).where(Booking.event_id == event.id, Booking.id.in_(ids))
        .order_by(Booking.created_at, Booking.id)
    ))


@admin.post("/events/<slug:slug>/bookings/bulk")
def bulk_action(slug: str):
    event = event_or_404(slug)
    bookings = ticked_bookings(event, request.form.getlist("booking"))
    if not bookings:
        flash(NOTHING_TICKED, "error")
        return back_to_list(event)
    if request.form.get("action") == "email":
        form = BulkForm(formdata=None, submission=new_submission())
        return email_page(event, bookings, form)
    back = back_to_list(event)
    checked, passed = check_in_bookings(bookings)
    db.session.commit()
    if checked:
        flash(f"{people(len(checked))} checked in.", "success")
    if passed:
        names = ", ".join(booking.name for booking in passed)
        flash(f"Not checked in, as only confirmed bookings can be: {names}.", "warning")
    return back


def email_page(event: Event, bookings: list[Booking], form: BulkForm, status: int = 200):
    return render_template("bookings/admin/email_bookings.html", event=event,
                           bookings=bookings, form=form), status


@admin.post("/events/<slug:slug>/bookings/email")
def email_ticked(slug: str):
    event = event_or_404(slug)
    bookings = ticked_bookings(event, request.form.getlist("booking"))
    form = BulkForm()
    if not bookings:
        flash(NOTHING_TICKED, "error")
        return back_to_list(event)
    if not form.validate_on_submit() or not form.submission_ok:
        if not form.submission_ok:
            form.submission.data = new_submission()
        return email_page(event, bookings, form, 422)
    back = back_to_list(event)
    sent = email_bookings(event, bookings, form.subject.data, form.message.data.strip(),
                          form.submission.data)
    db.session.commit()
    if sent:
        flash(f"Your email to {people(sent)} is on its way.", "success")
    else:
        flash("That email was sent already; nobody gets it twice.", "warning")
    return back
