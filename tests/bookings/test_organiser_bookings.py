"""Each event's bookings page: counts, charts, search, the door, promotion, the sheet."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Booking
from tests.conftest import audit_actions, load, log_in, outbox
from tests.factories import make_booking, make_event


def test_bookings_page_shows_counts_and_server_drawn_charts(app, client):
    log_in(client, app)
    event = make_event(app, capacity=4)
    make_booking(app, event, created_at=utcnow() - timedelta(days=3))
    make_booking(app, event, checked_in_at=utcnow())
    make_booking(app, event, status="waiting", confirmed_at=None)
    make_booking(app, event, status="cancelled")
    response = client.get(f"/admin/events/{event.slug}/bookings")
    page = response.get_data(as_text=True)

    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page))
    assert counts == {"Confirmed": "2", "Waiting": "1", "Cancelled": "1", "Checked in": "1",
                      "Places left": "2"}
    assert '<rect class="bar-confirmed" x="0" y="0" width="50.0"' in page
    assert "<polyline points=" in page
    assert "4 in all" in page
    assert "style=" not in page and "<script" not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'href="/admin/events/%s/attendees.csv">Export CSV</a>' % event.slug in page


def test_search_and_status_filter(app, client):
    log_in(client, app)
    event = make_event(app)
    make_booking(app, event, name="Zoë Adams", organisation="Brightwater")
    make_booking(app, event, name="Bob Brown", organisation="Northfield 100%")
    make_booking(app, event, name="Cat Waiting", status="waiting")
    url = f"/admin/events/{event.slug}/bookings"

    page = client.get(url, query_string={"q": "bright"}).get_data(as_text=True)
    assert "Zoë Adams" in page and "Bob Brown" not in page
    page = client.get(url, query_string={"q": "100%"}).get_data(as_text=True)
    assert "Bob Brown" in page and "Zoë Adams" not in page
    page = client.get(url, query_string={"status": "waiting"}).get_data(as_text=True)
    assert "Cat Waiting" in page and "Bob Brown" not in page
    assert client.get(url, query_string={"status": "<bad>"}).status_code == 200


def test_check_in_and_undo_at_the_door(app, client):
    log_in(client, app)
    event = make_event(app)
    booking = make_booking(app, event, name="Dee Door")
    base = f"/admin/events/{event.slug}/bookings/{booking.id}"

    response = client.post(f"{base}/check-in", data={"q": "dee", "status": "confirmed"})
    assert response.location.endswith(
        f"/bookings?q=dee&status=confirmed#booking-{booking.id}")
    arrived = load(app, Booking, booking.id).checked_in_at
    assert arrived is not None
    client.post(f"{base}/check-in")
    assert load(app, Booking, booking.id).checked_in_at == arrived
    page = client.get(f"/admin/events/{event.slug}/bookings").get_data(as_text=True)
    assert "Checked in" in page and "Undo check-in" in page

    client.post(f"{base}/undo-check-in")
    assert load(app, Booking, booking.id).checked_in_at is None
    assert audit_actions(app) == ["logged in", "checked in", "check-in undone"]


def test_someone_on_the_waiting_list_cannot_be_checked_in(app, client):
    log_in(client, app)
    event = make_event(app)
    booking = make_booking(app, event, name="Wendy Wait", status="waiting", confirmed_at=None)
    response = client.post(f"/admin/events/{event.slug}/bookings/{booking.id}/check-in",
                           follow_redirects=True)
    assert "Wendy Wait is waiting, not confirmed, so cannot be checked in." in \
        response.get_data(as_text=True)
    assert load(app, Booking, booking.id).checked_in_at is None


def test_a_booking_of_another_event_is_not_found(app, client):
    log_in(client, app)
    event, other = make_event(app), make_event(app)
    booking = make_booking(app, other)
    response = client.post(f"/admin/events/{event.slug}/bookings/{booking.id}/check-in")
    assert response.status_code == 404


def test_promote_needs_a_free_place_then_cancelling_promotes_the_first_waiting(app, client):
    log_in(client, app)
    event = make_event(app, capacity=1)
    confirmed = make_booking(app, event, name="Cara Confirmed")
    first = make_booking(app, event, name="Fay First", status="waiting", confirmed_at=None,
                         created_at=utcnow() - timedelta(hours=2))
    second = make_booking(app, event, name="Sid Second", status="waiting", confirmed_at=None)
    base = f"/admin/events/{event.slug}/bookings"

    page = client.post(f"{base}/{second.id}/promote", follow_redirects=True).get_data(as_text=True)
    assert "No place is free." in page
    assert load(app, Booking, second.id).status == "waiting"

    page = client.post(f"{base}/{confirmed.id}/cancel", follow_redirects=True).get_data(as_text=True)
    assert "Fay First moves off the waiting list" in page
    assert load(app, Booking, confirmed.id).status == "cancelled"
    assert load(app, Booking, first.id).status == "confirmed"
    assert [m.booking_id for m in outbox(app, "booking_promoted")] == [first.id]
    assert [m.booking_id for m in outbox(app, "booking_cancelled")] == [confirmed.id]
    assert audit_actions(app) == ["logged in", "booking cancelled", "promoted from waiting list"]


def test_an_organiser_can_give_a_waiting_person_a_free_place(app, client):
    log_in(client, app)
    event = make_event(app, capacity=1)
    waiting = make_booking(app, event, status="waiting", confirmed_at=None)
    client.post(f"/admin/events/{event.slug}/bookings/{waiting.id}/promote")
    assert load(app, Booking, waiting.id).status == "confirmed"
    assert [m.booking_id for m in outbox(app, "booking_promoted")] == [waiting.id]


def test_add_a_booking_by_hand(app, client):
    log_in(client, app)
    event = make_event(app, capacity=1, published=False)
    url = f"/admin/events/{event.slug}/bookings/new"
    form = {"name": "Phone Booker", "email": "phone@example.org", "organisation": "Council",
            "wants_followup": "y"}
    assert client.post(url, data=form).status_code == 302
    client.post(url, data={**form, "name": "Late Caller", "email": "late@example.org"})

    with app.app_context():
        statuses = dict(db.session.execute(sa.select(Booking.name, Booking.status)).all())
    assert statuses == {"Phone Booker": "confirmed", "Late Caller": "waiting"}
    assert len(outbox(app, "booking_confirmed")) == 1
    assert audit_actions(app) == ["logged in", "booking added by hand", "booking added by hand"]


def test_adding_by_hand_checks_the_fields(app, client):
    log_in(client, app)
    event = make_event(app)
    page = client.post(f"/admin/events/{event.slug}/bookings/new",
                       data={"name": "No Email", "email": "nope"}).get_data(as_text=True)
    assert 'id="email-error">Enter an email address in the form name@example.org.' in page
    assert 'value="No Email"' in page


def test_sign_in_sheet_lists_confirmed_people_by_surname(app, client):
    log_in(client, app)
    event = make_event(app)
    make_booking(app, event, name="Zara Adams", organisation="Org A")
    make_booking(app, event, name="Ann van der Berg", organisation="Org B")
    make_booking(app, event, name="Cher")
    make_booking(app, event, name="Wally Waiting", status="waiting")
    page = client.get(f"/admin/events/{event.slug}/sign-in-sheet").get_data(as_text=True)
    names = re.findall(r"<tr><td>([^<]+)</td><td>[^<]*</td><td class=\"signature\"></td></tr>",
                       page)
    assert names == ["Zara Adams", "Ann van der Berg", "Cher"]
    assert "Signature" in page and "Org B" in page and "Wally" not in page
