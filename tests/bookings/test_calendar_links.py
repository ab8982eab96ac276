"""Add to calendar anywhere: Google Calendar, Outlook and .ics links on the event page,
in the confirmation and on the manage page, and each confirmed attendee's personal
calendar feed, which always holds their invitation as it stands (docs/CALENDAR.md)."""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest

from eventsite.bookings.services import cancel_booking
from eventsite.database import utcnow
from eventsite.events.services import cancel_event
from eventsite.extensions import db
from eventsite.models import Booking, Event
from tests.bookings.test_calendar_invitations import the_invitation
from tests.conftest import book, deliver, manage_token, outbox, stored_bookings
from tests.events.test_change_notices import edit, when_the_window_closes
from tests.factories import make_booking, make_event

HOST = "events.example.org"
# 18:00 in New York on 1 December 2030 (EST, UTC-5) is 23:00 UTC.
NEW_YORK = {"starts_at": datetime(2030, 12, 1, 23, 0, tzinfo=timezone.utc),
            "ends_at": datetime(2030, 12, 2, 0, 30, tzinfo=timezone.utc),
            "timezone": "America/New_York"}


def links_in(page: str) -> dict[str, str]:
    """Link text -> href of every link on the page."""
    return {html.unescape(text.strip()): html.unescape(href)
            for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', page)}


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_event_page_offers_google_outlook_and_ics_with_times_in_utc(app, client):
    event = make_event(app, **NEW_YORK)
    links = links_in(client.get(f"/events/{event.slug}").get_data(as_text=True))

    google = links["Google Calendar"]
    assert google.startswith("https://calendar.google.com/calendar/render?")
    assert query(google) == {
        "action": "TEMPLATE", "text": event.title,
        "dates": "20301201T230000Z/20301202T003000Z",
        "details": f"{event.summary}\n\nEvent page: https://{HOST}/events/{event.slug}",
        "location": "Meeting Room 4, 1 Quay Street, Manchester",
    }
    outlook = links["Outlook"]
    assert outlook.startswith("https://outlook.live.com/calendar/0/action/compose?")
    found = query(outlook)
    assert (found["subject"], found["startdt"], found["enddt"]) == (
        event.title, "2030-12-01T23:00:00Z", "2030-12-02T00:30:00Z")
    assert found["location"] == "Meeting Room 4, 1 Quay Street, Manchester"
    assert f"https://{HOST}/events/{event.slug}" in found["body"]

    ics = client.get(urlsplit(links["Apple / other (.ics)"]).path)
    assert ics.mimetype_params["method"] == "PUBLISH"
    vevent = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert vevent.decoded("DTSTART") == NEW_YORK["starts_at"]


def test_no_calendar_links_for_a_cancelled_event(app, client):
    event = make_event(app, cancelled_at=utcnow())
    assert "Google Calendar" not in client.get(f"/events/{event.slug}").get_data(as_text=True)


def test_the_confirmation_offers_the_same_links(app, client):
    event = make_event(app, **NEW_YORK)
    book(client, event)
    [confirmation] = outbox(app, "booking_confirmed")
    google = re.search(r"Google Calendar: (\S+)", confirmation.body_text).group(1)
    assert query(google)["dates"] == "20301201T230000Z/20301202T003000Z"
    outlook = re.search(r"Outlook: (\S+)", confirmation.body_text).group(1)
    assert query(outlook)["startdt"] == "2030-12-01T23:00:00Z"
    assert f"Apple / other (.ics): https://{HOST}/events/{event.slug}.ics" in (
        confirmation.body_text)
    assert "calendar.google.com" in confirmation.body_html


def feed_of(client, token: str) -> tuple[str, str]:
    """The (https, webcal) feed addresses the manage page shows."""
    page = client.get(f"/bookings/{token}").get_data(as_text=True)
    https = re.search(r'value="(https://[^"]+/calendar/[^"]+\.ics)"', page).group(1)
    webcal = re.search(r'href="(webcal://[^"]+)"', page).group(1)
    return html.unescape(https), html.unescape(webcal)


def fetch_feed(client, url: str) -> tuple[int, str, icalendar.Event]:
    """(SEQUENCE, STATUS, VEVENT) of the feed, checked to be METHOD:PUBLISH, served as
    method=PUBLISH, and to hold one event."""
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.mimetype_params["method"] == "PUBLISH"
    assert response.headers["Cache-Control"] == "private, no-store"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    (vevent,) = calendar.walk("VEVENT")
    assert "ATTENDEE" not in vevent and "ORGANIZER" not in vevent
    return int(vevent["SEQUENCE"]), str(vevent["STATUS"]), vevent


def booked(app, client, event) -> tuple[Booking, str, str]:
    """Book through the form; (booking, manage token, the invitation's UID)."""
    book(client, event)
    [booking] = stored_bookings(app, event)
    [confirmation] = outbox(app, "booking_confirmed")
    return booking, manage_token(confirmation), the_invitation(confirmation.raw)[0]


def test_manage_page_offers_the_links_and_a_personal_feed(app, client):
    event = make_event(app, **NEW_YORK)
    booking, token, uid = booked(app, client, event)
    page = client.get(f"/bookings/{token}").get_data(as_text=True)
    links = links_in(page)
    assert query(links["Google Calendar"])["dates"] == "20301201T230000Z/20301202T003000Z"
    assert links["Apple / other (.ics)"] == f"/bookings/{token}/calendar.ics"
    https, webcal = feed_of(client, token)
    assert https.startswith(f"https://{HOST}/calendar/")
    assert webcal == "webcal://" + https.removeprefix("https://")
    sequence, status, vevent = fetch_feed(client, https)
    assert (str(vevent["UID"]), sequence, status) == (uid, 0, "CONFIRMED")
    assert vevent.decoded("DTSTART") == NEW_YORK["starts_at"]


def test_the_feed_holds_the_current_version_after_a_change(app, client):
    event = make_event(app)
    booking, token, uid = booked(app, client, event)
    https, _ = feed_of(client, token)
    new_start = datetime(2030, 7, 1, 18, 0, tzinfo=timezone.utc)
    edit(app, event, starts_at=new_start,
         ends_at=datetime(2030, 7, 1, 19, 0, tzinfo=timezone.utc), venue="Room 7")
    sequence, status, vevent = fetch_feed(client, https)
    assert (str(vevent["UID"]), sequence, status) == (uid, 1, "CONFIRMED")
    assert vevent.decoded("DTSTART") == new_start
    assert str(vevent["LOCATION"]).startswith("Room 7")
    when_the_window_closes(app)
    [notice] = outbox(app, "event_changed")
    assert the_invitation(notice.raw)[:3] == (uid, sequence, "REQUEST")


def test_a_typo_fix_shows_in_the_feed_with_the_same_sequence(app, client):
    event = make_event(app, venue="Meeting Rom 4")
    booking, token, uid = booked(app, client, event)
    https, _ = feed_of(client, token)
    edit(app, event, tell_attendees=False, venue="Meeting Room 4")
    sequence, status, vevent = fetch_feed(client, https)
    assert (str(vevent["UID"]), sequence, status) == (uid, 0, "CONFIRMED")
    assert str(vevent["LOCATION"]).startswith("Meeting Room 4,")


def test_the_feed_says_cancelled_when_the_booking_is(app, client):
    event = make_event(app)
    booking, token, uid = booked(app, client, event)
    https, _ = feed_of(client, token)
    with app.app_context():
        cancel_booking(db.session.get(Booking, booking.id))
        db.session.commit()
    [cancelled] = outbox(app, "booking_cancelled")
    sequence, status, vevent = fetch_feed(client, https)
    assert (str(vevent["UID"]), sequence, status) == the_invitation(cancelled.raw)[:2] + (
        "CANCELLED",)


def test_the_feed_says_cancelled_when_the_event_is(app, client):
    event = make_event(app)
    booking, token, uid = booked(app, client, event)
    https, _ = feed_of(client, token)
    with app.app_context():
        cancel_event(db.session.get(Event, event.id))
        db.session.commit()
    [cancelled] = outbox(app, "event_cancelled")
    sequence, status, vevent = fetch_feed(client, https)
    assert (str(vevent["UID"]), sequence, status) == (uid, the_invitation(cancelled.raw)[1],
                                                      "CANCELLED")


def test_the_feed_keeps_working_once_the_outbox_forgets_private_links(app, client):
    event = make_event(app)
    booking, token, uid = booked(app, client, event)
    https, _ = feed_of(client, token)
    deliver(app)
    [sent] = outbox(app, "booking_confirmed")
    assert not sent.holds_private_links
    assert fetch_feed(client, https)[2]["UID"] == uid
    assert feed_of(client, token)[0] == https  # the manage page shows the same address


@pytest.mark.parametrize("token", [
    "x" * 43, "MQ.forged-signature", "", "..", "%00", "a" * 5000,
])
def test_the_feed_refuses_an_unknown_token(app, client, token):
    make_event(app)
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.data


def test_the_feed_refuses_a_manage_token_a_waiting_place_and_forgotten_data(app, client):
    event = make_event(app, capacity=1)
    booking, token, _ = booked(app, client, event)
    https, _ = feed_of(client, token)
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    waiting = make_booking(app, event, status="waiting", confirmed_at=None)
    with app.app_context():
        from eventsite.bookings.calendar_links import feed_urls

        waiting_feed = feed_urls(db.session.get(Booking, waiting.id))["https"]
        db.session.get(Booking, booking.id).anonymised_at = utcnow()
        db.session.commit()
    assert client.get(urlsplit(waiting_feed).path).status_code == 404
    assert client.get(urlsplit(https).path).status_code == 404


def test_a_feed_signed_with_another_key_is_refused(app, client):
    event = make_event(app)
    booking, token, _ = booked(app, client, event)
    https, _ = feed_of(client, token)
    app.config["SECRET_KEY"] = "another key " * 4
    assert client.get(urlsplit(https).path).status_code == 404
