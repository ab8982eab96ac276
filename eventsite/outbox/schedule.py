"""Email that goes out a set time before an event: reminders, the automatic attendee list.

The areas that own such mail register it here (`schedule`, from their `init_app`): how to
find what is due at a given moment, and how to queue one due item. The worker calls
`queue_scheduled_messages()` on every pass. Each message has a de-duplication key, so
however often (and in however many workers) it runs, each is queued once. The keys
include the event's start time (`start_stamp`): if the event moves, the mail goes again
before the new time.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from ..database import begin_write_transaction, utcnow
from ..extensions import db
from ..models import Event

EXTENSION_KEY = "outbox.schedule"


@dataclass(frozen=True)
class ScheduledMail:
    """One kind of scheduled mail: what is due at a moment, and how to queue one of it."""

    name: str
    find_due: Callable[[datetime], list]
    queue: Callable[[object], int]  # queues one due item; returns the messages queued


def schedule(app: Flask, mail: ScheduledMail) -> None:
    """Have the outbox worker queue this mail whenever it is due."""
    app.extensions.setdefault(EXTENSION_KEY, []).append(mail)


def start_stamp(event: Event) -> str:
    return f"{event.starts_at:%Y%m%dT%H%MZ}"


def events_starting_within(now: datetime, hours: int) -> list[Event]:
    """Published, not cancelled events starting after `now` and within `hours` of it."""
    return list(db.session.scalars(
        sa.select(Event).where(
            Event.published.is_(True),
            Event.cancelled_at.is_(None),
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(hours=hours),
        ).order_by(Event.starts_at)
    ))


def queue_scheduled_messages(now: datetime | None = None) -> int:
    """Queue every scheduled message now due; returns how many.

    Looks first, and only takes the write lock when something is due, so running it on
    every worker pass costs a couple of reads. The caller commits.
    """
    now = now or utcnow()
    scheduled = current_app.extensions.get(EXTENSION_KEY, [])
    if not any(mail.find_due(now) for mail in scheduled):
        db.session.rollback()  # end the read transaction
        return 0
    begin_write_transaction()
    return sum(mail.queue(item) for mail in scheduled for item in mail.find_due(now))
