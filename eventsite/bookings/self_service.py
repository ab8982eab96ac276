"""An attendee changes their own booking from its manage link.

/bookings/<token>/edit       their details, needs, answers and the follow-up choice
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..extensions import db, limiter
from . import pages
from .answers import active_questions, answers_from, form_values, form_with_questions
from .changes import ChangeRefused, change_own_booking, change_refusal, current_values
from .forms import BookingChangeForm
from .views import BOOKING_POST_LIMIT, EXPIRED_FORM, EXPIRED_FORM_PAGES, bp


def change_form(booking, formdata=None):
    """The change form for this booking, filled in with it as it stands."""
    questions = active_questions(booking.event_id)
    values = current_values(booking)
    values.update(form_values(booking, questions))
    form_class = form_with_questions(BookingChangeForm, questions)
    if formdata is not None:
        return form_class(formdata=formdata, data=values)
    return form_class(data=values)


@bp.route("/bookings/<token>/edit", methods=["GET", "POST"])
@limiter.limit(BOOKING_POST_LIMIT, methods=["POST"])
def edit(token: str):
    booking = pages.booking_or_404(token)
    refusal = change_refusal(booking)
    if refusal is not None:
        flash(str(refusal), "warning")
        return redirect(url_for(".manage", token=token), code=303)
    form = change_form(booking)
    if form.validate_on_submit():
        try:
            changed = change_own_booking(booking, form.values(), answers_from(form))
        except ChangeRefused as refused:
            db.session.rollback()
            flash(str(refused), "warning")
            return redirect(url_for(".manage", token=token), code=303)
        db.session.commit()
        flash("Your changes are saved." if changed else "Nothing was changed.", "success")
        return redirect(url_for(".manage", token=token), code=303)
    return edit_page(booking, form, token, 422 if form.is_submitted() else 200)


def edit_page(booking, form, token: str, status: int, problem: str | None = None):
    return pages.private((render_template(
        "bookings/edit.html", booking=booking, event=booking.event, form=form, token=token,
        problem=problem,
    ), status))


def expired_edit_form(token: str):
    """An expired form token on the change form: the form again as typed, saying so."""
    booking = pages.booking_or_404(token)
    return edit_page(booking, change_form(booking, formdata=request.form), token, 400,
                     problem=EXPIRED_FORM)


EXPIRED_FORM_PAGES["bookings.edit"] = expired_edit_form
