"""Online and hybrid events: the public site says how people attend, and the joining link
reaches confirmed attendees alone, from JOIN_LINK_HOURS before the start: on their booking
page, in their reminder and in their calendar invitation. Never on a public response."""
from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import timedelta

import icalendar
import pytest

from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Event
from eventsite.outbox.schedule import queue_scheduled_messages
from tests.conftest import book, load, log_in, manage_token, outbox
from tests.events.test_event_admin import event_form
from tests.factories import attach_speaker, make_booking, make_event, make_speaker

LINK = "https://meet.example.com/j/8812-secret-room?pwd=Zx81"
NEW_LINK = "https://meet.example.com/j/5521-other-room?pwd=Qq42"
SOON = timedelta(hours=2)  # inside the default 24 hours before the start
LATER = timedelta(days=10)


def online_event(app, *, starts_in=SOON, **values) -> Event:
    values = {"attendance_mode": "online", "online_link": LINK, "venue": "",
              "address": "", **values}
    return make_event(app, starts_in=starts_in, **values)


def structured_data(page: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def invitation_event(raw: bytes) -> icalendar.Event:
    """The VEVENT of the email's calendar invitation (the part beside the text)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    part = next(part for part in message.walk()
                if part.get_content_type() == "text/calendar" and not part.get_filename())
    (vevent,) = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return vevent


def body_text(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return message.get_body(("plain",)).get_content()


def run_worker_schedule(app) -> None:
    with app.app_context():
        queue_scheduled_messages()
        db.session.commit()


def test_no_public_response_holds_the_joining_link(app, client):
    event = online_event(app, title="Mutuals online")
    hybrid = online_event(app, title="Mutuals in the room and online",
                          attendance_mode="mixed", venue="Meeting Room 4")
    speaker = make_speaker(app, slug="amara", name="Amara Okafor")
    attach_speaker(app, event, speaker)
    make_booking(app, event)  # a confirmed attendee exists, so the link is live for them

    pages = {}
    for url in ["/", f"/events/{event.slug}", f"/events/{event.slug}.ics",
                f"/events/{hybrid.slug}", f"/events/{hybrid.slug}.ics", "/speakers/",
                "/speakers/amara", f"/events/{event.slug}"]:  # the last one from the cache
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
        assert "meet.example.com" not in pages[url], url
        assert "secret-room" not in pages[url], url

    assert "Online" in pages["/"]
    assert "Online and in person" in pages[f"/events/{hybrid.slug}"]
    data = structured_data(pages[f"/events/{event.slug}"])
    page_url = f"https://events.example.org/events/{event.slug}"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": page_url}
    mixed = structured_data(pages[f"/events/{hybrid.slug}"])
    assert mixed["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [place["@type"] for place in mixed["location"]] == ["Place", "VirtualLocation"]
    (vevent,) = icalendar.Calendar.from_ical(
        client.get(f"/events/{event.slug}.ics").data).walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Online"


def test_an_event_in_person_says_so_to_search_engines(app, client):
    event = make_event(app)
    data = structured_data(client.get(f"/events/{event.slug}").get_data(as_text=True))
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"]["@type"] == "Place"


def test_booking_close_to_the_start_gets_the_link_in_the_invitation_and_page(app, client):
    event = online_event(app)
    book(client, event, email="ada@example.org")
    [confirmation] = outbox(app, "booking_confirmed")
    vevent = invitation_event(confirmation.raw)
    assert str(vevent["URL"]) == LINK
    assert LINK in str(vevent["LOCATION"])
    assert LINK in body_text(confirmation.raw)

    page = client.get(f"/bookings/{manage_token(confirmation)}").get_data(as_text=True)
    assert "Joining online" in page
    assert LINK.replace("&", "&amp;") in page


def test_booking_early_gets_no_link_until_join_link_hours_before(app, client):
    event = online_event(app, starts_in=LATER)
    book(client, event, email="ada@example.org")
    [confirmation] = outbox(app, "booking_confirmed")
    assert b"meet.example.com" not in confirmation.raw
    assert str(invitation_event(confirmation.raw)["URL"]).endswith(f"/events/{event.slug}")
    assert "The joining link will be on your booking page from" in body_text(confirmation.raw)

    manage_url = f"/bookings/{manage_token(confirmation)}"
    page = client.get(manage_url).get_data(as_text=True)
    assert "meet.example.com" not in page
    assert "The joining link will appear here from" in page

    with app.app_context():  # the day comes: JOIN_LINK_HOURS before the start
        stored = db.session.get(Event, event.id)
        stored.starts_at = utcnow() + timedelta(hours=23)
        stored.ends_at = stored.starts_at + timedelta(hours=1)
        db.session.commit()
    assert LINK.replace("&", "&amp;") in client.get(manage_url).get_data(as_text=True)


@pytest.mark.parametrize("status", ["waiting", "cancelled"])
def test_only_confirmed_attendees_see_the_link(app, client, status):
    event = online_event(app, capacity=0 if status == "waiting" else 20)
    book(client, event, email="wale@example.org")
    [message] = outbox(app)
    token = manage_token(message)
    if status == "cancelled":
        client.post(f"/bookings/{token}/cancel")
    page = client.get(f"/bookings/{token}").get_data(as_text=True)
    assert "meet.example.com" not in page
    assert "Joining online" not in page
    later = outbox(app, "booking_cancelled" if status == "cancelled" else None)
    assert later and all(b"meet.example.com" not in message.raw for message in later)


def test_the_reminder_brings_the_link_and_its_invitation_carries_it(app):
    event = online_event(app, starts_in=timedelta(hours=20))
    booked_long_ago = utcnow() - timedelta(days=10)
    make_booking(app, event, email="ada@example.org", created_at=booked_long_ago,
                 confirmed_at=booked_long_ago)
    with app.app_context():
        queue_scheduled_messages()
        db.session.commit()
    [reminder] = outbox(app, "reminder")
    assert LINK in body_text(reminder.raw)
    vevent = invitation_event(reminder.raw)
    assert str(vevent["URL"]) == LINK and LINK in str(vevent["LOCATION"])


def test_a_reminder_before_join_link_hours_says_when_the_link_comes(app):
    app.config["REMINDER_HOURS"] = 48
    app.config["JOIN_LINK_HOURS"] = 2
    event = online_event(app, starts_in=timedelta(hours=30))
    booked_long_ago = utcnow() - timedelta(days=10)
    make_booking(app, event, created_at=booked_long_ago, confirmed_at=booked_long_ago)
    with app.app_context():
        queue_scheduled_messages()
        db.session.commit()
    [reminder] = outbox(app, "reminder")
    assert b"meet.example.com" not in reminder.raw
    assert "The joining link will be on your booking page from" in body_text(reminder.raw)


def test_a_new_joining_link_raises_the_sequence_and_is_told_without_the_link(app, client):
    app.config["CHANGE_NOTICE_DELAY_SECONDS"] = 0  # told on the worker's next pass
    log_in(client, app)
    event = online_event(app, starts_in=LATER)
    make_booking(app, event, email="ada@example.org")
    make_booking(app, event, email="wale@example.org", status="waiting", confirmed_at=None)
    local = event.starts_at.astimezone(event.tz)
    form = event_form(
        title=event.title, slug=event.slug, starts=f"{local:%Y-%m-%dT%H:%M}",
        ends=f"{event.ends_at.astimezone(event.tz):%Y-%m-%dT%H:%M}", venue="", address="",
        capacity="20", attendance_mode="online", online_link=NEW_LINK)
    response = client.post(f"/admin/events/{event.slug}/edit", data=form)
    assert response.status_code == 302
    stored = load(app, Event, event.id)
    assert stored.online_link == NEW_LINK
    assert stored.sequence == event.sequence + 1
    run_worker_schedule(app)
    notices = outbox(app, "event_changed")
    assert len(notices) == 2
    for notice in notices:
        assert b"meet.example.com" not in notice.raw  # ten days ahead: not yet for anyone
        assert "Joining link" in body_text(notice.raw)
    confirmed = next(n for n in notices if "ada@" in n.recipient)
    assert int(invitation_event(confirmed.raw)["SEQUENCE"]) == stored.sequence

    # A second new link is a second change: told again, the sequence up again.
    client.post(f"/admin/events/{event.slug}/edit", data={**form, "online_link": LINK})
    assert load(app, Event, event.id).sequence == event.sequence + 2
    run_worker_schedule(app)
    assert len(outbox(app, "event_changed")) == 4


@pytest.mark.parametrize("overrides, message", [
    ({"online_link": "http://meet.example.com/j/1"}, "starting with https://"),
    ({"online_link": "javascript:alert(1)"}, "starting with https://"),
    ({"online_link": "https://meet.example.com/j/1", "attendance_mode": "in_person"},
     "An event attended in person has no joining link"),
    ({"offer_hours": "0"}, "Enter a number of hours from 1 to 168"),
    ({"attendance_mode": "somewhere"}, "Not a valid choice"),
])
def test_bad_online_settings_are_explained_and_nothing_is_saved(app, client, overrides,
                                                                 message):
    log_in(client, app)
    form = event_form(**{"attendance_mode": "online", **overrides})
    response = client.post("/admin/events/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    with app.app_context():
        assert db.session.query(Event).count() == 0


def test_an_organiser_makes_an_online_event_with_a_link(app, client):
    log_in(client, app)
    client.post("/admin/events/new", data=event_form(
        attendance_mode="mixed", online_link=LINK, offer_hours="6"))
    with app.app_context():
        event = db.session.query(Event).one()
        assert (event.attendance_mode, event.online_link, event.offer_hours) == (
            "mixed", LINK, 6)
    page = client.get(f"/admin/events/{event.slug}/edit").get_data(as_text=True)
    assert LINK.replace("&", "&amp;") in page or LINK in page
