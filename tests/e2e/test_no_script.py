"""With JavaScript turned off, an attendee can still book, see and cancel a place."""
from __future__ import annotations

import email
import email.policy
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from eventsite.extensions import db
from eventsite.models import Booking, OutboxMessage
from tests.factories import make_event

pytestmark = pytest.mark.e2e


def test_booking_journey_works_without_javascript(app, live_server, no_script_page):
    page = no_script_page
    event = make_event(app, title="Spinning out mutuals", capacity=5)
    page.goto(live_server + "/")
    page.get_by_role("link", name="Spinning out mutuals").click()
    page.get_by_role("link", name="Book a place").click()
    page.get_by_label("Name").fill("Nadia Noscript")
    page.get_by_label("Email").fill("nadia@example.org")
    page.get_by_label("Organisation").fill("Northfield Council")
    page.get_by_role("button", name="Book a place").click()
    expect(page.get_by_role("heading", name="You have a place")).to_be_visible()

    with app.app_context():
        booking = db.session.scalar(sa.select(Booking).where(Booking.event_id == event.id))
        assert booking.status == "confirmed" and booking.name == "Nadia Noscript"
        confirmation = db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "booking_confirmed"))
        sent = email.message_from_bytes(confirmation.raw, policy=email.policy.default)
    text = sent.get_body(("plain",)).get_content()
    manage_link = re.search(r"https?://\S+/bookings/[\w-]+", text).group(0)
    page.goto(live_server + "/bookings/" + manage_link.rsplit("/bookings/", 1)[1])
    expect(page.get_by_text(booking.reference).first).to_be_visible()
    page.get_by_role("link", name="Cancel my booking").click()
    page.get_by_role("button", name="Yes, cancel your booking").click()
    with app.app_context():
        assert db.session.get(Booking, booking.id).status == "cancelled"
    page.goto(f"{live_server}/events/{event.slug}")
    expect(page.get_by_text("5 of 5 places left")).to_be_visible()
