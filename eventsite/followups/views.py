"""Follow-ups: an organiser composes, previews, tests and sends; a recipient unsubscribes.

/admin/events/<slug>/follow-ups                        the event's follow-ups; compose one
/admin/events/<slug>/follow-ups/<id>                   one, with its preview and counts
/admin/events/<slug>/follow-ups/<id>/preview.html      the HTML part, sandboxed
/admin/events/<slug>/follow-ups/<id>/edit              change it until it is sent
/admin/events/<slug>/follow-ups/<id>/test              a copy to the organiser alone
/admin/events/<slug>/follow-ups/<id>/send              one copy to each person, once
/unsubscribe/<token>                                   stop follow-ups (RFC 8058 one-click)
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ..bookings.followup_links import booking_for_token, unsubscribe_from_followups
from ..extensions import csrf, db
from ..models import Event, FollowUp
from ..outbox.services import status_counts
from ..web.admin import admin_blueprint, commit_unless_refused
from ..web.forms import SubmissionForm, new_submission
from ..web.loaders import event_item_or_404, event_or_404
from ..web.security import sandboxed_html
from ..web.text import people
from . import services
from .forms import FollowUpForm
from .timing import needs_confirmation_before_start

bp = Blueprint("followups", __name__)
admin = admin_blueprint("followups_admin", __name__)


def load(slug: str, follow_up_id: int) -> tuple[Event, FollowUp]:
    event = event_or_404(slug)
    return event, event_item_or_404(FollowUp, follow_up_id, event)


def follow_up_page(event: Event, follow_up: FollowUp):
    return redirect(url_for(".follow_up", slug=event.slug, follow_up_id=follow_up.id))


def preview_for_organiser(follow_up: FollowUp):
    """The follow-up as the organiser would receive it, and None; or None and why it
    cannot be shown."""
    try:
        preview = services.render_follow_up(follow_up, current_user.name or current_user.email)
        return preview, None
    except services.FollowUpRefused as refusal:
        return None, str(refusal)


@admin.route("/events/<slug:slug>/follow-ups", methods=["GET", "POST"])
def follow_ups(slug: str):
    event = event_or_404(slug)
    form = FollowUpForm(resources=services.event_resources(event),
                        audience_sizes=services.audience_sizes(event))
    if form.validate_on_submit():
        try:
            follow_up = services.create_follow_up(
                event, subject=form.subject.data, message=form.message.data,
                audience=form.audience.data, resources=form.chosen_resources(),
                organiser=current_user._get_current_object())
        except services.FollowUpRefused as refusal:
            form.resources.errors.append(str(refusal))
        else:
            db.session.commit()
            flash("Follow-up saved. Check the preview, send yourself a test, then send it.",
                  "success")
            return follow_up_page(event, follow_up)
    rows = [(f, services.follow_up_counts(f)) for f in services.event_follow_ups(event)]
    return render_template("followups/follow_ups.html", event=event, form=form,
                           follow_ups=rows, audiences=services.AUDIENCES,
                           is_attached=services.is_attached)


@admin.get("/events/<slug:slug>/follow-ups/<int:follow_up_id>")
def follow_up(slug: str, follow_up_id: int):
    event, follow_up = load(slug, follow_up_id)
    preview, problem = preview_for_organiser(follow_up)
    messages = services.follow_up_messages(follow_up)
    return render_template(
        "followups/follow_up.html", event=event, follow_up=follow_up, preview=preview,
        problem=problem, counts=status_counts(messages), messages=messages,
        audiences=services.AUDIENCES, audience_size=services.audience_size(follow_up),
        to_send=len(services.recipients_to_send(follow_up)),
        test_form=SubmissionForm(submission=new_submission()), is_attached=services.is_attached,
        before_start=needs_confirmation_before_start(follow_up),
    )


@admin.get("/events/<slug:slug>/follow-ups/<int:follow_up_id>/preview.html")
def preview_html(slug: str, follow_up_id: int):
    _event, follow_up = load(slug, follow_up_id)
    preview, problem = preview_for_organiser(follow_up)
    if preview is None:
        return sandboxed_html(str(Markup("<p>{}</p>").format(problem)), framed_by_site=True)
    return sandboxed_html(preview.html, framed_by_site=True)


@admin.route("/events/<slug:slug>/follow-ups/<int:follow_up_id>/edit", methods=["GET", "POST"])
def edit(slug: str, follow_up_id: int):
    event, follow_up = load(slug, follow_up_id)
    if follow_up.is_sent:
        flash("This follow-up has been sent, so it can no longer be changed.", "warning")
        return follow_up_page(event, follow_up)
    form = FollowUpForm(obj=follow_up, resources=services.event_resources(event),
                        audience_sizes=services.audience_sizes(event))
    if not form.is_submitted():
        form.resources.data = [r.id for r in follow_up.resources]
    if form.validate_on_submit():
        try:
            services.update_follow_up(
                follow_up, subject=form.subject.data, message=form.message.data,
                audience=form.audience.data, resources=form.chosen_resources())
        except services.FollowUpRefused as refusal:
            form.resources.errors.append(str(refusal))
        else:
            db.session.commit()
            flash("Follow-up saved.", "success")
            return follow_up_page(event, follow_up)
    return render_template("followups/follow_up_form.html", event=event, form=form,
                           follow_up=follow_up, is_attached=services.is_attached)


@admin.post("/events/<slug:slug>/follow-ups/<int:follow_up_id>/test")
def send_test(slug: str, follow_up_id: int):
    event, follow_up = load(slug, follow_up_id)
    form = SubmissionForm()
    if not form.submission_ok:
        flash("The form was incomplete. Send the test again.", "error")
        return follow_up_page(event, follow_up)
    organiser = current_user._get_current_object()
    if commit_unless_refused(services.FollowUpRefused, services.send_follow_up_test,
                             follow_up, organiser, form.submission.data):
        flash(f"A test is on its way to you at {current_user.email}.", "success")
    return follow_up_page(event, follow_up)


@admin.post("/events/<slug:slug>/follow-ups/<int:follow_up_id>/send")
def send(slug: str, follow_up_id: int):
    event, follow_up = load(slug, follow_up_id)
    if needs_confirmation_before_start(follow_up) and request.form.get("before_start") != "yes":
        flash("Nothing was sent: this follow-up thanks people for coming, and the event has "
              "not started yet. Tick the box to send it before the event anyway.", "warning")
        return follow_up_page(event, follow_up)
    queued = commit_unless_refused(services.FollowUpRefused, services.send_follow_up,
                                   follow_up)
    if queued:
        flash(f"The follow-up is on its way to {people(queued)}.", "success")
    elif queued is not None:
        flash("Nobody new to send to: everyone in the audience already has it.", "warning")
    return follow_up_page(event, follow_up)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """A GET only shows the button (link checkers fetch links); a POST, one-click or from
    the button, stops follow-ups. The signed token alone says whose."""
    booking = booking_for_token(token)
    if booking is None:
        return render_template("followups/unsubscribe_invalid.html"), 404
    if request.method == "POST":
        unsubscribe_from_followups(booking)
        db.session.commit()
        # Answered directly rather than redirected: one-click senders expect a 2xx.
        return render_template("followups/unsubscribe_done.html", booking=booking)
    return render_template(
        "followups/unsubscribe_confirm.html",
        booking=booking,
        already=booking.followup_unsubscribed_at is not None,
    )
