"""One booking in full, for organisers: its details and every answer it gave.

/admin/events/<slug>/bookings/<id>
"""
from __future__ import annotations

from flask import render_template

from .answers import answered_questions
from .views import admin, load


@admin.get("/events/<slug:slug>/bookings/<int:booking_id>")
def booking_detail(slug: str, booking_id: int):
    event, booking = load(slug, booking_id)
    return render_template("bookings/admin/booking_detail.html", event=event,
                           booking=booking, answers=answered_questions(booking))
