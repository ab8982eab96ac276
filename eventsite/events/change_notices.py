"""One email per burst of edits.

An organiser fixing an event's time or place often saves several times in a few minutes.
Rather than an email per save, each edit that moves the event is noted in the event's
`PendingChangeNotice` (in the edit's own transaction, so nothing is lost), and the notice
falls due CHANGE_NOTICE_DELAY_SECONDS after the last such edit. The outbox worker then
asks for due notices (registered with `outbox.schedule`) and each attendee is told the
net change from what they were last told: edits that undo each other tell nothing. The
emails are built at that moment, so the invitation carries the event's SEQUENCE then.

What a person was last told is what the event said when their booking email went (the
confirmation or promotion at `confirmed_at`, the waiting-list email at `created_at`):
the state just before the first edit after that moment. Someone who booked after the
last edit already has the current version and is not written to.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..bookings.services import lock_event
from ..database import utcnow
from ..extensions import db
from ..models import Booking, Event, PendingChangeNotice
from .notices import people_to_tell, queue_change_notice

Facts = dict[str, str]  # {"When": ..., "Venue": ..., "Address": ...}, as emails word them


def note_change(event: Event, before: Facts, now: datetime | None = None) -> PendingChangeNotice:
    """Record an edit that moved the event; its notice falls due after the delay.

    The caller holds the event's lock (`lock_event`) and commits.
    """
    now = now or utcnow()
    notice = db.session.get(PendingChangeNotice, event.id)
    if notice is None:
        notice = PendingChangeNotice(event_id=event.id, edits=[])
        db.session.add(notice)
    notice.edits = [*notice.edits, {"at": now.isoformat(), "before": before}]
    notice.due_at = now + timedelta(seconds=max(0, current_app.config[
        "CHANGE_NOTICE_DELAY_SECONDS"]))
    db.session.flush()
    return notice


def pending_notice(event: Event) -> PendingChangeNotice | None:
    return db.session.get(PendingChangeNotice, event.id)


def due_change_notices(now: datetime) -> list[tuple[int, datetime]]:
    """(event id, now) for each event whose burst of edits has ended by `now`."""
    event_ids = db.session.scalars(
        sa.select(PendingChangeNotice.event_id)
        .where(PendingChangeNotice.due_at <= now)
        .order_by(PendingChangeNotice.due_at)
    )
    return [(event_id, now) for event_id in event_ids]


def send_change_notice(due: tuple[int, datetime], facts: Callable[[Event], Facts]) -> int:
    """Tell each live booking the net change since they were last told; returns how many
    emails were queued. The notice is gone afterwards, whatever it said.

    Under the event's lock, so an edit at the same moment waits and starts a new notice;
    a notice put back by such an edit is left for later. Nothing goes for a cancelled
    event: its cancellation said all there is to say.
    """
    event_id, now = due
    event = lock_event(event_id)
    notice = db.session.scalars(
        sa.select(PendingChangeNotice).where(PendingChangeNotice.event_id == event_id)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if notice is None or notice.due_at > now:
        return 0
    edits = list(notice.edits)
    db.session.delete(notice)
    db.session.flush()
    if event.is_cancelled:
        return 0
    current = facts(event)
    told = 0
    labels: set[str] = set()
    for booking in people_to_tell(event):
        changes = net_change(last_told(booking, edits), current)
        if changes:
            queue_change_notice(booking, changes)
            told += 1
            labels.update(label for label, _, _ in changes)
    if told:
        audit.record("event change notices queued", event=event,
                     detail=f"{told} people told: "
                            + ", ".join(label for label in current if label in labels))
    return told


def last_told(booking: Booking, edits: list[dict]) -> Facts | None:
    """What the booking's last email said about time and place, or None if it went after
    every edit of the burst."""
    told_at = booking.confirmed_at or booking.created_at
    for edit in edits:
        if datetime.fromisoformat(edit["at"]) > told_at:
            return edit["before"]
    return None


# Facts kept as fingerprints (the joining link), told in words: (was, now, none).
UNTOLD = {"Joining link": ("the earlier link", "a new link, on your booking page", "none")}


def net_change(before: Facts | None, after: Facts) -> list[tuple[str, str, str]]:
    """(label, was, now) for each fact that differs, in the order the email lists them.
    A fact the earlier state did not record (kept before it was a fact) is not compared."""
    if before is None:
        return []
    return [_worded(label, before[label], value) for label, value in after.items()
            if label in before and before[label] != value]


def _worded(label: str, was: str, now: str) -> tuple[str, str, str]:
    if label not in UNTOLD:
        return label, was, now
    earlier, new, none = UNTOLD[label]
    return label, earlier if was else "none yet", new if now else none
