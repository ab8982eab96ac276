"""The organiser's attendee data: the CSV, the sign-in sheet, emailing the list, erasure.

/admin/events/<slug>/attendees.csv       the export, streamed (?status= one status only)
/admin/events/<slug>/sign-in-sheet       confirmed people by surname, to print
/admin/events/<slug>/attendee-list       email the list to speakers, venue, colleagues
/admin/events/<slug>/erase               erase one person's data at their request
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..bookings.queries import confirmed_by_surname
from ..extensions import db
from ..models import BookingStatus
from ..outbox.services import status_counts
from ..web.admin import admin_blueprint
from ..web.forms import new_submission
from ..web.loaders import event_or_404
from ..web.text import people
from .export import csv_download, export_attendees
from .forms import AttendeeListForm, EraseForm
from .lists import email_attendee_list, submission_messages
from .privacy import erase_person

admin = admin_blueprint("attendees_admin", __name__)


@admin.get("/events/<slug:slug>/attendees.csv")
def export_csv(slug: str):
    event = event_or_404(slug)
    status = request.args.get("status") or None
    if status is not None and status not in set(BookingStatus):
        abort(404)
    chunks = export_attendees(event, status, via="CSV")
    db.session.commit()
    return csv_download(event, status, chunks)


@admin.get("/events/<slug:slug>/sign-in-sheet")
def sign_in_sheet(slug: str):
    event = event_or_404(slug)
    return render_template("attendees/sign_in_sheet.html", event=event,
                           bookings=confirmed_by_surname(event))


@admin.route("/events/<slug:slug>/attendee-list", methods=["GET", "POST"])
def email_list(slug: str):
    event = event_or_404(slug)
    form = AttendeeListForm(event=event, speakers=[s for s in event.speakers if s.email])
    if request.method == "POST" and not form.submission_ok:
        form.submission.data = new_submission()
        flash("The form was incomplete. Check it and send it again.", "error")
    elif form.validate_on_submit():
        _messages, new = email_attendee_list(event, form.recipients(), form.note.data,
                                             form.submission.data,
                                             with_access_needs=form.with_access_needs)
        db.session.commit()
        if new:
            flash(f"The attendee list is on its way to {people(new)}.", "success")
        else:
            flash("That form was already sent; nobody gets the list twice.", "warning")
        return redirect(url_for(".email_list", slug=event.slug, sent=form.submission.data))
    if not form.submission.data:
        form.submission.data = new_submission()
    if request.method == "GET":  # everyone the list is usually for, ticked to start with
        form.speakers.data = [speaker.id for speaker in form.speaker_choices]
        form.organiser_contact.data = bool(event.organiser_email)
    sent = submission_messages(event, request.args.get("sent", ""))
    return render_template("attendees/attendee_list.html", event=event, form=form,
                           sent=sent, sent_counts=status_counts(sent))


@admin.route("/events/<slug:slug>/erase", methods=["GET", "POST"])
def erase(slug: str):
    """Erase one person's personal data, at their request, from every event."""
    event = event_or_404(slug)
    form = EraseForm()
    if form.validate_on_submit():
        erased = erase_person(form.email.data)
        if not erased:
            form.email.errors.append("No booking with personal data uses that address.")
        else:
            db.session.commit()
            flash(f"Erased the personal data of {len(erased)} booking(s): "
                  + ", ".join(b.reference for b in erased) + ".", "success")
            return redirect(url_for("bookings_admin.bookings", slug=event.slug))
    return render_template("attendees/erase.html", event=event, form=form)
