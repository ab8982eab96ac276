"""Calendars that follow the event: every email that puts the event in a calendar is an
iMIP invitation (RFC 6047) whose UID and SEQUENCE let the calendar move or remove the
entry when the event changes or a place is cancelled (docs/CALENDAR.md)."""
from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import icalendar
import sqlalchemy as sa

from eventsite.bookings.notices import queue_reminder
from eventsite.bookings.services import cancel_booking
from eventsite.events.services import cancel_event, update_event
from eventsite.extensions import db
from eventsite.models import Booking, Event
from tests.conftest import book, outbox, stored_bookings
from tests.events.test_change_notices import when_the_window_closes
from tests.factories import make_booking, make_event

HOST = "events.example.org"


def calendar_parts(raw: bytes) -> list[tuple[str, str | None, icalendar.Calendar]]:
    """(where, method=, calendar) of each calendar part: 'body' inside multipart/alternative,
    else the attached file's name."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    found = []
    for parent in message.walk():
        if not parent.is_multipart():
            continue
        for part in parent.iter_parts():
            if part.get_content_type() != "text/calendar":
                continue
            where = ("body" if parent.get_content_type() == "multipart/alternative"
                     else part.get_filename())
            found.append((where, part.get_param("method"),
                          icalendar.Calendar.from_ical(part.get_payload(decode=True))))
    return found


def the_invitation(raw: bytes) -> tuple[str, int, str, icalendar.Event]:
    """(UID, SEQUENCE, METHOD, VEVENT), checked to be the same in the body part and in
    invite.ics, with METHOD matching the content type's method=."""
    parts = calendar_parts(raw)
    assert sorted(where for where, _, _ in parts) == ["body", "invite.ics"]
    seen = set()
    for _, method, calendar in parts:
        assert str(calendar["METHOD"]) == method
        (vevent,) = calendar.walk("VEVENT")
        seen.add((str(vevent["UID"]), int(vevent["SEQUENCE"]), method))
    (found,) = seen
    return (*found, calendar.walk("VEVENT")[0])


def uid_of(booking: Booking) -> str:
    assert booking.calendar_uid  # drawn with every booking
    return f"{booking.calendar_uid}@{HOST}"


def edit(app, event: Event, **values) -> None:
    with app.app_context():
        update_event(db.session.get(Event, event.id), values)
        db.session.commit()


def sequence_of(app, event: Event) -> int:
    with app.app_context():
        return db.session.get(Event, event.id).sequence


def test_confirmation_is_a_request_from_the_sender_to_the_booker(client, app):
    event = make_event(app)
    book(client, event, name="Ada Lovelace", email="ada@example.org")
    [booking] = stored_bookings(app)
    [message] = outbox(app, "booking_confirmed")
    uid, sequence, method, vevent = the_invitation(message.raw)
    assert (uid, sequence, method) == (uid_of(booking), 0, "REQUEST")
    assert str(vevent["ORGANIZER"]) == "mailto:events@example.org"
    assert vevent["ORGANIZER"].params["CN"] == "Fringe Events"
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == "mailto:ada@example.org"
    assert (attendee.params["CN"], attendee.params["PARTSTAT"], attendee.params["RSVP"]) == (
        "Ada Lovelace", "ACCEPTED", "FALSE")
    sent = email.message_from_bytes(message.raw, policy=email.policy.default)
    (body,) = [part for part in sent.walk() if part.get_content_type() == "text/calendar"
               and not part.get_filename()]
    assert body.get_content_charset() == "utf-8"
    assert icalendar.Calendar.from_ical(body.get_payload(decode=True)).walk("VTIMEZONE")


def test_promotion_and_reminder_carry_the_same_invitation(client, app):
    event = make_event(app, capacity=1)
    first = make_booking(app, event)
    waiting = make_booking(app, event, status="waiting", confirmed_at=None)
    with app.app_context():
        cancel_booking(db.session.get(Booking, first.id))
        db.session.commit()
        queue_reminder(db.session.get(Booking, waiting.id))
        db.session.commit()
    for kind in ("booking_promoted", "reminder"):
        [message] = outbox(app, kind)
        assert the_invitation(message.raw)[:3] == (uid_of(waiting), 0, "REQUEST")


def test_moving_the_start_sends_the_new_request_with_the_same_uid(client, app):
    event = make_event(app)
    booking = make_booking(app, event)
    edit(app, event, starts_at=event.starts_at + timedelta(hours=1),
         ends_at=event.ends_at + timedelta(hours=1))
    when_the_window_closes(app)
    [changed] = outbox(app, "event_changed")
    uid, sequence, method, vevent = the_invitation(changed.raw)
    assert (uid, sequence, method) == (uid_of(booking), 1, "REQUEST")
    assert vevent.decoded("DTSTART") == event.starts_at + timedelta(hours=1)
    assert "When" in changed.body_text  # what changed, was and now, in words
    assert sequence_of(app, event) == 1


def test_a_booking_made_before_uids_were_drawn_keeps_the_uid_its_calendar_holds(client, app):
    event = make_event(app)
    older = make_booking(app, event)
    with app.app_context():  # as a booking made before UIDs were drawn is stored
        db.session.execute(sa.update(Booking).where(Booking.id == older.id)
                           .values(calendar_uid=None))
        db.session.commit()
    edit(app, event, starts_at=event.starts_at + timedelta(hours=1),
         ends_at=event.ends_at + timedelta(hours=1))
    when_the_window_closes(app)
    with app.app_context():
        cancel_booking(db.session.get(Booking, older.id))
        db.session.commit()
    [changed] = outbox(app, "event_changed")
    [cancelled] = outbox(app, "booking_cancelled")
    the_uid = f"event-{event.id}-booking-{older.id}@{HOST}"
    assert the_invitation(changed.raw)[:3] == (the_uid, 1, "REQUEST")
    assert the_invitation(cancelled.raw)[:3] == (the_uid, 2, "CANCEL")


def test_two_bookings_are_two_entries_in_a_calendar(client, app):
    event = make_event(app)
    book(client, event, email="ada@example.org")
    book(client, event, email="grace@example.org")
    uids = {the_invitation(m.raw)[0] for m in outbox(app, "booking_confirmed")}
    assert len(uids) == 2
    assert uids == {uid_of(b) for b in stored_bookings(app)}


def test_an_edit_of_neither_time_nor_place_sends_nothing_and_keeps_the_sequence(client, app):
    event = make_event(app)
    make_booking(app, event)
    edit(app, event, title="A better title", capacity=30)
    assert outbox(app, "event_changed") == []
    assert sequence_of(app, event) == 0


def test_an_attendee_cancelling_gets_a_cancel_that_outranks_the_invitation(client, app):
    event = make_event(app)
    book(client, event)
    [booking] = stored_bookings(app)
    with app.app_context():
        cancel_booking(db.session.get(Booking, booking.id))
        db.session.commit()
    [invited] = outbox(app, "booking_confirmed")
    [cancelled] = outbox(app, "booking_cancelled")
    uid, sequence, method, vevent = the_invitation(cancelled.raw)
    assert (uid, method) == (the_invitation(invited.raw)[0], "CANCEL")
    assert sequence > the_invitation(invited.raw)[1]
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_leaving_the_waiting_list_sends_no_calendar(client, app):
    event = make_event(app)
    waiting = make_booking(app, event, status="waiting", confirmed_at=None)
    with app.app_context():
        cancel_booking(db.session.get(Booking, waiting.id))
        db.session.commit()
    [cancelled] = outbox(app, "booking_cancelled")
    assert calendar_parts(cancelled.raw) == []


def test_cancelling_the_event_sends_a_cancel_to_everyone_confirmed(client, app):
    event = make_event(app, capacity=2)
    confirmed = [make_booking(app, event), make_booking(app, event)]
    make_booking(app, event, status="waiting", confirmed_at=None)
    edit(app, event, venue="The Annexe")
    with app.app_context():
        cancel_event(db.session.get(Event, event.id))
        db.session.commit()
    notices = outbox(app, "event_cancelled")
    assert len(notices) == 3
    invitations = [the_invitation(n.raw) for n in notices if calendar_parts(n.raw)]
    assert [(uid, sequence, method) for uid, sequence, method, _ in invitations] == [
        (uid_of(booking), 2, "CANCEL") for booking in confirmed]
    assert all(str(vevent["STATUS"]) == "CANCELLED" for *_, vevent in invitations)


def test_public_calendar_file_is_published_not_sent(client, app):
    event = make_event(app)
    response = client.get(f"/events/{event.slug}.ics")
    assert response.mimetype == "text/calendar"
    assert response.mimetype_params["method"] == "PUBLISH"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == f"event-{event.id}@{HOST}"
