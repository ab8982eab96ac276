"""Capacity edits take the same lock as bookings: lowering the capacity is decided against
the confirmed count at that moment, so confirmed places never exceed it."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from eventsite.bookings.services import create_booking
from eventsite.extensions import db
from eventsite.models import Booking, BookingStatus, Event
from tests.conftest import VALID, log_in, wait_until
from tests.factories import make_booking, make_event

STARTS = datetime(2030, 10, 20, 11, 30, tzinfo=timezone.utc)  # 12:30 in London


def edit_form(event: Event, capacity: int) -> dict:
    return {
        "title": event.title, "slug": event.slug, "host_conference": "", "summary": "",
        "description": "", "starts": "2030-10-20T12:30", "ends": "2030-10-20T14:00",
        "timezone": "Europe/London", "venue": event.venue, "address": event.address,
        "capacity": str(capacity), "waiting_list": "y", "booking_opens": "",
        "booking_closes": "", "organiser_email": event.organiser_email, "published": "y",
    }


def confirmed_and_capacity(app, event: Event) -> tuple[int, int]:
    with app.app_context():
        confirmed = db.session.scalar(sa.select(sa.func.count(Booking.id)).where(
            Booking.event_id == event.id, Booking.status == BookingStatus.CONFIRMED))
        return confirmed, db.session.get(Event, event.id).capacity


def waiting_for_a_lock(app) -> bool:
    with app.app_context():
        waiting = db.session.scalar(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"))
        db.session.rollback()
        return waiting > 0


def test_lowering_capacity_below_the_confirmed_count_is_refused_beside_the_field(app, client):
    log_in(client, app)
    event = make_event(app, capacity=3, starts_at=STARTS)
    make_booking(app, event)
    make_booking(app, event)
    page = client.post(f"/admin/events/{event.slug}/edit", data=edit_form(event, 1)).text
    assert 'id="capacity-error"' in page
    assert "2 places are already confirmed; capacity cannot be lower." in page
    assert confirmed_and_capacity(app, event) == (2, 3)
    assert client.post(f"/admin/events/{event.slug}/edit",
                       data=edit_form(event, 2)).status_code == 302
    assert confirmed_and_capacity(app, event) == (2, 2)


# On SQLite every write already takes the one database write lock: PostgreSQL only.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_capacity_edit_waits_for_a_booking_in_progress_and_counts_it(app, client):
    """A booking holds the event's lock, not yet committed, while the organiser lowers the
    capacity to what was confirmed before it. The edit must wait and then see that place."""
    log_in(client, app)
    event = make_event(app, capacity=3, starts_at=STARTS)
    make_booking(app, event)
    make_booking(app, event)
    booked, release = threading.Event(), threading.Event()

    def book_the_last_place():
        with app.app_context():
            create_booking(db.session.get(Event, event.id), VALID)
            booked.set()
            release.wait(timeout=60)
            db.session.commit()

    booking = threading.Thread(target=book_the_last_place)
    booking.start()
    assert booked.wait(timeout=30)
    answers = []
    edit = threading.Thread(target=lambda: answers.append(client.post(
        f"/admin/events/{event.slug}/edit", data=edit_form(event, 2))))
    edit.start()
    wait_until(lambda: waiting_for_a_lock(app), "the capacity edit to wait for the lock")
    release.set()
    booking.join(timeout=60)
    edit.join(timeout=60)

    [answer] = answers
    assert answer.status_code == 200
    assert "3 places are already confirmed; capacity cannot be lower." in answer.text
    assert confirmed_and_capacity(app, event) == (3, 3)
