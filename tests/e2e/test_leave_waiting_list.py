"""On a phone, someone on the waiting list leaves it from the link in their email."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsite.bookings.tokens import issue_manage_token
from eventsite.extensions import db
from eventsite.models import Booking
from tests.conftest import load
from tests.factories import make_booking, make_event

pytestmark = pytest.mark.e2e


def test_a_waiting_attendee_leaves_the_waiting_list(app, live_server, page):
    event = make_event(app, title="Spinning out mutuals", capacity=1)
    make_booking(app, event, email="asha@example.org")
    wale = make_booking(app, event, name="Wale Waiting", email="wale@example.org",
                        status="waiting", confirmed_at=None)
    with app.app_context():
        token = issue_manage_token(db.session.get(Booking, wale.id))
        db.session.commit()

    page.goto(f"{live_server}/bookings/{token}")
    expect(page.get_by_text("On the waiting list").first).to_be_visible()
    expect(page.get_by_text("You are number 1 on the waiting list")).to_be_visible()
    page.get_by_role("link", name="Leave the waiting list").click()
    expect(page.get_by_role("heading", name="Do you want to leave the waiting "
                            "list?")).to_be_visible()
    page.get_by_role("button", name="Yes, leave the waiting list").click()

    expect(page.get_by_text("You have left the waiting list").first).to_be_visible()
    expect(page.get_by_text("You are no longer on the waiting list")).to_be_visible()
    assert page.get_by_role("link", name="Leave the waiting list").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    assert load(app, Booking, wale.id).status == "cancelled"
