"""Follow-ups per event: compose, preview, send a test to yourself, then send to people."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from ..extensions import db
from ..followups import (
    AUDIENCES, FollowUpRefused, audience_size, create_follow_up, event_follow_ups,
    event_resources, follow_up_counts, get_follow_up, is_attached, recipients_to_send,
    render_follow_up, send_follow_up, send_follow_up_test, update_follow_up,
)
from ..outbox.attendee_lists import SUBMISSION_PATTERN
from . import bp
from .mail import sandboxed_html
from .mail_forms import FollowUpForm, SubmissionForm, new_submission
from .services import get_event


def load(slug: str, follow_up_id: int):
    event = get_event(slug)
    follow_up = get_follow_up(event, follow_up_id)
    if follow_up is None:
        abort(404)
    return event, follow_up


def follow_up_page(event, follow_up):
    return redirect(url_for("organiser.follow_up", slug=event.slug, follow_up_id=follow_up.id))


@bp.route("/events/<slug:slug>/follow-ups", methods=["GET", "POST"])
def follow_ups(slug: str):
    event = get_event(slug)
    form = FollowUpForm(resources=event_resources(event))
    if form.validate_on_submit():
        try:
            follow_up = create_follow_up(
                event, subject=form.subject.data, message=form.message.data,
                audience=form.audience.data, resources=form.chosen_resources(),
                organiser=current_user._get_current_object())
        except FollowUpRefused as refusal:
            form.resources.errors.append(str(refusal))
        else:
            db.session.commit()
            flash("Follow-up saved. Check the preview, send yourself a test, then send it.",
                  "success")
            return follow_up_page(event, follow_up)
    rows = [(f, follow_up_counts(f)) for f in event_follow_ups(event)]
    return render_template("organiser/follow_ups.html", event=event, form=form,
                           follow_ups=rows, audiences=AUDIENCES, is_attached=is_attached)


@bp.get("/events/<slug:slug>/follow-ups/<int:follow_up_id>")
def follow_up(slug: str, follow_up_id: int):
    event, follow_up = load(slug, follow_up_id)
    preview, problem = None, None
    try:
        preview = render_follow_up(follow_up, current_user.name or current_user.email)
    except FollowUpRefused as refusal:
        problem = str(refusal)
    return render_template(
        "organiser/follow_up.html", event=event, follow_up=follow_up, preview=preview,
        problem=problem, counts=follow_up_counts(follow_up), audiences=AUDIENCES,
        audience_size=audience_size(follow_up), to_send=len(recipients_to_send(follow_up)),
        test_form=SubmissionForm(submission=new_submission()), is_attached=is_attached,
    )


@bp.get("/events/<slug:slug>/follow-ups/<int:follow_up_id>/preview.html")
def follow_up_preview_html(slug: str, follow_up_id: int):
    _event, follow_up = load(slug, follow_up_id)
    try:
        preview = render_follow_up(follow_up, current_user.name or current_user.email)
    except FollowUpRefused as refusal:
        return sandboxed_html(str(Markup("<p>{}</p>").format(str(refusal))))
    return sandboxed_html(preview.html)


@bp.route("/events/<slug:slug>/follow-ups/<int:follow_up_id>/edit", methods=["GET", "POST"])
def edit_follow_up(slug: str, follow_up_id: int):
    event, follow_up = load(slug, follow_up_id)
    if follow_up.is_sent:
        flash("This follow-up has been sent, so it can no longer be changed.", "warning")
        return follow_up_page(event, follow_up)
    form = FollowUpForm(obj=follow_up, resources=event_resources(event))
    if not form.is_submitted():
        form.resources.data = [r.id for r in follow_up.resources]
    if form.validate_on_submit():
        try:
            update_follow_up(follow_up, subject=form.subject.data, message=form.message.data,
                             audience=form.audience.data, resources=form.chosen_resources())
        except FollowUpRefused as refusal:
            form.resources.errors.append(str(refusal))
        else:
            db.session.commit()
            flash("Follow-up saved.", "success")
            return follow_up_page(event, follow_up)
    return render_template("organiser/follow_up_form.html", event=event, form=form,
                           follow_up=follow_up, is_attached=is_attached)


@bp.post("/events/<slug:slug>/follow-ups/<int:follow_up_id>/test")
def send_follow_up_test_view(slug: str, follow_up_id: int):
    event, follow_up = load(slug, follow_up_id)
    form = SubmissionForm()
    submission = form.submission.data or ""
    if not SUBMISSION_PATTERN.match(submission):
        flash("The form was incomplete. Send the test again.", "error")
        return follow_up_page(event, follow_up)
    try:
        send_follow_up_test(follow_up, current_user._get_current_object(), submission)
    except FollowUpRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        db.session.commit()
        flash(f"A test is on its way to you at {current_user.email}.", "success")
    return follow_up_page(event, follow_up)


@bp.post("/events/<slug:slug>/follow-ups/<int:follow_up_id>/send")
def send_follow_up_view(slug: str, follow_up_id: int):
    event, follow_up = load(slug, follow_up_id)
    try:
        queued = send_follow_up(follow_up)
    except FollowUpRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return follow_up_page(event, follow_up)
    db.session.commit()
    if queued:
        flash(f"The follow-up is on its way to {queued} "
              f"{'person' if queued == 1 else 'people'}.", "success")
    else:
        flash("Nobody new to send to: everyone in the audience already has it.", "warning")
    return follow_up_page(event, follow_up)
