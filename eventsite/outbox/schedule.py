"""Email that goes out a set time before an event: reminders and the attendee list.

The worker calls queue_scheduled_messages() on every pass. Each message has a
de-duplication key, so however often (and in however many workers) it runs, each person
is reminded once and each speaker or organiser gets the automatic list once. The keys
include the event's start time: if the event moves, the reminder and list go again
before the new time.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app

from ..bookings.emails import INVITE_FILENAME, manage_url
from ..bookings.services import issue_manage_token
from ..calendar import event_calendar
from ..database import begin_write_transaction, utcnow
from ..exports import attendee_csv, export_filename
from ..extensions import db
from ..models import Booking, BookingStatus, Event, OutboxMessage
from ..text import format_date, format_time
from ..unsubscribe import list_unsubscribe_headers, unsubscribe_url
from .messages import Attachment, mailbox, queue_email

Recipient = str | tuple[str, str]  # an address, or (name, address)
MAX_DEDUPE_SUFFIX = 100


def _start_stamp(event: Event) -> str:
    return f"{event.starts_at:%Y%m%dT%H%MZ}"


def reminder_key(booking_id: int, event: Event) -> str:
    return f"reminder:{booking_id}:{_start_stamp(event)}"


def queue_reminder(booking: Booking) -> OutboxMessage:
    """Queue the reminder for a confirmed booking: when, where, the .ics, the manage link.

    Once per booking and event start time, whatever the concurrency: the booking row is
    locked while we look for an earlier reminder, because queueing one adds a manage link
    (see bookings.emails), which should be recorded only for the email that is kept.
    Carries List-Unsubscribe headers, which stop follow-ups (not the booking). Flushes;
    the caller commits.
    """
    event = booking.event
    key = reminder_key(booking.id, event)
    db.session.execute(sa.select(Booking.id).where(Booking.id == booking.id).with_for_update())
    existing = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key == key))
    if existing is not None:
        return existing
    link = manage_url(issue_manage_token(booking))
    starts = event.local_starts_at
    headers = list_unsubscribe_headers(booking)
    if event.organiser_email:
        headers["Reply-To"] = event.organiser_email
    return queue_email(
        kind="reminder",
        dedupe_key=key,
        to=mailbox(booking.name, booking.email),
        subject=f"Reminder: {event.title}, {format_date(starts)} at {format_time(starts)}",
        template="reminder",
        context={"unsubscribe_url": unsubscribe_url(booking), "manage_url": link},
        attachments=[Attachment(INVITE_FILENAME, "text/calendar",
                                event_calendar(event, manage_url=link))],
        headers=headers,
        event=event,
        booking=booking,
    )


def _address(recipient: Recipient) -> tuple[str, str]:
    if isinstance(recipient, tuple):
        return recipient
    return parseaddr(recipient)


def _attendee_list_key(event: Event, suffix: str, address: str) -> str:
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:24]
    return f"attendee-list:{event.id}:{suffix}:{digest}"


def _booking_counts(event: Event) -> dict[str, int]:
    counts = dict.fromkeys((status.value for status in BookingStatus), 0)
    counts.update(db.session.execute(
        sa.select(Booking.status, sa.func.count()).where(Booking.event_id == event.id)
        .group_by(Booking.status)
    ).all())
    return counts


def queue_attendee_list(
    event: Event, recipients: Iterable[Recipient], note: str = "", *, dedupe_suffix: str
) -> list[OutboxMessage]:
    """Queue one message per recipient with the attendee CSV attached (as exported).

    Recipients are addresses or (name, address) pairs; an address given twice gets one
    message. The same dedupe_suffix (e.g. one per submitted form) never sends twice to an
    address. Returns the messages, including any already queued. Flushes; the caller
    commits.
    """
    if not dedupe_suffix or len(dedupe_suffix) > MAX_DEDUPE_SUFFIX or ":" in dedupe_suffix:
        raise ValueError("dedupe_suffix must be 1 to 100 characters, without ':'")
    csv_file = Attachment(export_filename(event), "text/csv", b"".join(attendee_csv(event)))
    context = {
        "note": (note or "").replace("\r\n", "\n").strip(),
        "counts": _booking_counts(event),
        "filename": csv_file.filename,
        "generated_at": f"{utcnow().astimezone(event.tz):%d %B %Y, %H:%M %Z}",
    }
    messages, seen = [], set()
    for name, address in map(_address, recipients):
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        messages.append(queue_email(
            kind="attendee_list",
            dedupe_key=_attendee_list_key(event, dedupe_suffix, address),
            to=mailbox(name, address),
            subject=f"Attendee list: {event.title}",
            template="attendee_list",
            context=context,
            attachments=[csv_file],
            event=event,
        ))
    return messages


def _events_starting_within(now: datetime, hours: int) -> list[Event]:
    return list(db.session.scalars(
        sa.select(Event).where(
            Event.published.is_(True),
            Event.cancelled_at.is_(None),
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(hours=hours),
        ).order_by(Event.starts_at)
    ))


def due_reminders(now: datetime) -> list[Booking]:
    """Confirmed bookings whose reminder time has come and whose reminder is not queued.

    Bookings confirmed after the reminder time are left out: their confirmation (or
    promotion) email, just sent, already says all a reminder would.
    """
    hours = current_app.config["REMINDER_HOURS"]
    bookings: list[Booking] = []
    for event in _events_starting_within(now, hours):
        key = (sa.literal("reminder:") + sa.cast(Booking.id, sa.String)
               + sa.literal(f":{_start_stamp(event)}"))
        already_queued = sa.exists().where(OutboxMessage.dedupe_key == key)
        bookings += db.session.scalars(
            sa.select(Booking).where(
                Booking.event_id == event.id,
                Booking.status == BookingStatus.CONFIRMED.value,
                sa.func.coalesce(Booking.confirmed_at, Booking.created_at)
                < event.starts_at - timedelta(hours=hours),
                ~already_queued,
            ).order_by(Booking.id)
        )
    return bookings


def automatic_list_recipients(event: Event) -> list[tuple[str, str]]:
    """The event's speakers (those with an address) and its organiser contact."""
    recipients = [(s.name, s.email) for s in event.speakers if s.email]
    if event.organiser_email:
        recipients.append(("", event.organiser_email))
    return recipients


def due_attendee_lists(now: datetime) -> list[tuple[Event, list[tuple[str, str]]]]:
    """Events whose automatic list is due, each with the recipients not yet sent it."""
    hours = current_app.config["ATTENDEE_LIST_HOURS"]
    due = []
    for event in _events_starting_within(now, hours):
        suffix = f"auto-{_start_stamp(event)}"
        wanted = {_attendee_list_key(event, suffix, address): (name, address)
                  for name, address in automatic_list_recipients(event)}
        if not wanted:
            continue
        queued = set(db.session.scalars(
            sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(wanted))
        ))
        missing = [recipient for key, recipient in wanted.items() if key not in queued]
        if missing:
            due.append((event, missing))
    return due


def queue_scheduled_messages(now: datetime | None = None) -> int:
    """Queue every reminder and automatic attendee list now due; returns how many.

    Looks first, and only takes the write lock when something is due, so running it on
    every worker pass costs a couple of reads. The caller commits.
    """
    now = now or utcnow()
    if not due_reminders(now) and not due_attendee_lists(now):
        db.session.rollback()  # end the read transaction
        return 0
    begin_write_transaction(db.session())  # the Session itself, not the scoped proxy
    queued = 0
    for booking in due_reminders(now):
        queue_reminder(booking)
        queued += 1
    for event, recipients in due_attendee_lists(now):
        suffix = f"auto-{_start_stamp(event)}"
        queued += len(queue_attendee_list(event, recipients, dedupe_suffix=suffix))
    return queued
