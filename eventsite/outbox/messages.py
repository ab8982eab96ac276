"""Writing email to the outbox: one row per message, in the caller's transaction.

Nothing here talks to SMTP. The worker (`flask outbox run`) sends what is queued.
"""
from __future__ import annotations

import re
from email.utils import formataddr, make_msgid, parseaddr

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Booking, Event, OutboxMessage, OutboxStatus
from ..web.urls import site_host
from .delivery import Attachment, CalendarInvitation, OutgoingEmail, email_bytes
from .dkim_keys import signed
from .inline_images import InlineImage
from .standing import not_sent_note, tried_once_note
from .stored_copies import with_bodies
from .suppressions import suppression_of

_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x1f\x7f\u2028\u2029\x85]+")


def header_text(value: str) -> str:
    """Fold anything that could end a header line into a space: no header injection."""
    return _LINE_BREAKS.sub(" ", value or "").strip()


def mailbox(name: str, address: str) -> str:
    """'Name <address>', safe to put in a header whatever the name holds."""
    return formataddr((header_text(name), header_text(address)))


def queue_email(*, dedupe_key: str, **email) -> OutboxMessage:
    """Queue one email, rendered now from `email/<template>.txt` and `.html`, and built.

    Idempotent by dedupe_key: a message already queued under it (by any process) is
    returned and nothing is written. The email is built here, once, with its Message-ID,
    DKIM-signed if DKIM_* is set, and kept as the bytes every attempt sends; if it cannot
    be built the error propagates and the caller's transaction fails with it.
    `private_links` are for the recipient alone: the text and HTML kept for the mail log
    never hold them, and the stored email loses them once sent or finally failed.
    `bulk` mail carries List-Id and is kept unsent (`suppressed`, with why) for a
    suppressed address; other mail to one gets one attempt. `automatic` mail says so
    (Auto-Submitted). A `calendar` invitation goes beside the text and HTML and as a file.
    `inline_images` go beside the HTML, which shows them as `cid:`; they count as private
    (a check-in QR code) and are left out of the stored email with the private links.
    (The arguments are those of `prepare_email`.)
    """
    existing = queued_message(dedupe_key)
    if existing is not None:
        return existing
    return store_email(prepare_email(dedupe_key=dedupe_key, **email))


def prepare_email(
    *,
    kind: str,
    dedupe_key: str,
    to: str,
    subject: str,
    template: str,
    context: dict | None = None,
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
    calendar: CalendarInvitation | None = None,
    inline_images: tuple[InlineImage, ...] = (),
    headers: dict[str, str] | None = None,
    event: Event | None = None,
    booking: Booking | None = None,
    private_links: tuple[str, ...] = (),
    bulk: bool = False,
    automatic: bool = False,
) -> OutboxMessage:
    """Everything of `queue_email` but storing: the email rendered, built, signed and held
    back if its address is suppressed, as an outbox row not yet in the session.

    For a caller that holds a lock while it decides: prepare before taking the lock, then
    `store_email` in the same transaction as the change the email is about. A `booking`
    not yet inserted leaves the row's booking id empty, for the caller to fill in once it
    has one.
    """
    outgoing = render_email(
        to=to, subject=subject, template=template,
        context={"event": event, "booking": booking, **(context or {})},
        attachments=attachments, calendar=calendar, inline_images=inline_images,
        headers={**(headers or {}), **list_headers(event, bulk=bulk, automatic=automatic)},
    )
    message = outbox_row(outgoing, kind=kind, dedupe_key=dedupe_key, event=event,
                         booking=booking, private_links=private_links)
    hold_for_suppression(message, bulk=bulk)
    return message


def store_email(message: OutboxMessage) -> OutboxMessage:
    """Write a prepared email to the outbox in the caller's transaction, once per dedupe
    key: if one is queued under its key already, that one is returned instead."""
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        # Another transaction queued the same key first: that message stands.
        return queued_message(message.dedupe_key)
    return message


def outbox_row(outgoing: OutgoingEmail, *, kind: str, dedupe_key: str, event: Event | None,
               booking: Booking | None, private_links: tuple[str, ...]) -> OutboxMessage:
    """The outbox row of a built email: its bytes, signed as they are sent (no refolding
    after), and for the mail log its text and HTML without any private link."""
    return OutboxMessage(
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
        raw=signed(email_bytes(outgoing)),
        holds_private_links=bool(private_links),
    )


def list_headers(event: Event | None, *, bulk: bool, automatic: bool) -> dict[str, str]:
    """List-Id (RFC 2919) on bulk mail about an event, `"Title" <slug.site-host>`, so it
    can be told from booking mail sent from the same domain (no Precedence: bulk), and
    Auto-Submitted (RFC 3834) on mail no person sent."""
    headers = {}
    if bulk and event is not None:
        title = header_text(event.title).replace("\\", "").replace('"', "'")
        headers["List-Id"] = f'"{title}" <{event.slug}.{site_host()}>'
    if automatic:
        headers["Auto-Submitted"] = "auto-generated"
    return headers


def hold_for_suppression(message: OutboxMessage, *, bulk: bool) -> None:
    """Bulk mail to a suppressed address is kept unsent, with why, and without any private
    link; other mail to it is left one attempt (the worker gives up at the maximum)."""
    suppression = suppression_of(parseaddr(message.recipient)[1] or message.recipient)
    if suppression is None:
        return
    if bulk:
        message.status = OutboxStatus.SUPPRESSED
        message.last_error = not_sent_note(suppression)
        if message.holds_private_links:
            message.raw = with_bodies(message.raw, message.body_text, message.body_html)
            message.holds_private_links = False
    else:
        message.max_attempts = 1
        message.last_error = tried_once_note(suppression)


def queued_message(dedupe_key: str) -> OutboxMessage | None:
    """The message already queued under this dedupe key, if any."""
    return db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    )


def render_email(*, to: str, subject: str, template: str, context: dict,
                 attachments, headers: dict[str, str],
                 calendar: CalendarInvitation | None = None,
                 inline_images: tuple[InlineImage, ...] = ()) -> OutgoingEmail:
    """The email rendered from `email/<template>.txt` and `.html` with a new Message-ID,
    every header value folded onto one line (no header injection)."""
    return OutgoingEmail(
        message_id=make_msgid(domain=site_host()), recipient=header_text(to),
        subject=header_text(subject),
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", **context),
        headers={header_text(k): header_text(v) for k, v in headers.items()},
        attachments=tuple(Attachment(header_text(a.filename), a.content_type, a.data)
                          for a in attachments),
        calendar=calendar,
        inline_images=tuple(inline_images),
    )


PRIVATE_LINK_NOTE = "(the recipient's own link, not kept)"


def without_links(text: str, links: tuple[str, ...]) -> str:
    """The text with each of the links replaced by a note."""
    for link in links:
        text = text.replace(link, PRIVATE_LINK_NOTE)
    return text
