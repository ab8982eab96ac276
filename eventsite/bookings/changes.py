"""Attendees changing their own booking from its manage link, and the daily digest that
tells the organiser when anyone's access or dietary needs changed.

An attendee may change their name, organisation, job title, access or dietary needs,
answers and the follow-up choice, never their email address (the manage links go to
it). Each saved change is audited with the attendee as the actor. Only a change of needs
concerns the organiser: it is noted, and the event's digest, queued by the outbox worker
once the day is over in the event's timezone, lists the day's changes in one email.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from .. import audit
from ..database import begin_write_transaction, utcnow
from ..extensions import db
from ..models import Booking, BookingStatus, Event, NeedsChange
from ..outbox.messages import queue_email
from ..outbox.schedule import ScheduledMail
from ..web.urls import absolute_url
from .answers import Answer, save_answers

# The booking's own fields an attendee may change, and how the audit log names each.
CHANGEABLE = {
    "name": "name",
    "organisation": "organisation",
    "job_title": "job title",
    "access_needs": "access or dietary needs",
    "wants_followup": "slides and resources",
}
NEEDS = CHANGEABLE["access_needs"]


class ChangeRefused(Exception):
    """The booking cannot be changed now; the message is written for the attendee."""


def change_refusal(booking: Booking) -> ChangeRefused | None:
    """Why the attendee cannot change this booking now, or None if they can."""
    if booking.status == BookingStatus.CANCELLED or booking.anonymised_at is not None:
        return ChangeRefused("This booking is cancelled, so there is nothing to change.")
    if booking.event.has_ended():
        return ChangeRefused("This event has already taken place, so the booking can no "
                             "longer be changed.")
    return None


def current_values(booking: Booking) -> dict:
    """What the attendee may change, as the booking holds it now (the follow-up choice:
    wanted, and not stopped from an email's link)."""
    return {name: (booking.wants_followup and booking.followup_unsubscribed_at is None)
            if name == "wants_followup" else getattr(booking, name) for name in CHANGEABLE}


def change_own_booking(booking: Booking, values: dict, answers: dict[int, Answer]
                       ) -> list[str]:
    """Save the attendee's changes to their booking; returns what changed, in words.

    Refused (ChangeRefused) for a cancelled or anonymised booking or a past event. A
    change of access or dietary needs is noted for the organiser's daily digest. Flushes;
    the caller commits.
    """
    begin_write_transaction()
    db.session.refresh(booking)
    refusal = change_refusal(booking)
    if refusal is not None:
        raise refusal
    changed = []
    current = current_values(booking)
    for name, words in CHANGEABLE.items():
        if current[name] != values[name]:
            setattr(booking, name, values[name])
            changed.append(words)
    if "wants_followup" in values and values["wants_followup"]:
        booking.followup_unsubscribed_at = None  # ticked again: their latest word counts
    changed += [f"answer to “{label}”" for label in save_answers(booking, answers)]
    if NEEDS in changed:
        db.session.add(NeedsChange(event_id=booking.event_id, booking_id=booking.id))
    if changed:
        audit.record("booking changed by attendee", booking=booking,
                     detail="Changed: " + ", ".join(changed), actor=audit.attendee(booking))
    db.session.flush()
    return changed


# --- the organiser's daily digest of changed needs ---------------------------------------

def digest_recipient(event: Event) -> str:
    """The event's organiser contact, else the site's contact address ("" if neither)."""
    return event.organiser_email or current_app.config.get("SITE_CONTACT_EMAIL", "") or ""


def start_of_local_day(event: Event, now: datetime) -> datetime:
    local = now.astimezone(event.tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def due_needs_digests(now: datetime) -> list[tuple[int, datetime]]:
    """(event id, end of the day reported) for each event with changes of needs made on
    an earlier day (in the event's timezone) that no digest has reported yet."""
    pending = db.session.execute(
        sa.select(NeedsChange.event_id, sa.func.min(NeedsChange.changed_at))
        .where(NeedsChange.reported_at.is_(None))
        .group_by(NeedsChange.event_id)
        .order_by(NeedsChange.event_id)
    ).all()
    due = []
    for event_id, first_change in pending:
        event = db.session.get(Event, event_id)
        today = start_of_local_day(event, now)
        if first_change < today:
            due.append((event_id, today))
    return due


def queue_needs_digest(due: tuple[int, datetime]) -> int:
    """Queue the event's digest of changes of needs made before `until`, once per day
    covered, and mark them reported; returns the messages queued (0 with nobody to tell).

    The email names bookings by reference and links to each in the organiser area; it
    holds no needs or names itself, so erasing a person leaves nothing of theirs in it.
    """
    event_id, until = due
    event = db.session.get(Event, event_id)
    changes = list(db.session.scalars(
        sa.select(NeedsChange)
        .where(NeedsChange.event_id == event_id, NeedsChange.reported_at.is_(None),
               NeedsChange.changed_at < until)
        .order_by(NeedsChange.changed_at, NeedsChange.id)
    ))
    now = utcnow()
    for change in changes:
        change.reported_at = now
    bookings = {change.booking_id: change.booking for change in changes
                if change.booking.anonymised_at is None}
    recipient = digest_recipient(event)
    if not bookings or not recipient:
        db.session.flush()
        return 0
    day = (until - timedelta(days=1)).astimezone(event.tz)
    queue_email(
        kind="needs_digest",
        dedupe_key=f"needs-digest:{event.id}:{until:%Y%m%dT%H%MZ}",
        to=recipient,
        subject=f"Changed access or dietary needs: {event.title}",
        template="needs_digest",
        context={
            "bookings": [(booking.reference, absolute_url(
                "bookings_admin.booking_detail", slug=event.slug, booking_id=booking.id))
                for booking in bookings.values()],
            "day": day, "bookings_url": absolute_url("bookings_admin.bookings",
                                                     slug=event.slug),
        },
        event=event,
        automatic=True,
    )
    db.session.flush()
    return 1


NEEDS_DIGESTS = ScheduledMail("digests of changed needs", find_due=due_needs_digests,
                              queue=queue_needs_digest)
