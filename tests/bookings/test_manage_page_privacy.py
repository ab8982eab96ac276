"""Manage links that reveal little: nothing personal once cancelled, nothing at all 30
days after the event, and calendar files that carry the event's page, not the link."""
from __future__ import annotations

from datetime import timedelta

import icalendar

from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Booking, Event
from tests.conftest import attached_files, book, manage_token, outbox, stored_bookings
from tests.factories import make_event

PERSONAL = ("Ada Lovelace", "ada@example.org", "Analytical Engines Ltd", "Analyst",
            "Step-free access, please")


def booked(client, app, **event_values) -> tuple[Event, str]:
    event = make_event(app, **event_values)
    book(client, event)
    return event, manage_token(outbox(app, "booking_confirmed")[0])


def move_event(app, event: Event, ended_ago: timedelta) -> None:
    with app.app_context():
        row = db.session.get(Event, event.id)
        row.ends_at = utcnow() - ended_ago
        row.starts_at = row.ends_at - timedelta(hours=2)
        db.session.commit()


def test_a_cancelled_booking_shows_the_event_and_nothing_personal(client, app):
    event, token = booked(client, app, title="Spinning out mutuals")
    assert all(text in client.get(f"/bookings/{token}").text for text in PERSONAL)
    client.post(f"/bookings/{token}/cancel")
    [booking] = stored_bookings(app)
    assert booking.status == "cancelled"

    page = client.get(f"/bookings/{token}")
    assert page.status_code == 200
    assert "Spinning out mutuals" in page.text and "Cancelled" in page.text
    for text in PERSONAL:
        assert text not in page.text


def test_links_work_until_30_days_after_the_event_then_say_so(client, app):
    event, token = booked(client, app, organiser_email="host@example.org")
    move_event(app, event, timedelta(days=29))
    assert client.get(f"/bookings/{token}").status_code == 200

    move_event(app, event, timedelta(days=31))
    for path in (f"/bookings/{token}", f"/bookings/{token}/calendar.ics",
                 f"/bookings/{token}/cancel"):
        page = client.get(path)
        assert page.status_code == 410, path
        assert "no longer viewable online" in page.text
        assert "host@example.org" in page.text
        assert page.headers["Cache-Control"] == "private, no-store"
        for text in PERSONAL:
            assert text not in page.text
    assert client.post(f"/bookings/{token}/cancel").status_code == 410
    assert stored_bookings(app)[0].status == "confirmed"


def test_calendar_files_carry_the_event_page_not_the_manage_link(client, app):
    event, token = booked(client, app)
    event_url = f"https://events.example.org/events/{event.slug}"
    [confirmation] = outbox(app, "booking_confirmed")
    invite = dict((name, data) for name, _type, data in attached_files(confirmation.raw))
    files = [invite["invite.ics"], client.get(f"/bookings/{token}/calendar.ics").data]
    with app.app_context():
        from eventsite.bookings.notices import queue_reminder
        queue_reminder(db.session.get(Booking, stored_bookings(app)[0].id))
        db.session.commit()
    [reminder] = outbox(app, "reminder")
    files.append(dict((n, d) for n, _t, d in attached_files(reminder.raw))["invite.ics"])
    for data in files:
        vevent = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
        assert str(vevent["URL"]) == event_url
        assert event_url in str(vevent["DESCRIPTION"])
        assert b"/bookings/" not in data
