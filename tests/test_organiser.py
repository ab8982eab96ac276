"""The organiser area: login, the one guard over every /admin page, and events."""
from __future__ import annotations

import re
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsite import create_app
from eventsite.extensions import db
from eventsite.models import AuditEntry, Booking, Event, OutboxMessage
from tests.conftest import test_config
from tests.factories import (
    attach_speaker,
    make_booking,
    make_event,
    make_organiser,
    make_resource,
    make_speaker,
)
from tests.test_followups import mail_route_values

PASSWORD = "correct horse battery"


def log_in(client, app, email="organiser@example.org"):
    """Create an organiser and give the test client their session (the login form itself
    is tested below)."""
    organiser = make_organiser(app, email=email, password=PASSWORD)
    with client.session_transaction() as session:
        session["_user_id"] = str(organiser.id)
        session["_fresh"] = True
    return client


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def outbox(app, kind: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return rows


def load(app, model, ident):
    with app.app_context():
        row = db.session.get(model, ident)
        db.session.expunge_all()
        return row


# --- every /admin route requires login -------------------------------------------------

def _admin_routes() -> list[tuple[str, str, str]]:
    folder = Path(tempfile.mkdtemp(prefix="eventsite-routes-"))
    app = create_app(test_config(f"sqlite:///{folder / 'routes.db'}", folder))
    return sorted(
        (rule.rule, method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin") and rule.endpoint != "organiser.login"
        for method in sorted(rule.methods & {"GET", "POST"})
    )


ADMIN_ROUTES = _admin_routes()


def test_the_route_list_covers_the_whole_organiser_area(app):
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")}
    assert rules - {"/admin/login"} == {route for route, _, _ in ADMIN_ROUTES}
    assert len(ADMIN_ROUTES) > 20


@pytest.mark.parametrize(("rule", "method", "endpoint"), ADMIN_ROUTES,
                         ids=[f"{m} {r}" for r, m, _ in ADMIN_ROUTES])
def test_anonymous_requests_are_sent_to_login_and_see_no_data(app, client, rule, method,
                                                              endpoint):
    event = make_event(app, capacity=1, starts_in=timedelta(days=-1))
    booking = make_booking(app, event, name="Secret Attendee", email="secret@example.org",
                           access_needs="Wheelchair user")
    waiting = make_booking(app, event, status="waiting", name="Waiting Person")
    speaker = make_speaker(app, email="private-speaker@example.org")
    attach_speaker(app, event, speaker)
    resource = make_resource(app, event)
    values = {"slug": event.slug, "booking_id": booking.id, "speaker_id": speaker.id,
              "resource_id": resource.id}
    values.update(mail_route_values(app, event))
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)
    form = {"email": "secret@example.org", "title": "Hacked", "name": "Hacked",
            "q": "", "status": ""}

    response = client.open(url, method=method, data=form if method == "POST" else None)

    assert response.status_code == 302
    assert response.location.startswith("/admin/login")
    body = response.get_data(as_text=True)
    for secret in ("Secret Attendee", "secret@example.org", "Wheelchair", "private-speaker"):
        assert secret not in body
    with app.app_context():
        assert db.session.get(Booking, booking.id).checked_in_at is None
        assert db.session.get(Booking, booking.id).status == "confirmed"
        assert db.session.get(Booking, waiting.id).status == "waiting"
        assert db.session.get(Event, event.id).cancelled_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


GET_ROUTES = [(rule, endpoint) for rule, method, endpoint in ADMIN_ROUTES if method == "GET"]


@pytest.mark.parametrize(("rule", "endpoint"), GET_ROUTES, ids=[r for r, _ in GET_ROUTES])
def test_every_organiser_page_opens_for_an_organiser(app, client, rule, endpoint):
    log_in(client, app)
    event = make_event(app)
    booking = make_booking(app, event, name="Visible Attendee")
    speaker = make_speaker(app)
    attach_speaker(app, event, speaker)
    folder = Path(app.config["UPLOAD_FOLDER"], "resources")
    folder.mkdir(parents=True)
    (folder / "stored.pdf").write_bytes(b"%PDF-1.7")
    resource = make_resource(app, event, url=None, filename="slides.pdf",
                             stored_name="stored.pdf", content_type="application/pdf", size=8)
    values = {"slug": event.slug, "booking_id": booking.id, "speaker_id": speaker.id,
              "resource_id": resource.id}
    values.update(mail_route_values(app, event))
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)

    response = client.get(url)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


# --- login -----------------------------------------------------------------------------

def test_login_page_has_email_and_password_labels(client):
    page = client.get("/admin/login").get_data(as_text=True)
    assert re.search(r"<label for=\"email\">Email</label>", page)
    assert re.search(r"<label for=\"password\">Password</label>", page)


def test_wrong_password_is_refused_beside_the_field_and_keeps_the_email(app, client):
    make_organiser(app, password=PASSWORD)
    response = client.post("/admin/login", data={"email": "organiser@example.org",
                                                 "password": "nope"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That email and password do not match an organiser." in page
    assert 'value="organiser@example.org"' in page
    assert client.get("/admin/").status_code == 302


def test_login_then_logout(app, client):
    log_in(client, app)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Organiser area" in page and "Log out" in page
    assert client.get("/admin/logout").status_code == 405
    assert client.post("/admin/logout").status_code == 302
    assert client.get("/admin/").location.startswith("/admin/login")
    assert "Log out" not in client.get("/").get_data(as_text=True)


def test_email_is_matched_whatever_its_case(app, client):
    make_organiser(app, password=PASSWORD)
    response = client.post("/admin/login", data={"email": " Organiser@Example.ORG ",
                                                 "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(("next_value", "expected"), [
    ("/admin/speakers/", "/admin/speakers/"),
    ("https://evil.example/admin/", "/admin/"),
    ("//evil.example/", "/admin/"),
    ("/\\evil.example", "/admin/"),
    ("javascript:alert(1)", "/admin/"),
])
def test_login_goes_to_next_only_when_it_is_on_this_site(app, client, next_value, expected):
    make_organiser(app, password=PASSWORD)
    response = client.post("/admin/login", query_string={"next": next_value},
                           data={"email": "organiser@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == expected


def test_a_page_asked_for_before_login_is_shown_after_it(app, client):
    make_organiser(app, password=PASSWORD)
    first = client.get("/admin/speakers/")
    login_page = first.location
    assert "next=" in login_page
    response = client.post(login_page, data={"email": "organiser@example.org",
                                              "password": PASSWORD})
    assert response.location == "/admin/speakers/"


@pytest.mark.ratelimit
def test_repeated_failed_logins_answer_429_with_the_styled_page(app, client):
    make_organiser(app, password=PASSWORD)
    for _ in range(5):
        response = client.post("/admin/login", data={"email": "organiser@example.org",
                                                     "password": "guess"})
        assert response.status_code == 200
    response = client.post("/admin/login", data={"email": "organiser@example.org",
                                                 "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


@pytest.mark.ratelimit
def test_failures_are_counted_per_email_across_addresses(app, client):
    make_organiser(app, password=PASSWORD)
    for n in range(20):
        client.post("/admin/login", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
                    data={"email": "organiser@example.org", "password": "guess"})
    response = client.post("/admin/login", environ_base={"REMOTE_ADDR": "10.0.1.1"},
                           data={"email": "organiser@example.org", "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.csrf
def test_a_post_without_the_csrf_token_is_refused(app, client):
    make_organiser(app, password=PASSWORD)
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/admin/login", data={"email": "organiser@example.org",
                                             "password": PASSWORD}).status_code == 400
    response = client.post("/admin/login", data={"email": "organiser@example.org",
                                                  "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    event = make_event(app, published=False)

    response = client.post(f"/admin/events/{event.slug}/publish")

    assert response.status_code == 400
    assert load(app, Event, event.id).published is False


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
    assert audit_actions(app) == ["event published", "event unpublished"]


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
