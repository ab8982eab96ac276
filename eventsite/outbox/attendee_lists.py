"""Emailing an event's attendee list on an organiser's request (the form on the bookings
page). The automatic list before the event is in schedule.py; both use
queue_attendee_list, so the CSV attached is the export, byte for byte.
"""
from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from .. import audit
from ..models import Event, OutboxMessage
from .mail_log import messages_with_key_prefix
from .schedule import queue_attendee_list

SUBMISSION_PATTERN = re.compile(r"^[0-9a-f]{32}$")
MAX_EXTRA_ADDRESSES = 50


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
                        submission: str) -> tuple[list[OutboxMessage], int]:
    """Queue the list (CSV attached) once per recipient for this submission of the form.

    Returns the messages and how many of them are new. The same submission arriving
    again (a double click, a replayed request) sends nobody a second copy, and only new
    recipients are recorded in the audit log.
    """
    if not SUBMISSION_PATTERN.match(submission or ""):
        raise ValueError("submission must be 32 hexadecimal digits")
    before = {message.id for message in submission_messages(event, submission)}
    messages = queue_attendee_list(event, recipients, note, dedupe_suffix=submission)
    new = [message for message in messages if message.id not in before]
    if new:
        audit.record("attendee list emailed", event=event,
                     detail=f"CSV sent to {len(new)}: "
                            + ", ".join(message.recipient for message in new))
    return messages, len(new)
