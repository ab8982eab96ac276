"""The emails about one booking, each written as an outbox row in the caller's transaction.

Manage links. A manage token is stored only as a hash, so its raw value exists only at
the moment it is issued. Every email that carries a manage link (confirmation, waiting
list, promotion, reminder, and a confirmation sent again after a repeat booking) is
therefore queued together with a newly issued token (`services.issue_manage_token`), which
adds a link to the booking rather than replacing one: every link ever emailed for a
booking keeps working, so the attendee can use whichever email they open. Links stop
working only when the booking's personal data is anonymised or erased. The cancellation
email carries no new link: the earlier ones still show the booking as cancelled.

Each function is idempotent for the same booking and token (its dedupe key includes a
digest of the token), so a retried transaction cannot queue the same email twice, while a
re-send with a new token is a new message.
"""
from __future__ import annotations

from ..calendar import event_calendar, site_url
from ..models import Booking, OutboxMessage
from ..outbox.messages import Attachment, mailbox, queue_email
from ..text import format_when
from .tokens import hash_token

INVITE_FILENAME = "invite.ics"


def manage_url(token: str) -> str:
    """The absolute link to the attendee's own booking page."""
    return site_url(f"/bookings/{token}")


def queue_booking_confirmation(booking: Booking, token: str) -> OutboxMessage:
    """'You have a place': the details, the manage link and the calendar invitation."""
    return _queue(
        booking,
        token,
        kind="booking_confirmed",
        subject=f"Booking confirmed: {booking.event.title} ({booking.reference})",
        with_invite=True,
    )


def queue_waiting_list_notice(booking: Booking, token: str) -> OutboxMessage:
    """'You are on the waiting list': what happens next and the manage link."""
    return _queue(
        booking,
        token,
        kind="booking_waiting_list",
        subject=f"Waiting list: {booking.event.title} ({booking.reference})",
        with_invite=False,
    )


def queue_promotion_notice(booking: Booking, token: str) -> OutboxMessage:
    """'A place came up and it is yours': as the confirmation, with the invitation."""
    return _queue(
        booking,
        token,
        kind="booking_promoted",
        subject=f"You have a place: {booking.event.title} ({booking.reference})",
        with_invite=True,
    )


def queue_cancellation_notice(booking: Booking) -> OutboxMessage:
    """'Your booking is cancelled': sent once per booking, with a link to book again."""
    event = booking.event
    return queue_email(
        kind="booking_cancelled",
        dedupe_key=f"booking-cancelled:{booking.id}",
        to=mailbox(booking.name, booking.email),
        subject=f"Booking cancelled: {event.title} ({booking.reference})",
        template="booking_cancelled",
        context=_context(booking, manage_link=None),
        headers=_headers(booking),
        event=event,
        booking=booking,
    )


def _queue(booking: Booking, token: str, *, kind: str, subject: str,
           with_invite: bool) -> OutboxMessage:
    event = booking.event
    link = manage_url(token)
    attachments = []
    if with_invite:
        attachments.append(
            Attachment(INVITE_FILENAME, "text/calendar", event_calendar(event, link))
        )
    return queue_email(
        kind=kind,
        dedupe_key=f"{kind.replace('_', '-')}:{booking.id}:{hash_token(token)[:16]}",
        to=mailbox(booking.name, booking.email),
        subject=subject,
        template=kind,
        context=_context(booking, manage_link=link),
        attachments=attachments,
        headers=_headers(booking),
        event=event,
        booking=booking,
    )


def _context(booking: Booking, *, manage_link: str | None) -> dict:
    event = booking.event
    return {
        "manage_url": manage_link,
        "event_url": site_url(f"/events/{event.slug}"),
        "when": format_when(event.local_starts_at, event.local_ends_at),
        "where": ", ".join(part for part in (event.venue, event.address) if part),
    }


def _headers(booking: Booking) -> dict[str, str]:
    # Replies reach a person who can help rather than an unread mailbox.
    if booking.event.organiser_email:
        return {"Reply-To": booking.event.organiser_email}
    return {}
