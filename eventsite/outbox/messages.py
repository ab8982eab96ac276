"""Writing email to the outbox: one row per message, in the caller's transaction.

Nothing here talks to SMTP. The worker (`flask outbox run`) sends what is queued.
"""
from __future__ import annotations

import re
from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Booking, Event, OutboxMessage
from .delivery import Attachment, OutgoingEmail, email_bytes
from .dkim_keys import signed

_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x1f\x7f\u2028\u2029\x85]+")


def header_text(value: str) -> str:
    """Fold anything that could end a header line into a space: no header injection."""
    return _LINE_BREAKS.sub(" ", value or "").strip()


def mailbox(name: str, address: str) -> str:
    """'Name <address>', safe to put in a header whatever the name holds."""
    return formataddr((header_text(name), header_text(address)))


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
    private_links: tuple[str, ...] = (),
) -> OutboxMessage:
    """Queue one email, rendered now from `email/<template>.txt` and `.html`, and built.

    The dedupe_key makes queueing idempotent: if a message with that key was already
    queued (by this or any other process), nothing new is written and that message is
    returned. The email, attachments and all, is built here, once, with its Message-ID,
    DKIM-signed if DKIM_* is set, and kept as the bytes every attempt sends. If it cannot
    be built, that is a fault in the caller: the error propagates and the caller's
    transaction should fail with it, rather than keep a message that could never be sent.

    `private_links` (a booking's manage link) are for the recipient alone: the email sent
    carries them, but the text and HTML kept for the mail log never do, and the stored
    email loses them once it has been sent or has finally failed, so no working link is
    left at rest in the database or its backups.
    """
    existing = queued_message(dedupe_key)
    if existing is not None:
        return existing
    outgoing = render_email(
        to=to, subject=subject, template=template,
        context={"event": event, "booking": booking, **(context or {})},
        attachments=attachments, headers=headers or {},
    )
    message = OutboxMessage(
        kind=kind,
        dedupe_key=dedupe_key,
        message_id=outgoing.message_id,
        recipient=outgoing.recipient,
        subject=outgoing.subject,
        body_text=without_links(outgoing.body_text, private_links),
        body_html=without_links(outgoing.body_html, private_links),
        headers=outgoing.headers,
        event_id=event.id if event is not None else None,
        booking_id=booking.id if booking is not None else None,
        raw=signed(email_bytes(outgoing)),  # signed as it is sent: no refolding after
        holds_private_links=bool(private_links),
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        # Another transaction queued the same key first: that message stands.
        return queued_message(dedupe_key)
    return message


def queued_message(dedupe_key: str) -> OutboxMessage | None:
    """The message already queued under this dedupe key, if any."""
    return db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    )


def render_email(*, to: str, subject: str, template: str, context: dict,
                 attachments, headers: dict[str, str]) -> OutgoingEmail:
    """The email rendered from `email/<template>.txt` and `.html` with a new Message-ID,
    every header value folded onto one line (no header injection)."""
    host = urlsplit(current_app.config["SITE_URL"]).hostname or "eventsite"
    return OutgoingEmail(
        message_id=make_msgid(domain=host), recipient=header_text(to),
        subject=header_text(subject),
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", **context),
        headers={header_text(k): header_text(v) for k, v in headers.items()},
        attachments=tuple(Attachment(header_text(a.filename), a.content_type, a.data)
                          for a in attachments),
    )


PRIVATE_LINK_NOTE = "(the recipient's own link, not kept)"


def without_links(text: str, links: tuple[str, ...]) -> str:
    """The text with each of the links replaced by a note."""
    for link in links:
        text = text.replace(link, PRIVATE_LINK_NOTE)
    return text
