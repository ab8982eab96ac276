"""The mail log: every email in the outbox, a preview of each, and retrying failures."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for

from ..extensions import db
from ..models import Event, OutboxMessage
from ..outbox.delivery import sender
from ..outbox.mail_log import (
    attached_files, events_of, list_messages, message_event, requeue_failed_messages,
    requeue_message,
)
from ..outbox.services import STATUSES, can_retry, outbox_counts
from . import bp
from .listing import requested_event, requested_page

# The HTML part is our own template output, but it holds text people typed; shown
# sandboxed (no script, no same-origin access), with the inline styles email uses.
SANDBOXED_EMAIL_POLICY = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; "
                          "img-src data:; frame-ancestors 'none'")


def sandboxed_html(html: str) -> Response:
    response = Response(html or "<p>This message has no HTML part.</p>", mimetype="text/html")
    response.headers["Content-Security-Policy"] = SANDBOXED_EMAIL_POLICY
    return response


def get_message(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return message


@bp.get("/mail")
def mail_log():
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    slug, event = requested_event()
    page = requested_page()
    event_id = None
    if slug:
        event_id = event.id if event else -1  # an unknown event: no messages, not all
    log = list_messages(status=status, event_id=event_id, page=page)
    return render_template(
        "organiser/mail.html", log=log, events_by_id=events_of(log.messages),
        can_retry=can_retry,
        counts=outbox_counts(event.id if event else None), status=status, statuses=STATUSES,
        slug=slug, event=event,
        events=db.session.scalars(sa.select(Event).order_by(Event.starts_at.desc())).all(),
    )


@bp.get("/mail/<int:message_id>")
def mail_message(message_id: int):
    message = get_message(message_id)
    return render_template(
        "organiser/mail_message.html", message=message, event=message_event(message),
        attachments=attached_files(message), sender=sender(), can_retry=can_retry(message),
    )


@bp.get("/mail/<int:message_id>/html")
def mail_message_html(message_id: int):
    return sandboxed_html(get_message(message_id).body_html)


@bp.get("/mail/<int:message_id>/message.eml")
def mail_message_eml(message_id: int):
    """The whole email as it is sent, attachments and all, to open in a mail program."""
    message = get_message(message_id)
    if not message.raw:  # erased with its recipient's data: nothing is left to open
        abort(404)
    return Response(message.raw, mimetype="message/rfc822", headers={
        "Content-Disposition": f'attachment; filename="message-{message.id}.eml"'})


@bp.post("/mail/<int:message_id>/retry")
def retry_mail_message(message_id: int):
    message = get_message(message_id)
    if requeue_message(message):
        db.session.commit()
        flash(f"The email to {message.recipient} will be sent again shortly.", "success")
    else:
        flash("Only a failed email can be sent again.", "error")
    if request.form.get("back") == "log":
        return redirect(url_for("organiser.mail_log"))
    return redirect(url_for("organiser.mail_message", message_id=message.id))


@bp.post("/mail/retry-failed")
def retry_failed_mail():
    count = requeue_failed_messages()
    db.session.commit()
    flash(f"{count} failed email(s) will be sent again shortly." if count
          else "There are no failed emails to send again.", "success" if count else "warning")
    return redirect(url_for("organiser.mail_log"))
