"""Booking rules: places, the waiting list, cancellation and promotion.

Every function here flushes but does not commit, so a view or a command composes them in
one transaction and commits once; the emails each change causes are outbox rows in that
same transaction (see `notices`), so they are sent if and only if the change is kept.

Concurrency. Anything that decides who holds a place first takes the event's lock
(`lock_event`): on SQLite the database write lock (BEGIN IMMEDIATE, taken before the
first read), on PostgreSQL the event's row (SELECT ... FOR UPDATE). Every other booking,
cancellation or promotion for that event, in any thread, worker or app server, waits for
the lock, and reads the committed state once it has it. The lock is held until the
caller commits or rolls back.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..database import begin_write_transaction, utcnow
from ..extensions import db
from ..models import Booking, BookingStatus, Event
from ..web.text import format_date, format_time
from .answers import save_answers
from .drafts import draw_up_booking, settle_status
from .notices import (
    queue_booking_again,
    queue_booking_confirmation,
    queue_cancellation_notice,
    queue_offer_notice,
    queue_promotion_notice,
    queue_waiting_list_notice,
)
from .queries import booking_counts
from .resends import resend_allowed
from .tokens import issue_manage_token, new_reference

REFERENCE_ATTEMPTS = 8


class BookingRefused(Exception):
    """The event cannot take this booking now. `message` is written for the person booking;
    `reason` is one of: cancelled, unpublished, not_open, closed, ended, started, full,
    not_waiting, no_offer."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class BookingDetails:
    """What a person gives when booking, already checked by a form."""

    name: str
    email: str
    organisation: str = ""
    job_title: str = ""
    access_needs: str = ""
    wants_followup: bool = True
    # Answers to the event's booking questions, by question id (see `answers`).
    answers: Mapping[int, str | list[str]] = field(default_factory=dict)

    @classmethod
    def from_any(cls, details: BookingDetails | Mapping | object) -> BookingDetails:
        """Accept this class, a mapping or any object with the same attribute names."""
        if isinstance(details, Mapping):
            get = details.get
        else:
            def get(name, default=None):
                return getattr(details, name, default)
        text = {
            name: str(get(name) or "").strip()
            for name in ("name", "email", "organisation", "job_title", "access_needs")
        }
        if not text["name"] or "@" not in text["email"]:
            raise ValueError("a booking needs a name and an email address")
        followup = get("wants_followup")
        return cls(**text, wants_followup=True if followup is None else bool(followup),
                   answers=dict(get("answers") or {}))


@dataclass(frozen=True)
class BookingResult:
    """The booking made or found; outcome is 'confirmed', 'waiting' or 'repeat'.

    `token` is the raw manage token issued by this call (the only time it is known).
    """

    booking: Booking
    outcome: str
    token: str | None


def booking_refusal(event: Event, *, by_organiser: bool = False) -> BookingRefused | None:
    """Why this event cannot take a booking now (capacity aside), or None if it can.

    Organisers adding someone by hand are not held to the booking window or to
    publication; nobody can book onto a cancelled event.
    """
    if event.is_cancelled:
        return BookingRefused(
            "This event has been cancelled, so it is not taking bookings.", "cancelled"
        )
    if by_organiser:
        return None
    now = utcnow()
    if not event.published:
        return BookingRefused("This event is not taking bookings.", "unpublished")
    if event.has_ended(now):
        return BookingRefused("This event has already taken place.", "ended")
    if event.booking_opens_at and now < event.booking_opens_at:
        opens = event.booking_opens_at.astimezone(event.tz)
        return BookingRefused(
            f"Booking for this event opens on {format_date(opens)} at "
            f"{format_time(opens)} {opens:%Z}.",
            "not_open",
        )
    if now >= event.bookings_close_at:
        return BookingRefused("Booking for this event has closed.", "closed")
    return None


def create_booking(event: Event, details, *, by_organiser: bool = False) -> BookingResult:
    """Book one person onto an event: a place while places remain, else the waiting list.

    Guarantee: confirmed bookings never exceed the event's capacity, whatever the
    concurrency, because the count of confirmed bookings and the insert happen under the
    event's lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE on the event
    row), held until the caller commits. Nobody else can count in between. Only the count
    and the inserts happen under it: the booking's reference, token and first email are
    prepared before it (`drafts.draw_up_booking`), and the email is stored in the same
    transaction as the booking.

    When the event is full the person joins the waiting list if the event has one; if not,
    BookingRefused is raised. So is booking outside the window (organisers with
    by_organiser=True are exempt from the window, never from capacity).

    An address with a live booking for the event (compared case-insensitively; also
    enforced by a partial unique index) gets no second booking: its confirmation or
    waiting-list email is queued again with a new manage link (the links in earlier emails
    keep working), and the existing booking is returned with outcome 'repeat'. Nothing is
    changed from the details given. Unless an organiser asks, the re-send is capped
    (`resends.resend_allowed`: once an hour per booking, 5 a day per address); beyond the
    caps nothing is sent and the result's token is None.
    """
    details = BookingDetails.from_any(details)
    # Before the lock: whatever the booking's first email needs (bookings/drafts.py).
    draft = draw_up_booking(event, _new_booking(event, details))
    event = lock_event(event.id)
    refusal = booking_refusal(event, by_organiser=by_organiser)
    if refusal is not None:
        raise refusal
    existing = live_booking(event, details.email)
    if existing is not None:
        if by_organiser:
            return _audited(BookingResult(existing, "repeat", _send_booking_again(existing)))
        token = _send_booking_again(existing) if resend_allowed(existing) else None
        return BookingResult(existing, "repeat", token)
    booking = draft.booking
    settle_status(booking, status_for_new_booking(event))
    insert_with_reference(booking)
    save_answers(booking, details.answers)
    token = draft.send() if draft.email_still_fits() else _send_first_email(booking)
    result = BookingResult(booking, booking.status, token)
    return _audited(result) if by_organiser else result


def live_booking(event: Event, email: str) -> Booking | None:
    """The address's booking for the event that is not cancelled (compared
    case-insensitively), or None."""
    return db.session.scalar(sa.select(Booking).where(
        Booking.event_id == event.id,
        Booking.email_normalised == normalise_email(email),
        Booking.status != BookingStatus.CANCELLED,
    ))


def status_for_new_booking(event: Event) -> BookingStatus:
    """A place while places remain (open offers hold theirs), else the waiting list; else
    refused as full."""
    if booking_counts(event).taken < event.capacity:
        return BookingStatus.CONFIRMED
    if event.waiting_list:
        return BookingStatus.WAITING
    raise BookingRefused("This event is fully booked and has no waiting list.", "full")


def _audited(result: BookingResult) -> BookingResult:
    audit.record("booking added by hand", booking=result.booking,
                 detail=f"{result.booking.reference}: {result.outcome}")
    return result


def cancel_booking(booking: Booking, *, by_organiser: bool = False) -> Booking | None:
    """Cancel a booking, give its place to the first in line, and tell them both.

    In one transaction under the event's lock: the booking becomes cancelled, the
    cancellation email is queued, and while places remain the waiting list is promoted in
    order (each promoted person gets a promotion email with the calendar invitation, or,
    if the event offers places, an offer to confirm), unless the event has started.
    Returns the first promoted (or offered) booking, or None. Cancelling an already
    cancelled booking changes nothing and returns None.
    """
    event = lock_event(booking.event_id)
    db.session.refresh(booking)
    if booking.status == BookingStatus.CANCELLED:
        return None
    promoted = free_place(event, booking, queue_cancellation_notice)
    if by_organiser:
        audit.record("booking cancelled", booking=booking, detail=booking.reference)
        if promoted:
            audit.record("promoted from waiting list", booking=promoted[0],
                         detail=f"{promoted[0].reference}, into the place freed by "
                                f"{booking.reference}")
    return promoted[0] if promoted else None


def promote_booking(booking: Booking) -> Booking:
    """Move one chosen waiting booking to confirmed (an organiser's decision, audited), and
    tell them.

    Raises BookingRefused if the booking is not waiting, the event has started, or no
    place is free (a place offered to this booking is theirs to take): capacity is never
    exceeded, under the same lock as create_booking.
    """
    event = lock_event(booking.event_id)
    db.session.refresh(booking)
    if booking.status != BookingStatus.WAITING:
        raise BookingRefused("This booking is not on the waiting list.", "not_waiting")
    if event.has_started():
        raise BookingRefused(
            "The event has started, so nobody moves off the waiting list now. Anyone still "
            "waiting who turns up can be let in at the door.", "started")
    if booking_counts(event).taken - booking.has_offer >= event.capacity:
        raise BookingRefused(
            "No place is free. Raise the capacity or cancel a booking first.", "full"
        )
    confirm_from_waiting_list(booking)
    audit.record("promoted from waiting list", booking=booking, detail=booking.reference)
    return booking


def fill_places_from_waiting_list(event: Event) -> list[Booking]:
    """Promote the waiting list in order while places remain (after capacity is raised).

    Safe to call at any time: with no free place, or for a cancelled or started event,
    it changes nothing. Returns the promoted (or offered) bookings, first in line first.
    """
    return _fill_places(lock_event(event.id))


def free_place(event: Event, booking: Booking, notice: Callable[[Booking], object]
               ) -> list[Booking]:
    """Cancel the booking, queue `notice` for it, then give its place to the next in line
    (unless the event has started); returns the promoted (or offered) bookings. The caller
    holds the event's lock (`lock_event`)."""
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = utcnow()
    booking.offer_expires_at = None
    db.session.flush()
    notice(booking)
    return _fill_places(event)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _send_first_email(booking: Booking) -> str:
    """'You have a place' or 'you are on the waiting list', with the first manage link."""
    token = issue_manage_token(booking)
    if booking.status == BookingStatus.CONFIRMED:
        queue_booking_confirmation(booking, token)
    else:
        queue_waiting_list_notice(booking, token)
    return token


def _send_booking_again(booking: Booking) -> str:
    token = issue_manage_token(booking)
    queue_booking_again(booking, token)
    return token


def next_in_line(event: Event, *, freed: int = 0, leaving: Booking | None = None
                 ) -> list[Booking]:
    """Who the free places go to now, first in line first: the waiting without an offer,
    one per free place (counting `freed` more, and never `leaving`, when a booking is about
    to be cancelled). Nobody moves once the event has started or if it is cancelled."""
    if event.is_cancelled or event.has_started():
        return []
    free = event.capacity - booking_counts(event).taken + freed
    if free <= 0:
        return []
    statement = (
        sa.select(Booking)
        .where(Booking.event_id == event.id, Booking.status == BookingStatus.WAITING,
               Booking.offer_expires_at.is_(None))
        .order_by(Booking.created_at, Booking.id)
        .limit(free)
    )
    if leaving is not None:
        statement = statement.where(Booking.id != leaving.id)
    return list(db.session.scalars(statement))


def _fill_places(event: Event) -> list[Booking]:
    """Each free place to the next in line: given, or offered for the event's offer_hours
    (never beyond the start)."""
    waiting = next_in_line(event)
    for booking in waiting:
        if event.offer_hours:
            _offer_place(booking)
        else:
            confirm_from_waiting_list(booking)
    return waiting


def _offer_place(booking: Booking) -> None:
    event = booking.event
    booking.offer_expires_at = min(utcnow() + timedelta(hours=event.offer_hours),
                                   event.starts_at)
    db.session.flush()
    queue_offer_notice(booking, issue_manage_token(booking))


def confirm_from_waiting_list(booking: Booking) -> None:
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_at = utcnow()
    booking.offer_expires_at = None
    queue_promotion_notice(booking, issue_manage_token(booking))


def _new_booking(event: Event, details: BookingDetails) -> Booking:
    """The booking, not yet in the session, with an unused reference drawn."""
    return Booking(
        event_id=event.id,
        name=details.name,
        email=details.email,
        email_normalised=normalise_email(details.email),
        organisation=details.organisation,
        job_title=details.job_title,
        access_needs=details.access_needs,
        wants_followup=details.wants_followup,
        reference=_unused_reference(longer=False),
    )


def insert_with_reference(booking: Booking) -> None:
    """Insert with the reference drawn, or another if it was taken meanwhile. References
    are global, so a booking for another event (under another event's lock) could take
    the same one at the same moment; the unique constraint catches that and we draw
    again."""
    for attempt in range(REFERENCE_ATTEMPTS):
        if attempt:
            booking.reference = _unused_reference(longer=attempt >= REFERENCE_ATTEMPTS // 2)
        try:
            with db.session.begin_nested():
                db.session.add(booking)
            return
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise


def _unused_reference(*, longer: bool) -> str:
    while True:
        reference = new_reference(6 if longer else 4)
        taken = db.session.scalar(sa.select(Booking.id).where(Booking.reference == reference))
        if taken is None:
            return reference


def lock_event(event_id: int) -> Event:
    """Hold the event's lock for the rest of this transaction and return it, reloaded.

    The write transaction first (SQLite: BEGIN IMMEDIATE, unless this transaction holds
    the write lock already), then the event's row (PostgreSQL: SELECT ... FOR UPDATE).
    """
    begin_write_transaction()
    return db.session.scalars(
        sa.select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
