"""'Email attendee list': the CSV export, sent to the speakers, the organiser contact and
any other addresses the organiser gives."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..extensions import db
from ..outbox.attendee_lists import (
    SUBMISSION_PATTERN, email_attendee_list, submission_messages,
)
from ..outbox.mail_log import status_counts
from . import bp
from .mail_forms import AttendeeListForm, new_submission
from .services import get_event


@bp.route("/events/<slug:slug>/attendee-list", methods=["GET", "POST"])
def attendee_list(slug: str):
    event = get_event(slug)
    form = AttendeeListForm(event=event, speakers=[s for s in event.speakers if s.email])
    if request.method == "POST" and not SUBMISSION_PATTERN.match(form.submission.data or ""):
        form.submission.data = new_submission()
        flash("The form was incomplete. Check it and send it again.", "error")
    elif form.validate_on_submit():
        messages, new = email_attendee_list(event, form.recipients(), form.note.data,
                                            form.submission.data)
        db.session.commit()
        if new:
            flash(f"The attendee list is on its way to {new} "
                  f"{'person' if new == 1 else 'people'}.", "success")
        else:
            flash("That form was already sent; nobody gets the list twice.", "warning")
        return redirect(url_for("organiser.attendee_list", slug=event.slug,
                                sent=form.submission.data))
    if not form.submission.data:
        form.submission.data = new_submission()
    if request.method == "GET":  # everyone the list is usually for, ticked to start with
        form.speakers.data = [speaker.id for speaker in form.speaker_choices]
        form.organiser_contact.data = bool(event.organiser_email)
    sent = submission_messages(event, request.args.get("sent", ""))
    return render_template("organiser/attendee_list.html", event=event, form=form,
                           sent=sent, sent_counts=status_counts(sent))
