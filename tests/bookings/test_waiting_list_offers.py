"""A waiting list that looks after itself: nobody moves off it once the event has started,
and an event may offer a freed place for N hours: taken in time it is theirs, not taken it
passes to the next in line. An open offer holds its place, so nobody can overbook it."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsite.bookings.services import cancel_booking
from eventsite.database import utcnow
from eventsite.events.services import CapacityTooLow, update_event
from eventsite.extensions import db
from eventsite.models import Booking, Event
from eventsite.outbox.schedule import queue_scheduled_messages
from tests.conftest import book, load, log_in, manage_token, outbox, stored_bookings
from tests.factories import make_booking, make_event


def cancel(app, booking: Booking) -> None:
    with app.app_context():
        cancel_booking(db.session.get(Booking, booking.id))
        db.session.commit()


def run_worker_schedule(app) -> None:
    with app.app_context():
        queue_scheduled_messages()
        db.session.commit()


def lapse_now(app, booking: Booking) -> None:
    """The offer's deadline passes."""
    with app.app_context():
        db.session.get(Booking, booking.id).offer_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()


def offer_event(app, **values):
    """Full: one place, taken by Asha; Wale then Grace waiting; places offered for 4 hours."""
    event = make_event(app, capacity=1, offer_hours=4, **values)
    asha = make_booking(app, event, email="asha@example.org")
    wale = make_booking(app, event, email="wale@example.org", status="waiting",
                        confirmed_at=None, created_at=utcnow() - timedelta(hours=2))
    grace = make_booking(app, event, email="grace@example.org", status="waiting",
                         confirmed_at=None, created_at=utcnow() - timedelta(hours=1))
    return event, asha, wale, grace


def test_nobody_is_promoted_once_the_event_has_started(app):
    event = make_event(app, capacity=1, starts_in=timedelta(minutes=-10))
    asha = make_booking(app, event, email="asha@example.org")
    wale = make_booking(app, event, email="wale@example.org", status="waiting",
                        confirmed_at=None)
    cancel(app, asha)
    assert load(app, Booking, wale.id).status == "waiting"
    assert outbox(app, "booking_promoted") == []


def test_the_promote_button_says_why_it_is_refused_after_the_start(app, client):
    log_in(client, app)
    event = make_event(app, capacity=5, starts_in=timedelta(minutes=-10))
    wale = make_booking(app, event, email="wale@example.org", name="Wale Waiting",
                        status="waiting", confirmed_at=None)
    response = client.post(f"/admin/events/{event.slug}/bookings/{wale.id}/promote",
                           follow_redirects=True)
    assert "The event has started, so nobody moves off the waiting list now" in response.text
    assert load(app, Booking, wale.id).status == "waiting"


def test_a_freed_place_is_offered_and_held_for_the_first_in_line(app, client):
    event, asha, wale, grace = offer_event(app)
    cancel(app, asha)

    wale_now = load(app, Booking, wale.id)
    assert wale_now.status == "waiting" and wale_now.offer_expires_at is not None
    deadline = wale_now.offer_expires_at - utcnow()
    assert timedelta(hours=3, minutes=59) < deadline <= timedelta(hours=4)
    assert load(app, Booking, grace.id).offer_expires_at is None
    [offer] = outbox(app, "booking_offered")
    assert "wale@example.org" in offer.recipient
    assert "It is yours if you confirm by" in offer.body_text

    # The offered place is taken meanwhile: a newcomer joins the waiting list.
    assert "Fully booked" in client.get(f"/events/{event.slug}").text
    book(client, event, email="newcomer@example.org")
    newcomer = next(b for b in stored_bookings(app, event) if b.email == "newcomer@example.org")
    assert newcomer.status == "waiting"

    page = client.get(f"/bookings/{manage_token(offer)}").text
    assert "A place is yours if you confirm by" in page
    assert "Confirm my place" in page


def test_an_offer_taken_in_time_is_a_confirmed_place_with_an_invitation(app, client):
    event, asha, wale, grace = offer_event(app)
    cancel(app, asha)
    [offer] = outbox(app, "booking_offered")
    token = manage_token(offer)
    response = client.post(f"/bookings/{token}/accept", follow_redirects=True)
    assert "The place is yours" in response.text
    assert "Confirmed: you have a place" in response.text
    assert load(app, Booking, wale.id).status == "confirmed"
    [promoted] = outbox(app, "booking_promoted")
    assert "wale@example.org" in promoted.recipient and b"text/calendar" in promoted.raw

    # Taking it twice changes nothing; nobody else was offered anything.
    again = client.post(f"/bookings/{token}/accept", follow_redirects=True)
    assert "You already have a confirmed place" in again.text
    assert len(outbox(app, "booking_offered")) == 1
    confirmed = [b for b in stored_bookings(app, event) if b.status == "confirmed"]
    assert len(confirmed) == 1


def test_an_offer_not_taken_in_time_passes_to_the_next_person(app, client):
    event, asha, wale, grace = offer_event(app)
    cancel(app, asha)
    [offer] = outbox(app, "booking_offered")
    lapse_now(app, wale)

    refused = client.post(f"/bookings/{manage_token(offer)}/accept", follow_redirects=True)
    assert "This offer has lapsed" in refused.text
    assert load(app, Booking, wale.id).status == "waiting"  # the worker passes it on

    run_worker_schedule(app)
    run_worker_schedule(app)  # a second pass (or a second worker) changes nothing
    assert load(app, Booking, wale.id).status == "cancelled"
    [lapsed] = outbox(app, "offer_lapsed")
    assert "wale@example.org" in lapsed.recipient
    assert "passed to the next person" in lapsed.body_text
    offers = outbox(app, "booking_offered")
    assert [o.recipient.split("<")[1] for o in offers] == ["wale@example.org>",
                                                          "grace@example.org>"]
    assert load(app, Booking, grace.id).offer_expires_at is not None
    page = client.get(f"/bookings/{manage_token(offer)}").text
    assert "You are no longer on the waiting list" in page


def test_no_offer_runs_past_the_start_and_none_is_made_after_it(app, client):
    event, asha, wale, grace = offer_event(app, starts_in=timedelta(hours=1))
    cancel(app, asha)
    wale_now = load(app, Booking, wale.id)
    assert wale_now.offer_expires_at == event.starts_at  # not four hours: the event starts

    with app.app_context():  # the event starts with the offer untaken
        event_row = db.session.get(Event, event.id)
        event_row.starts_at = utcnow() - timedelta(minutes=1)
        db.session.get(Booking, wale.id).offer_expires_at = event_row.starts_at
        db.session.commit()
    refused = client.post(f"/bookings/{manage_token(outbox(app, 'booking_offered')[0])}/accept",
                          follow_redirects=True)
    assert "This offer has lapsed" in refused.text
    run_worker_schedule(app)
    assert load(app, Booking, wale.id).status == "cancelled"
    assert load(app, Booking, grace.id).offer_expires_at is None
    assert len(outbox(app, "booking_offered")) == 1


def taken_places(app, event) -> int:
    with app.app_context():
        rows = db.session.scalars(sa.select(Booking).where(Booking.event_id == event.id))
        return sum(1 for b in rows if b.status == "confirmed" or b.has_offer)


def test_open_offers_hold_their_places_so_nothing_is_overbooked(app, client):
    event, asha, wale, grace = offer_event(app)
    cancel(app, asha)  # Wale is offered the one place
    with app.app_context():
        update_event(db.session.get(Event, event.id), {"capacity": 2})
        db.session.commit()
    assert load(app, Booking, grace.id).offer_expires_at is not None  # the new place
    book(client, event, email="newcomer@example.org")
    assert [b.status for b in stored_bookings(app, event)
            if b.email == "newcomer@example.org"] == ["waiting"]
    assert taken_places(app, event) == 2

    [wale_offer, _grace_offer] = outbox(app, "booking_offered")
    client.post(f"/bookings/{manage_token(wale_offer)}/accept")
    assert taken_places(app, event) == 2
    with app.app_context():  # capacity cannot drop below the places confirmed or offered
        with pytest.raises(CapacityTooLow):
            update_event(db.session.get(Event, event.id), {"capacity": 1})


def test_without_offer_hours_a_freed_place_is_given_straight_away(app):
    event = make_event(app, capacity=1)
    asha = make_booking(app, event, email="asha@example.org")
    wale = make_booking(app, event, email="wale@example.org", status="waiting",
                        confirmed_at=None)
    cancel(app, asha)
    assert load(app, Booking, wale.id).status == "confirmed"
    assert outbox(app, "booking_offered") == []
    assert len(outbox(app, "booking_promoted")) == 1
