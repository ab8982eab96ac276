"""Manage links: every one ever emailed keeps leading to the booking, and none can be
read back out of the database."""
from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from eventsite.attendees.privacy import erase_person
from eventsite.bookings.notices import queue_reminder
from eventsite.bookings.services import promote_booking
from eventsite.bookings.tokens import booking_by_token, hash_token, issue_manage_token
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Booking, BookingLink, Event
from tests.conftest import book, manage_token, outbox, stored_bookings
from tests.factories import make_booking, make_event


def booking_links(app, booking_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            sa.select(BookingLink.token_hash).where(BookingLink.booking_id == booking_id)))


def queue_reminder_for(app, booking_id: int) -> None:
    with app.app_context():
        queue_reminder(db.session.get(Booking, booking_id))
        db.session.commit()


def test_every_link_ever_emailed_keeps_leading_to_the_booking(client, app):
    event = make_event(app, capacity=1, starts_in=timedelta(hours=20))
    book(client, event, email="ada@example.org")
    book(client, event, email="grace@example.org", name="Grace Hopper")
    book(client, event, email="grace@example.org", name="Grace Hopper")  # re-sent
    ada_link = manage_token(outbox(app, "booking_confirmed")[0])
    client.post(f"/bookings/{ada_link}/cancel")  # Grace is promoted
    ada, grace = stored_bookings(app)
    queue_reminder_for(app, grace.id)

    emails = [m for m in outbox(app) if m.booking_id == grace.id]
    assert [m.kind for m in emails] == [
        "booking_waiting_list", "booking_waiting_list", "booking_promoted", "reminder"]
    tokens = [manage_token(m) for m in emails]
    assert len(set(tokens)) == 4
    for token in tokens:
        page = client.get(f"/bookings/{token}")
        assert page.status_code == 200
        assert grace.reference in page.text and "Confirmed: you have a place" in page.text
        assert client.get(f"/bookings/{token}/calendar.ics").status_code == 200

    # Cancelling from the oldest email shows as cancelled behind every link.
    oldest = tokens[0]
    assert "Yes, cancel your booking" in client.get(f"/bookings/{oldest}/cancel").text
    client.post(f"/bookings/{oldest}/cancel")
    for token in tokens + [ada_link]:
        page = client.get(f"/bookings/{token}")
        assert page.status_code == 200 and "This booking was cancelled" in page.text
    assert ada.reference in client.get(f"/bookings/{ada_link}").text


def test_confirmation_link_keeps_working_after_the_reminder(client, app):
    event = make_event(app, starts_in=timedelta(hours=20))
    book(client, event)
    [booking] = stored_bookings(app)
    queue_reminder_for(app, booking.id)
    [confirmation] = outbox(app, "booking_confirmed")
    [reminder] = outbox(app, "reminder")
    assert manage_token(confirmation) != manage_token(reminder)
    for message in (confirmation, reminder):
        page = client.get(f"/bookings/{manage_token(message)}")
        assert page.status_code == 200 and booking.reference in page.text
    assert len(booking_links(app, booking.id)) == 2


def test_waiting_list_link_keeps_working_after_an_organiser_promotes(client, app):
    event = make_event(app, capacity=1)
    make_booking(app, event)
    book(client, event)
    [notice] = outbox(app, "booking_waiting_list")
    waiting = stored_bookings(app, event)[1]
    with app.app_context():
        db.session.get(Event, event.id).capacity = 2
        db.session.commit()
        promote_booking(db.session.get(Booking, waiting.id))
        db.session.commit()
    [promoted] = outbox(app, "booking_promoted")
    for message in (notice, promoted):
        page = client.get(f"/bookings/{manage_token(message)}")
        assert "Confirmed: you have a place" in page.text


def test_manage_tokens_are_stored_only_as_hashes(client, app):
    event = make_event(app)
    book(client, event)
    book(client, event)
    tokens = [manage_token(m) for m in outbox(app, "booking_confirmed")]
    [booking] = stored_bookings(app)
    assert sorted(booking_links(app, booking.id)) == sorted(map(hash_token, tokens))
    # Only the queued emails carry the raw token (they are what delivers it).
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name.startswith("outbox_"):
                continue
            for row in db.session.execute(sa.select(table)):
                stored = " ".join(map(str, row))
                assert not any(token in stored for token in tokens), table.name


def test_a_well_formed_link_that_was_never_sent_is_404(client, app):
    event = make_event(app)
    book(client, event)
    page = client.get(f"/bookings/{secrets.token_urlsafe(32)}")
    assert page.status_code == 404
    assert "We cannot find a booking for this link" in page.text
    assert "most recent" not in page.text
    assert page.headers["Cache-Control"] == "private, no-store"


def test_links_stop_working_when_old_bookings_are_purged(client, app, runner):
    event = make_event(app, starts_in=timedelta(days=-20))  # its links still work
    booking = make_booking(app, event)
    with app.app_context():
        token = issue_manage_token(db.session.get(Booking, booking.id))
        db.session.commit()
    assert client.get(f"/bookings/{token}").status_code == 200
    assert runner.invoke(args=["privacy", "purge", "--older-than", "10"]).exit_code == 0
    assert client.get(f"/bookings/{token}").status_code == 404
    assert booking_links(app, booking.id) == []


def test_links_stop_working_when_a_person_is_erased(client, app):
    event = make_event(app)
    book(client, event)
    book(client, event)
    tokens = [manage_token(m) for m in outbox(app, "booking_confirmed")]
    with app.app_context():
        erase_person("ada@example.org")
        db.session.commit()
    [booking] = stored_bookings(app)
    assert booking.anonymised_at is not None and booking_links(app, booking.id) == []
    for token in tokens:
        for path in (f"/bookings/{token}", f"/bookings/{token}/calendar.ics",
                     f"/bookings/{token}/cancel"):
            assert client.get(path).status_code == 404
        assert client.post(f"/bookings/{token}/cancel").status_code == 404


def test_an_anonymised_booking_is_never_found_by_a_link(app):
    event = make_event(app)
    booking = make_booking(app, event)
    with app.app_context():
        token = issue_manage_token(db.session.get(Booking, booking.id))
        db.session.get(Booking, booking.id).anonymised_at = utcnow()
        db.session.commit()
        assert booking_by_token(token) is None


