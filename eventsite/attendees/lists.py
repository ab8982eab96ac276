"""Emailing an event's attendee list: on an organiser's request (the form on the bookings
page), and automatically before the event (ATTENDEE_LIST_HOURS) to its speakers and
organiser contact. Both use queue_attendee_list, which attaches the attendee list as
bookers were told it would be shared: confirmed people's name, organisation and job title,
and their access and dietary needs only when the organiser ticks it for the venue on an
event whose booking form says so. Never an email address.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from email.utils import parseaddr

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from .. import audit
from ..bookings.queries import booking_counts
from ..database import utcnow
from ..extensions import db
from ..models import Event, OutboxMessage
from ..outbox.messages import Attachment, mailbox, queue_email
from ..outbox.schedule import ScheduledMail, events_starting_within, start_stamp
from ..outbox.services import messages_with_key_prefix
from ..web.forms import SUBMISSION_PATTERN
from .export import attendee_list_csv, attendee_list_filename

MAX_EXTRA_ADDRESSES = 50
MAX_DEDUPE_SUFFIX = 100
Recipient = str | tuple[str, str]  # an address, or (name, address)


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """Addresses one per line or separated by commas (or semicolons): (good, bad).

    Good ones come back normalised (domain in lower case), each once.
    """
    good, bad = [], []
    for part in re.split(r"[,;\n\r]+", text or ""):
        candidate = part.strip()
        if not candidate:
            continue
        try:
            address = validate_email(candidate, check_deliverability=False).normalized
        except EmailNotValidError:
            bad.append(candidate)
            continue
        if address.lower() not in {g.lower() for g in good}:
            good.append(address)
    return good, bad


def submission_prefix(event: Event, submission: str) -> str:
    """The start of the keys of the messages one submission of the form queued."""
    return f"attendee-list:{event.id}:{submission}:"


def submission_messages(event: Event, submission: str) -> list[OutboxMessage]:
    if not SUBMISSION_PATTERN.match(submission or ""):
        return []
    return messages_with_key_prefix(submission_prefix(event, submission))


def email_attendee_list(event: Event, recipients: list[tuple[str, str]], note: str,
                        submission: str, *, with_access_needs: bool = False
                        ) -> tuple[list[OutboxMessage], int]:
    """Queue the list (CSV attached) once per recipient for this submission of the form.

    Returns the messages and how many of them are new. The same submission arriving
    again (a double click, a replayed request) sends nobody a second copy, and only new
    recipients are recorded in the audit log. Access needs are included only when asked
    and the event shares them with the venue.
    """
    if not SUBMISSION_PATTERN.match(submission or ""):
        raise ValueError("submission must be 32 hexadecimal digits")
    before = {message.id for message in submission_messages(event, submission)}
    with_access_needs = with_access_needs and event.share_access_needs_with_venue
    messages = queue_attendee_list(event, recipients, note, dedupe_suffix=submission,
                                   with_access_needs=with_access_needs)
    new = [message for message in messages if message.id not in before]
    if new:
        what = "with access and dietary needs" if with_access_needs else "without needs"
        audit.record("attendee list emailed", event=event,
                     detail=f"CSV ({what}) sent to {len(new)}: "
                            + ", ".join(message.recipient for message in new))
    return messages, len(new)


def _address(recipient: Recipient) -> tuple[str, str]:
    if isinstance(recipient, tuple):
        return recipient
    return parseaddr(recipient)


def _attendee_list_key(event: Event, suffix: str, address: str) -> str:
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:24]
    return f"attendee-list:{event.id}:{suffix}:{digest}"


def queue_attendee_list(
    event: Event, recipients: Iterable[Recipient], note: str = "", *, dedupe_suffix: str,
    with_access_needs: bool = False, automatic: bool = False,
) -> list[OutboxMessage]:
    """Queue one message per recipient with the attendee list attached: confirmed people,
    name, organisation, job title (and access needs if with_access_needs).

    Recipients are addresses or (name, address) pairs; an address given twice gets one
    message. The same dedupe_suffix (e.g. one per submitted form) never sends twice to an
    address. Returns the messages, including any already queued; a suppressed address's
    is kept unsent. `automatic` for the list the worker sends before the event. Flushes;
    the caller commits.
    """
    if not dedupe_suffix or len(dedupe_suffix) > MAX_DEDUPE_SUFFIX or ":" in dedupe_suffix:
        raise ValueError("dedupe_suffix must be 1 to 100 characters, without ':'")
    csv_file = Attachment(attendee_list_filename(event), "text/csv",
                          attendee_list_csv(event, with_access_needs=with_access_needs))
    context = {
        "with_access_needs": with_access_needs,
        "note": (note or "").replace("\r\n", "\n").strip(),
        "counts": booking_counts(event),
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
            bulk=True,
            automatic=automatic,
        ))
    return messages


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
    for event in events_starting_within(now, hours):
        suffix = f"auto-{start_stamp(event)}"
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


def _queue_automatic_list(due: tuple[Event, list[tuple[str, str]]]) -> int:
    event, recipients = due
    suffix = f"auto-{start_stamp(event)}"
    return len(queue_attendee_list(event, recipients, dedupe_suffix=suffix, automatic=True))


AUTOMATIC_LISTS = ScheduledMail("attendee lists", find_due=due_attendee_lists,
                                queue=_queue_automatic_list)
