"""The organiser area's shell: logging in and out, the dashboard, the audit log, the mail log.

/admin/login, /admin/logout           logging in (throttled) and out
/admin/                               every event, with its bookings by status
/admin/audit                          who exported, sent, cancelled, checked in or edited what
/admin/mail                           every email, where it stands; retry failures
/admin/mail/<id>                      one email: text, HTML (sandboxed), .eml, retry
/admin/suppressions                   addresses that get no bulk mail, and why; lift one
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..bookings.queries import counts_by_event
from ..database import utcnow
from ..extensions import db, limiter
from ..models import AuditEntry, Event, OutboxMessage, OutboxStatus
from ..outbox.delivery import sender
from ..outbox.services import (
    attached_files,
    can_retry,
    events_of,
    list_messages,
    message_event,
    outbox_counts,
    retry_failed_messages,
    retry_message,
)
from ..outbox.suppressions import all_suppressions, lift_suppression
from ..web.admin import admin_blueprint
from ..web.errors import render_error
from ..web.security import sandboxed_html
from .auth import log_in, log_out, login_account_key, login_failed, safe_next
from .forms import LoginForm
from .listing import requested_event, requested_page

bp = admin_blueprint("organiser", __name__)
AUDIT_PAGE_SIZE = 100
# The same words whether or not the account exists: the page never says which it was.
LOGIN_MISMATCH = ("That email and password don't match an organiser account. Check both "
                  "(the password is case-sensitive) and try again.")
LOGIN_PAUSED_HERE = ("Too many attempts to log in from this connection. Wait a minute, "
                     "then try again.")
LOGIN_PAUSED_FOR_EMAIL = (
    "Too many attempts to log in with this email from here, so logging in with it is paused "
    "for up to an hour. If the password is forgotten, another organiser can set a new one "
    "with `flask organiser password`."
)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])  # per client address
@limiter.limit("20 per hour", methods=["POST"], key_func=login_account_key,
               deduct_when=login_failed)
def login():
    next_path = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for(".index"))
    form = LoginForm()
    if form.validate_on_submit():
        organiser = log_in(form.email.data, form.password.data)
        db.session.commit()
        if organiser is not None:
            flash("You are logged in.", "success")
            return redirect(next_path or url_for(".index"))
        return render_template("organiser/login.html", form=form, problem=LOGIN_MISMATCH)
    return render_template("organiser/login.html", form=form), 200


@bp.errorhandler(429)
def login_paused(error):
    """The login page again, saying which limit was reached and what to do, with the
    address still typed; any other page's 429 is the usual error page."""
    if request.endpoint != "organiser.login":
        return render_error(error)
    hourly = "hour" in str(getattr(error, "description", ""))
    problem = LOGIN_PAUSED_FOR_EMAIL if hourly else LOGIN_PAUSED_HERE
    return render_template("organiser/login.html", form=LoginForm(), problem=problem,
                           paused=True), 429


@bp.post("/logout")
def logout():
    log_out()
    db.session.commit()
    flash("You are logged out.", "success")
    return redirect(url_for(".login"))


@bp.get("/")
def index():
    events = db.session.scalars(sa.select(Event).order_by(Event.starts_at)).all()
    now = utcnow()
    upcoming = [event for event in events if not event.has_ended(now)]
    past = [event for event in events if event.has_ended(now)][::-1]
    return render_template("organiser/events.html", upcoming=upcoming, past=past,
                           counts=counts_by_event(events))


@bp.get("/audit")
def audit_log():
    slug, event = requested_event()
    page = requested_page()
    query = sa.select(AuditEntry).options(selectinload(AuditEntry.event))
    if slug:
        query = query.where(AuditEntry.event_id == (event.id if event else -1))
    entries = db.session.scalars(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(AUDIT_PAGE_SIZE + 1).offset((page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    return render_template(
        "organiser/audit.html", entries=entries[:AUDIT_PAGE_SIZE], event=event, slug=slug,
        page=page, has_more=len(entries) > AUDIT_PAGE_SIZE,
    )


@bp.get("/mail")
def mail_log():
    status = request.args.get("status", "")
    status = status if status in set(OutboxStatus) else ""
    slug, event = requested_event()
    event_id = None
    if slug:
        event_id = event.id if event else -1  # an unknown event: no messages, not all
    log = list_messages(status=status, event_id=event_id, page=requested_page())
    return render_template(
        "organiser/mail.html", log=log, events_by_id=events_of(log.messages),
        can_retry=can_retry, counts=outbox_counts(event.id if event else None),
        status=status, statuses=list(OutboxStatus), slug=slug, event=event,
        events=db.session.scalars(sa.select(Event).order_by(Event.starts_at.desc())).all(),
    )


@bp.get("/mail/<int:message_id>")
def mail_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template(
        "organiser/mail_message.html", message=message, event=message_event(message),
        attachments=attached_files(message), sender=sender(), can_retry=can_retry(message),
    )


@bp.get("/mail/<int:message_id>/html")
def mail_message_html(message_id: int):
    return sandboxed_html(db.get_or_404(OutboxMessage, message_id).body_html)


@bp.get("/mail/<int:message_id>/message.eml")
def mail_message_eml(message_id: int):
    """The whole email as it is sent, attachments and all, to open in a mail program."""
    message = db.get_or_404(OutboxMessage, message_id)
    if not message.raw:  # erased with its recipient's data: nothing is left to open
        abort(404)
    return Response(message.raw, mimetype="message/rfc822", headers={
        "Content-Disposition": f'attachment; filename="message-{message.id}.eml"'})


@bp.post("/mail/<int:message_id>/retry")
def retry_mail_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if retry_message(message):
        db.session.commit()
        flash(f"The email to {message.recipient} will be sent again shortly.", "success")
    else:
        flash("Only a failed email can be sent again.", "error")
    if request.form.get("back") == "log":
        return redirect(url_for(".mail_log"))
    return redirect(url_for(".mail_message", message_id=message.id))


@bp.post("/mail/retry-failed")
def retry_failed_mail():
    count = retry_failed_messages()
    db.session.commit()
    flash(f"{count} failed email(s) will be sent again shortly." if count
          else "There are no failed emails to send again.", "success" if count else "warning")
    return redirect(url_for(".mail_log"))


@bp.get("/suppressions")
def suppressions():
    return render_template("organiser/suppressions.html", suppressions=all_suppressions())


@bp.post("/suppressions/lift")
def lift_suppression_view():
    address = request.form.get("address", "")[:320]
    if "\x00" not in address and lift_suppression(address):  # NUL: no address, no query
        db.session.commit()
        flash(f"{address} will get follow-ups, reminders and attendee lists again.",
              "success")
    else:
        flash("That address is not suppressed.", "warning")
    return redirect(url_for(".suppressions"))
