"""One-click unsubscribe (RFC 8058) from follow-ups, and its confirmation page."""
from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer

from eventsite.bookings.followup_links import TOKEN_SALT, list_unsubscribe_headers, unsubscribe_url
from eventsite.extensions import db
from eventsite.models import Booking
from tests.factories import make_booking, make_event


def unsubscribe_path(app, booking) -> str:
    with app.app_context():
        url = unsubscribe_url(db.session.get(Booking, booking.id))
    return url.removeprefix(app.config["SITE_URL"])


def unsubscribed_at(app, booking):
    with app.app_context():
        return db.session.get(Booking, booking.id).followup_unsubscribed_at


@pytest.mark.csrf
def test_one_click_post_without_csrf_token_stops_followups_for_that_event(app, client):
    event, other_event = make_event(app), make_event(app)
    booking = make_booking(app, event, email="Pat@Example.org")
    earlier = make_booking(app, event, email="pat@example.org", status="cancelled")
    elsewhere = make_booking(app, other_event, email="pat@example.org")

    response = client.post(unsubscribe_path(app, booking),
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    assert unsubscribed_at(app, booking) is not None
    assert unsubscribed_at(app, earlier) is not None  # the address, not just one booking
    assert unsubscribed_at(app, elsewhere) is None
    with app.app_context():
        assert db.session.get(Booking, booking.id).status == "confirmed"

    again = client.post(unsubscribe_path(app, booking), data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200


def test_get_shows_a_confirmation_page_and_changes_nothing(app, client):
    event = make_event(app, title="Spinning out mutuals")
    booking = make_booking(app, event)
    path = unsubscribe_path(app, booking)

    page = client.get(path)
    assert page.status_code == 200
    assert "Stop follow-up emails?" in page.text and "Spinning out mutuals" in page.text
    assert '<form method="post"' in page.text
    assert unsubscribed_at(app, booking) is None

    client.post(path)
    assert "You have already unsubscribed" in client.get(path).text


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_token_gets_a_clear_not_found_page(app, client, method):
    booking = make_booking(app, make_event(app))
    forged = URLSafeSerializer("some other secret", salt=TOKEN_SALT).dumps(booking.id)
    for token in (forged, "not-a-token", unsubscribe_path(app, booking).rsplit("/", 1)[1][:-2]):
        response = getattr(client, method)(f"/unsubscribe/{token}")
        assert response.status_code == 404
        assert "This unsubscribe link is not recognised" in response.text
    assert unsubscribed_at(app, booking) is None


def test_headers_point_at_the_one_click_address(app):
    booking = make_booking(app, make_event(app))
    with app.app_context():
        headers = list_unsubscribe_headers(db.session.get(Booking, booking.id))
        assert headers == {
            "List-Unsubscribe": f"<{unsubscribe_url(db.session.get(Booking, booking.id))}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    assert headers["List-Unsubscribe"].startswith("<https://events.example.org/unsubscribe/")
