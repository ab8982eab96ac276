"""An attendee takes the place offered to them from the waiting list.

/bookings/<token>/accept                     POST: confirm the offered place
"""
from __future__ import annotations

from flask import flash, redirect, url_for

from ..extensions import db, limiter
from . import pages
from .forms import CancelBookingForm
from .offers import accept_offer
from .services import BookingRefused
from .views import BOOKING_POST_LIMIT, EXPIRED_FORM, bp


@bp.post("/bookings/<token>/accept")
@limiter.limit(BOOKING_POST_LIMIT)
def accept(token: str):
    booking = pages.booking_or_404(token)
    back = redirect(url_for(".manage", token=token), code=303)
    if not CancelBookingForm().validate_on_submit():  # the form token alone
        flash(EXPIRED_FORM, "error")
        return back
    try:
        accept_offer(booking)
    except BookingRefused as refused:
        db.session.rollback()
        flash(refused.message, "warning")
        return back
    db.session.commit()
    flash("The place is yours. We have emailed you the confirmation with a calendar "
          "invitation.", "success")
    return back
