"""Writing email to the outbox: one row per message, in the caller's transaction.

Nothing here talks to SMTP. The worker (`flask outbox run`) sends what is queued.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError

from ..calendar import site_url
from ..extensions import db
from ..models import Booking, Event, OutboxAttachment, OutboxMessage
from .delivery import OutgoingAttachment, OutgoingEmail, email_bytes

log = logging.getLogger(__name__)

_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x1f\x7f\u2028\u2029\x85]+")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def one_line(value: str) -> str:
    """Fold anything that could end a header line into a space: no header injection."""
    return _LINE_BREAKS.sub(" ", value or "").strip()


def mailbox(name: str, address: str) -> str:
    """'Name <address>', safe to put in a header whatever the name holds."""
    return formataddr((one_line(name), one_line(address)))


def queue_email(
    *,
    kind: str,
    dedupe_key: str,
    to: str,
    subject: str,
    template: str,
    context: dict | None = None,
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
    headers: dict[str, str] | None = None,
    event: Event | None = None,
    booking: Booking | None = None,
) -> OutboxMessage:
    """Queue one email, rendered now from `email/<template>.txt` and `.html`.

    The dedupe_key makes queueing idempotent: if a message with that key was already
    queued (by this or any other process), nothing new is written and that message is
    returned. The Message-ID is fixed here and kept across every retry: the email is
    built here, once, and every attempt sends those very bytes.
    """
    existing = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    )
    if existing is not None:
        return existing
    context = {"site_url": site_url, "event": event, "booking": booking, **(context or {})}
    host = urlsplit(current_app.config["SITE_URL"]).hostname or "eventsite"
    message = OutboxMessage(
        kind=kind,
        dedupe_key=dedupe_key,
        message_id=make_msgid(domain=host),
        recipient=one_line(to),
        subject=one_line(subject),
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", **context),
        headers={one_line(k): one_line(v) for k, v in (headers or {}).items()},
        event_id=event.id if event is not None else None,
        booking_id=booking.id if booking is not None else None,
        attachments=[
            OutboxAttachment(filename=one_line(a.filename), content_type=a.content_type,
                             data=a.data)
            for a in attachments
        ],
    )
    message.raw = built_email(message)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        # Another transaction queued the same key first: that message stands.
        return db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
    return message


def built_email(message: OutboxMessage) -> bytes | None:
    """The queued row as the email its recipient gets, byte for byte.

    None if it cannot be built: queueing never fails for it (the booking or change that
    caused it still stands), and the worker records why the message cannot be sent.
    """
    outgoing = OutgoingEmail(
        id=0, kind=message.kind, message_id=message.message_id,
        recipient=message.recipient, subject=message.subject,
        body_text=message.body_text, body_html=message.body_html,
        headers=message.headers, attempts=0,
        attachments=tuple(OutgoingAttachment(a.filename, a.content_type, a.data)
                          for a in message.attachments),
    )
    try:
        return email_bytes(outgoing)
    except Exception:
        log.exception("Outbox message %s could not be built; the worker will try again",
                      message.dedupe_key)
        return None
