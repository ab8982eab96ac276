"""Organisers create, edit, publish and cancel events."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import Booking, Event
from tests.conftest import audit_actions, load, log_in, outbox
from tests.events.test_change_notices import when_the_window_closes
from tests.factories import make_booking, make_event

# --- events ----------------------------------------------------------------------------

EVENT_LABELS = ["Title", "Host conference", "Summary", "Description", "Starts", "Ends",
                "Timezone", "Venue", "Address", "Capacity", "Waiting list", "Booking opens",
                "Booking closes", "Organiser contact email", "Published"]


def event_form(**overrides) -> dict:
    form = {
        "title": "How local authorities can 'spin out' mutuals",
        "host_conference": "National Children and Adult Services Conference",
        "summary": "Council leaders and mutual founders.",
        "description": "Staff-owned **mutuals**.",
        "starts": "2030-10-20T12:30", "ends": "2030-10-20T14:00",
        "timezone": "Europe/London", "venue": "Meeting Room 4",
        "address": "1 Quay Street, Manchester", "capacity": "60", "waiting_list": "y",
        "booking_opens": "", "booking_closes": "",
        "organiser_email": "events@example.org", "published": "y",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def test_new_event_form_has_every_label(app, client):
    log_in(client, app)
    page = client.get("/admin/events/new").get_data(as_text=True)
    for label in EVENT_LABELS:
        assert re.search(rf"<label for=\"\w+\">{re.escape(label)}</label>", page), label
    assert page.count('type="datetime-local"') == 4
    assert 'id="timezone"' in page


def test_create_event_reads_times_in_its_timezone_and_makes_a_slug(app, client):
    log_in(client, app)
    response = client.post("/admin/events/new", data=event_form())
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(Event))
        assert event.slug == "how-local-authorities-can-spin-out-mutuals"
        assert event.starts_at == datetime(2030, 10, 20, 11, 30, tzinfo=timezone.utc)
        assert event.ends_at == datetime(2030, 10, 20, 13, 0, tzinfo=timezone.utc)
        assert event.capacity == 60 and event.waiting_list and event.published
    assert client.get("/events/how-local-authorities-can-spin-out-mutuals").status_code == 200
    assert "event created" in audit_actions(app)


def test_a_second_event_with_the_same_title_gets_a_suffixed_slug(app, client):
    log_in(client, app)
    client.post("/admin/events/new", data=event_form(title="Café & Co: mutuals"))
    client.post("/admin/events/new", data=event_form(title="Café & Co: mutuals"))
    with app.app_context():
        slugs = db.session.scalars(sa.select(Event.slug).order_by(Event.id)).all()
    assert slugs == ["cafe-co-mutuals", "cafe-co-mutuals-2"]


def test_other_timezones_are_honoured(app, client):
    log_in(client, app)
    client.post("/admin/events/new", data=event_form(timezone="America/New_York",
                                                     slug="new-york"))
    with app.app_context():
        event = db.session.scalar(sa.select(Event))
        assert event.starts_at == datetime(2030, 10, 20, 16, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"ends": "2030-10-20T11:00"}, "ends", "The event must end after it starts."),
    ({"capacity": "-1"}, "capacity", "Enter a number of places from 0 to 100000."),
    ({"capacity": "lots"}, "capacity", "Not a valid integer value."),
    ({"starts": "next tuesday"}, "starts", "Enter a date and time, like 2026-10-20 12:30."),
    ({"starts": ""}, "starts", "Enter when the event starts."),
    ({"booking_closes": "2030-10-20T13:00"}, "booking_closes",
     "Booking must close before the event starts (or when it starts)."),
    ({"booking_opens": "2030-10-21T09:00"}, "booking_opens", "Booking must open before it closes."),
    ({"starts": "2030-03-31T01:30", "ends": "2030-03-31T03:00"}, "starts",
     "That time does not exist there: the clocks go forward then."),
    ({"slug": "Not A Slug!"}, "slug", "Use lower-case letters, digits and single hyphens"),
    ({"title": ""}, "title", "Give the event a title."),
    ({"organiser_email": "not-an-address"}, "organiser_email", "Enter an email address"),
    ({"timezone": "Mars/Olympus"}, "timezone", "Not a valid choice"),
])
def test_bad_event_input_is_explained_beside_the_field_and_kept(app, client, overrides,
                                                                 field, message):
    log_in(client, app)
    response = client.post("/admin/events/new",
                           data=event_form(venue="Typed venue", **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error">{message}' in page.replace("&#39;", "'")
    assert 'value="Typed venue"' in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_a_slug_already_in_use_is_refused(app, client):
    log_in(client, app)
    make_event(app, slug="taken")
    page = client.post("/admin/events/new", data=event_form(slug="taken")).get_data(as_text=True)
    assert "Another event already uses this web address." in page


def test_preview_shows_the_description_without_saving(app, client):
    log_in(client, app)
    response = client.post("/admin/events/new", data=event_form(
        description="**Bold** <script>alert(1)</script>", preview="1"))
    page = response.get_data(as_text=True)
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)</script>" not in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_edit_form_shows_local_times_and_saves(app, client):
    log_in(client, app)
    event = make_event(app, starts_at=datetime(2030, 7, 1, 11, 30, tzinfo=timezone.utc))
    page = client.get(f"/admin/events/{event.slug}/edit").get_data(as_text=True)
    assert 'value="2030-07-01T12:30"' in page
    response = client.post(f"/admin/events/{event.slug}/edit",
                           data=event_form(title="New title", slug=event.slug))
    assert response.status_code == 302
    assert load(app, Event, event.id).title == "New title"
    assert "event edited" in audit_actions(app)


def test_capacity_cannot_go_below_confirmed_places(app, client):
    log_in(client, app)
    event = make_event(app, capacity=3)
    for _ in range(2):
        make_booking(app, event)
    page = client.post(f"/admin/events/{event.slug}/edit",
                       data=event_form(slug=event.slug, capacity="1")).get_data(as_text=True)
    assert "2 places are already confirmed; capacity cannot be lower." in page
    assert load(app, Event, event.id).capacity == 3


def test_raising_capacity_moves_people_off_the_waiting_list(app, client):
    log_in(client, app)
    event = make_event(app, capacity=1)
    make_booking(app, event)
    waiting = make_booking(app, event, status="waiting", confirmed_at=None)
    local = event.local_starts_at.strftime("%Y-%m-%dT%H:%M")
    ends = event.local_ends_at.strftime("%Y-%m-%dT%H:%M")
    client.post(f"/admin/events/{event.slug}/edit", data=event_form(
        slug=event.slug, capacity="2", starts=local, ends=ends, venue=event.venue,
        address=event.address))
    assert load(app, Booking, waiting.id).status == "confirmed"
    assert [m.booking_id for m in outbox(app, "booking_promoted")] == [waiting.id]
    assert outbox(app, "event_changed") == []


def test_changing_time_or_venue_tells_people_booked_and_waiting_once(app, client):
    log_in(client, app)
    event = make_event(app, capacity=1, starts_at=datetime(2030, 7, 1, 11, 30, tzinfo=timezone.utc))
    confirmed = make_booking(app, event)
    waiting = make_booking(app, event, status="waiting", confirmed_at=None)
    make_booking(app, event, status="cancelled")
    form = event_form(slug=event.slug, capacity="1", starts="2030-07-01T13:00",
                      ends="2030-07-01T14:30", venue="The Main Hall")

    client.post(f"/admin/events/{event.slug}/edit", data=form)
    client.post(f"/admin/events/{event.slug}/edit", data=form)  # a double submit
    when_the_window_closes(app)

    messages = outbox(app, "event_changed")
    assert sorted(m.booking_id for m in messages) == sorted([confirmed.id, waiting.id])
    assert "The Main Hall" in messages[0].body_text
    assert "13:00" in messages[0].body_text and "was" in messages[0].body_text


def test_publish_and_unpublish(app, client):
    log_in(client, app)
    event = make_event(app, published=False)
    assert client.get(f"/events/{event.slug}").status_code == 404
    client.post(f"/admin/events/{event.slug}/publish")
    assert client.get(f"/events/{event.slug}").status_code == 200
    client.post(f"/admin/events/{event.slug}/unpublish")
    assert client.get(f"/events/{event.slug}").status_code == 404
    assert audit_actions(app) == ["logged in", "event published", "event unpublished"]


def test_cancelling_an_event_tells_attendees_and_waiting_list_once(app, client):
    log_in(client, app)
    event = make_event(app, capacity=1)
    confirmed = make_booking(app, event)
    waiting = make_booking(app, event, status="waiting", confirmed_at=None)
    make_booking(app, event, status="cancelled")
    page = client.get(f"/admin/events/{event.slug}/cancel").get_data(as_text=True)
    assert "2 people" in page

    client.post(f"/admin/events/{event.slug}/cancel")
    client.post(f"/admin/events/{event.slug}/cancel")

    assert load(app, Event, event.id).is_cancelled
    messages = outbox(app, "event_cancelled")
    assert sorted(m.booking_id for m in messages) == sorted([confirmed.id, waiting.id])
    assert messages[0].subject.startswith("Cancelled: ")
    assert "has been cancelled" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert audit_actions(app).count("event cancelled") == 1


def test_events_list_shows_upcoming_and_past_with_counts(app, client):
    log_in(client, app)
    upcoming = make_event(app, title="Coming soon", capacity=10)
    make_event(app, title="Long ago", starts_in=timedelta(days=-30))
    make_booking(app, upcoming)
    make_booking(app, upcoming, status="waiting")
    page = client.get("/admin/").get_data(as_text=True)
    assert page.index("Coming soon") < page.index("Past") < page.index("Long ago")
    assert "1 of 10" in page
