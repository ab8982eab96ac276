"""The emails about one booking, each written as an outbox row in the caller's transaction.

Manage links. A manage token is stored only as a hash, so its raw value exists only at
the moment it is issued. Every email that carries a manage link (confirmation, waiting
list, promotion, reminder, and a confirmation sent again after a repeat booking) is
therefore queued together with a newly issued token (`issue_manage_token`), which
adds a link to the booking rather than replacing one: every link ever emailed for a
booking keeps working, so the attendee can use whichever email they open. Links stop
working 30 days after the event ends (`pages.booking_or_404`), or when the booking's
personal data is anonymised or erased. Calendar invitations carry the event's page only.
The cancellation email carries no new link: the earlier ones still show the booking as
cancelled (and nothing personal).

Check-in codes. Every email that carries a manage link to a confirmed booking
(confirmation, promotion, the confirmation sent again, the reminder) also carries that
link's check-in QR code, a PNG attached inline (`check_in.check_in_image`), with the
reference in large type beside it. Its address counts as a private link: the stored email
loses the image once sent (docs/SECURITY.md).

Walk-ins without an email address get no email at all: each function here returns None
for them, and the scheduled reminders never pick them.

Calendars. Every email that puts the event in the attendee's calendar (confirmation,
promotion, reminder) carries an iMIP REQUEST with the booking's UID and the event's
SEQUENCE; the cancellation carries a CANCEL with the same UID and the event's SEQUENCE
plus one, so it outranks every invitation sent for the event as it stands
(docs/CALENDAR.md).

Each function is idempotent for the same booking and token (its dedupe key includes a
digest of the token), so a retried transaction cannot queue the same email twice, while a
re-send with a new token is a new message.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import Booking, BookingStatus, Event, OutboxMessage
from ..outbox.delivery import CalendarInvitation
from ..outbox.messages import mailbox, prepare_email, queue_email, queued_message
from ..outbox.schedule import ScheduledMail, events_starting_within, start_stamp
from ..web.brand import contact_email
from ..web.text import format_date, format_time, format_when
from ..web.urls import absolute_url
from .calendar import CANCEL, booking_invitation
from .check_in import check_in_image, check_in_url
from .followup_links import list_unsubscribe_headers, unsubscribe_url
from .online import join_link_note
from .resends import RESEND_PREFIX
from .tokens import hash_token, issue_manage_token


def manage_url(token: str) -> str:
    """The absolute link to the attendee's own booking page."""
    return absolute_url("bookings.manage", token=token)


def queue_booking_confirmation(booking: Booking, token: str) -> OutboxMessage | None:
    """'You have a place': the details, the manage link and the calendar invitation."""
    return _queue(booking, "booking_confirmed", "Booking confirmed", token,
                  calendar=booking_invitation(booking))


def queue_waiting_list_notice(booking: Booking, token: str) -> OutboxMessage | None:
    """'You are on the waiting list': what happens next and the manage link."""
    return _queue(booking, "booking_waiting_list", "Waiting list", token)


def prepare_first_email(booking: Booking, token: str) -> OutboxMessage | None:
    """The confirmation or the waiting-list email (by the booking's status) of a booking not
    yet inserted, built now, so that none of it is done while the event is locked. Once the
    booking is inserted, `file_first_email` gives it the booking's id, and `store_email`
    keeps it in the booking's transaction."""
    if booking.status == BookingStatus.CONFIRMED:
        return _queue(booking, "booking_confirmed", "Booking confirmed", token,
                      calendar=booking_invitation(booking), send=prepare_email)
    return _queue(booking, "booking_waiting_list", "Waiting list", token, send=prepare_email)


def file_first_email(email: OutboxMessage, booking: Booking, token: str) -> None:
    """The booking's id on its first email built beforehand, now that it has one: the
    email's row and its dedupe key, as `_queue` would have written them."""
    email.booking_id = booking.id
    email.dedupe_key = _dedupe_key(email.kind, booking, token)


def queue_promotion_notice(booking: Booking, token: str) -> OutboxMessage | None:
    """'A place came up and it is yours': as the confirmation, with the invitation."""
    return _queue(booking, "booking_promoted", "You have a place", token,
                  calendar=booking_invitation(booking))


def queue_offer_notice(booking: Booking, token: str) -> OutboxMessage | None:
    """'A place is yours if you confirm by ...': the deadline and the manage link, whose
    page has the Confirm button. No invitation until the place is taken."""
    expires = booking.offer_expires_at.astimezone(booking.event.tz)
    return _queue(booking, "booking_offered", "A place for you", token,
                  extra={"offer_expires": expires})


def queue_offer_lapsed_notice(booking: Booking) -> OutboxMessage | None:
    """'The place offered to you has gone to the next person': sent once per booking."""
    return _queue(booking, "offer_lapsed", "Offer passed on")


def queue_booking_again(booking: Booking, token: str) -> OutboxMessage | None:
    """The confirmation or waiting-list email once more, after a repeat booking.

    Its dedupe key starts with RESEND_PREFIX, which is how re-sends are counted.
    """
    if booking.status == BookingStatus.CONFIRMED:
        return _queue(booking, "booking_confirmed", "Booking confirmed", token,
                      calendar=booking_invitation(booking), key_prefix=RESEND_PREFIX)
    return _queue(booking, "booking_waiting_list", "Waiting list", token,
                  key_prefix=RESEND_PREFIX)


def queue_cancellation_notice(booking: Booking) -> OutboxMessage | None:
    """'Your booking is cancelled': sent once per booking, with a link to book again, and,
    if the booking ever had a place (so an invitation), the CANCEL that takes the event out
    of the attendee's calendar."""
    calendar = None
    if booking.confirmed_at is not None:
        calendar = booking_invitation(booking, CANCEL, sequence=booking.event.sequence + 1)
    return _queue(booking, "booking_cancelled", "Booking cancelled", calendar=calendar)


def _queue(booking: Booking, kind: str, headline: str, token: str | None = None, *,
           calendar: CalendarInvitation | None = None, key_prefix: str = "",
           send=queue_email, extra: dict | None = None) -> OutboxMessage | None:
    """One email about the booking, headed '<headline>: <event> (<reference>)'. With a
    token it carries that manage link (and, for a confirmed booking, its check-in code)
    and is kept once per booking and token; without one, once per booking. None for a
    walk-in who gave no address."""
    if not booking.email:
        return None
    event = booking.event
    link = manage_url(token) if token is not None else None
    images, private_links = _check_in(booking, token)
    return send(
        kind=kind,
        dedupe_key=_dedupe_key(kind, booking, token, key_prefix),
        to=mailbox(booking.name, booking.email),
        subject=f"{headline}: {event.title} ({booking.reference})",
        template=kind,
        context={**_context(booking, manage_link=link), "check_in_image": images,
                 **(extra or {})},
        calendar=calendar,
        inline_images=images,
        headers=_headers(booking),
        event=event,
        booking=booking,
        private_links=((link,) if link else ()) + private_links,
    )


def _dedupe_key(kind: str, booking: Booking, token: str | None, key_prefix: str = "") -> str:
    """Once per booking, and per manage link for an email that carries one."""
    key = f"{key_prefix}{kind.replace('_', '-')}:{booking.id}"
    return f"{key}:{hash_token(token)[:16]}" if token is not None else key


def _check_in(booking: Booking, token: str | None) -> tuple[tuple, tuple[str, ...]]:
    """The check-in QR code of a confirmed booking's link, and its address (a private link)."""
    if token is None or booking.status != BookingStatus.CONFIRMED:
        return (), ()
    return (check_in_image(booking, token),), (check_in_url(token),)


def reminder_key(booking_id: int, event: Event) -> str:
    return f"reminder:{booking_id}:{start_stamp(event)}"


def queue_reminder(booking: Booking) -> OutboxMessage:
    """Queue the reminder for a confirmed booking: when, where, the .ics, the manage link.

    Once per booking and event start time, whatever the concurrency: the booking row is
    locked while we look for an earlier reminder, because queueing one adds a manage link
    (see above), which should be recorded only for the email that is kept.
    Carries List-Unsubscribe headers, which stop follow-ups (not the booking). Flushes;
    the caller commits.
    """
    event = booking.event
    key = reminder_key(booking.id, event)
    db.session.execute(sa.select(Booking.id).where(Booking.id == booking.id).with_for_update())
    existing = queued_message(key)
    if existing is not None:
        return existing
    token = issue_manage_token(booking)
    link = manage_url(token)
    images, check_in_links = _check_in(booking, token)
    starts = event.local_starts_at
    return queue_email(
        kind="reminder",
        dedupe_key=key,
        to=mailbox(booking.name, booking.email),
        subject=f"Reminder: {event.title}, {format_date(starts)} at {format_time(starts)}",
        template="reminder",
        context={"unsubscribe_url": unsubscribe_url(booking), "manage_url": link,
                 "check_in_image": images, **join_link_note(booking)},
        calendar=booking_invitation(booking),
        inline_images=images,
        headers={**list_unsubscribe_headers(booking), **_headers(booking)},
        event=event,
        booking=booking,
        private_links=(link, *check_in_links),
        bulk=True,
        automatic=True,
    )


def due_reminders(now: datetime) -> list[Booking]:
    """Confirmed bookings whose reminder time has come and whose reminder is not queued.

    Bookings confirmed after the reminder time are left out: their confirmation (or
    promotion) email, just sent, already says all a reminder would.
    """
    hours = current_app.config["REMINDER_HOURS"]
    bookings: list[Booking] = []
    for event in events_starting_within(now, hours):
        key = (sa.literal("reminder:") + sa.cast(Booking.id, sa.String)
               + sa.literal(f":{start_stamp(event)}"))
        already_queued = sa.exists().where(OutboxMessage.dedupe_key == key)
        bookings += db.session.scalars(
            sa.select(Booking).where(
                Booking.event_id == event.id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.email != "",  # a walk-in who gave no address
                sa.func.coalesce(Booking.confirmed_at, Booking.created_at)
                < event.starts_at - timedelta(hours=hours),
                ~already_queued,
            ).order_by(Booking.id)
        )
    return bookings


def _context(booking: Booking, *, manage_link: str | None) -> dict:
    event = booking.event
    return {
        **join_link_note(booking),
        "manage_url": manage_link,
        "event_url": absolute_url("events.detail", slug=event.slug),
        "when": format_when(event.local_starts_at, event.local_ends_at),
        "where": ", ".join(part for part in (event.venue, event.address) if part),
    }


def _headers(booking: Booking) -> dict[str, str]:
    # Replies reach a person who can help rather than an unread mailbox.
    contact = contact_email(booking.event)
    return {"Reply-To": contact} if contact else {}


REMINDERS = ScheduledMail("reminders", find_due=due_reminders,
                          queue=lambda booking: bool(queue_reminder(booking)))
