"""Booking a place, the waiting list, the attendee's own booking page, and their emails."""
from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
from flask import template_rendered

from eventsite.bookings.services import (
    BookingRefused,
    create_booking,
    fill_places_from_waiting_list,
    promote_booking,
)
from eventsite.bookings.tokens import booking_by_token, issue_manage_token
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Booking, Event
from tests.conftest import (
    MANAGE_LINK,
    VALID,
    attached_files,
    book,
    manage_token,
    only_address,
    outbox,
    stored_bookings,
)
from tests.factories import make_booking, make_event

REFERENCE = re.compile(r"^FR-[23456789ABCDEFGHJKMNPQRSTWXYZ]{4,6}$")


# --- the form ---------------------------------------------------------------------------


def test_booking_form_has_labelled_fields_and_followup_ticked(client, app):
    event = make_event(app)
    page = client.get(f"/events/{event.slug}/book")
    assert page.status_code == 200
    html = page.text
    for field, label in [
        ("name", "Name"), ("email", "Email"), ("organisation", "Organisation"),
        ("job_title", "Job title"), ("access_needs", "Access or dietary needs"),
        ("wants_followup", "Send me the slides and resources after the event"),
    ]:
        assert f'<label for="{field}">{label}</label>' in html
        assert f'id="{field}"' in html
    assert re.search(r'<input checked id="wants_followup"[^>]*type="checkbox"', html)
    assert re.search(r'<div class="honeypot" aria-hidden="true">\s*<label for="website">', html)
    assert '<button type="submit">Book a place</button>' in html


def test_full_event_offers_the_waiting_list(client, app):
    event = make_event(app, capacity=1)
    make_booking(app, event)
    html = client.get(f"/events/{event.slug}/book").text
    assert '<button type="submit">Join the waiting list</button>' in html
    assert "fully booked" in html


def test_bad_input_is_explained_beside_the_field_and_kept(client, app):
    event = make_event(app)
    response = book(client, event, name="  ", email="ada at example", organisation="Kept & Co")
    assert response.status_code == 422
    html = response.text
    assert "There is a problem" in html
    assert '<a href="#name">Enter your name.</a>' in html
    assert 'id="name-error"' in html and 'aria-describedby="name-error"' in html
    assert 'aria-describedby="email-hint email-error"' in html
    assert "name@example.org" in html
    assert 'value="ada at example"' in html and 'value="Kept &amp; Co"' in html
    assert stored_bookings(app) == []
    assert outbox(app) == []


def test_unticked_followup_is_remembered(client, app):
    event = make_event(app)
    data = {key: value for key, value in VALID.items() if key != "wants_followup"}
    assert client.post(f"/events/{event.slug}/book", data=data).status_code == 303
    assert stored_bookings(app)[0].wants_followup is False


def test_honeypot_stores_nothing_but_looks_like_success(client, app):
    event = make_event(app)
    response = book(client, event, website="http://spam.example")
    assert response.status_code == 303
    assert response.location.endswith(f"/events/{event.slug}/book/thanks")
    assert stored_bookings(app) == [] and outbox(app) == []


# --- confirmed, waiting, refused --------------------------------------------------------


def test_booking_confirms_a_place_and_queues_the_confirmation(client, app):
    event = make_event(app, capacity=2)
    response = book(client, event, email="Ada@Example.ORG")
    assert response.status_code == 303
    thanks = client.get(response.location)
    assert "You have a place" in thanks.text
    assert "Ada@example.org" in thanks.text

    [booking] = stored_bookings(app)
    assert booking.status == "confirmed" and booking.confirmed_at is not None
    assert REFERENCE.match(booking.reference)
    assert booking.email_normalised == "ada@example.org"
    assert booking.access_needs == "Step-free access, please"

    [message] = outbox(app)
    assert message.kind == "booking_confirmed"
    assert only_address(message.recipient) == "Ada@example.org"
    assert message.subject == f"Booking confirmed: {event.title} ({booking.reference})"
    assert booking.reference in message.body_text and booking.reference in message.body_html
    [(filename, content_type, data)] = attached_files(message.raw)
    assert (filename, content_type) == ("invite.ics", "text/calendar")
    vevent = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(vevent["UID"]) == f"{booking.calendar_uid}@events.example.org"
    assert vevent.decoded("DTSTART").utcoffset() is not None
    assert "Meeting Room 4" in str(vevent["LOCATION"])
    sent = email.message_from_bytes(message.raw, policy=email.policy.default)
    link = MANAGE_LINK.search(sent.get_body(("plain",)).get_content()).group(0)
    assert link in sent.get_body(("html",)).get_content()
    assert link not in message.body_text + message.body_html  # kept for the recipient alone
    assert link not in data.decode()  # the calendar carries the event's page instead
    assert str(vevent["URL"]) == f"https://events.example.org/events/{event.slug}"


@pytest.mark.parametrize("places", [1, 0], ids=["a place", "the waiting list"])
def test_the_first_email_is_built_before_the_event_is_locked(client, app, places):
    """Under the event's lock only the count and the inserts: the email's templates are
    rendered before the lock is taken (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ...
    FOR UPDATE), so bookings for one event do not queue behind each other's email."""
    event = make_event(app, capacity=places, waiting_list=True)
    timeline = []

    def on_statement(connection, cursor, statement, *args):
        if statement.startswith("BEGIN IMMEDIATE") or "FOR UPDATE" in statement:
            timeline.append("lock")

    def on_template(sender, template, context, **extra):
        timeline.append(template.name)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", on_statement)
    template_rendered.connect(on_template, app)
    try:
        assert book(client, event).status_code == 303
    finally:
        template_rendered.disconnect(on_template, app)
        sa.event.remove(engine, "before_cursor_execute", on_statement)
    emails = [n for n, name in enumerate(timeline) if name.startswith("email/")]
    assert emails and "lock" in timeline, timeline
    assert max(emails) < timeline.index("lock"), timeline
    [message] = outbox(app)
    [booking] = stored_bookings(app)
    assert message.booking_id == booking.id
    assert message.kind == ("booking_confirmed" if places else "booking_waiting_list")


def test_full_event_puts_people_on_the_waiting_list(client, app):
    event = make_event(app, capacity=1)
    book(client, event, email="first@example.org")
    response = book(client, event, email="second@example.org")
    assert response.status_code == 303
    first, second = stored_bookings(app)
    assert (first.status, second.status) == ("confirmed", "waiting")
    assert second.confirmed_at is None
    [notice] = outbox(app, "booking_waiting_list")
    assert only_address(notice.recipient) == "second@example.org"
    assert notice.subject.startswith("Waiting list: ")
    assert attached_files(notice.raw) == []
    page = client.get(f"/bookings/{manage_token(notice)}")
    assert "You are number 1 on the waiting list" in page.text


def test_full_event_without_a_waiting_list_refuses_with_a_clear_page(client, app):
    event = make_event(app, capacity=1, waiting_list=False)
    make_booking(app, event)
    page = client.get(f"/events/{event.slug}/book")
    assert page.status_code == 200 and "This event is fully booked" in page.text
    response = book(client, event)
    assert response.status_code == 409
    assert "Nothing has been booked." in response.text
    assert len(stored_bookings(app)) == 1 and outbox(app) == []


def test_repeat_booking_resends_the_confirmation_and_reveals_nothing(client, app):
    event = make_event(app, capacity=5)
    first = book(client, event, email="ada@example.org")
    first_page = client.get(first.location).text
    again = book(client, event, email="ADA@example.org ", name="Someone Else")
    assert again.status_code == 303 and again.location == first.location
    again_page = client.get(again.location).text
    assert again_page == first_page.replace("ada@example.org", "ADA@example.org")

    [booking] = stored_bookings(app)
    assert booking.name == "Ada Lovelace"  # a repeat changes nothing
    first_email, second_email = outbox(app, "booking_confirmed")
    assert only_address(second_email.recipient) == "ada@example.org"
    assert attached_files(second_email.raw)[0][0] == "invite.ics"
    # The re-sent email has a link of its own, and the first email's link still works.
    assert manage_token(second_email) != manage_token(first_email)
    for sent in (first_email, second_email):
        page = client.get(f"/bookings/{manage_token(sent)}")
        assert page.status_code == 200 and booking.reference in page.text


def test_booking_again_after_cancelling_makes_a_new_booking(client, app):
    event = make_event(app)
    make_booking(app, event, email="ada@example.org", status="cancelled", cancelled_at=utcnow())
    assert book(client, event).status_code == 303
    old, new = stored_bookings(app)
    assert (old.status, new.status) == ("cancelled", "confirmed")
    assert old.reference != new.reference


# --- the booking window -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "starts_in", "heading"),
    [
        ({"booking_opens_at": utcnow() + timedelta(days=2)}, timedelta(days=9),
         "Booking has not opened yet"),
        ({"booking_closes_at": utcnow() - timedelta(minutes=1)}, timedelta(days=9),
         "Booking has closed"),
        ({}, timedelta(minutes=-10), "Booking has closed"),
        ({}, timedelta(days=-3), "This event has already taken place"),
        ({"cancelled_at": utcnow()}, timedelta(days=9), "This event has been cancelled"),
    ],
    ids=["not-yet-open", "closed-early", "started", "past", "cancelled"],
)
def test_bookings_outside_the_window_are_refused(client, app, columns, starts_in, heading):
    event = make_event(app, starts_in=starts_in, **columns)
    page = client.get(f"/events/{event.slug}/book")
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.text and "<form" not in page.text
    response = book(client, event)
    assert response.status_code == 409 and heading in response.text
    assert stored_bookings(app) == [] and outbox(app) == []


def test_booking_opens_at_the_set_time_and_closes_at_the_start(client, app):
    opened = make_event(app, booking_opens_at=utcnow() - timedelta(minutes=1))
    assert book(client, opened).status_code == 303
    late_close = make_event(app, starts_in=timedelta(minutes=-5),
                            booking_closes_at=utcnow() + timedelta(minutes=30))
    assert book(client, late_close, email="late@example.org").status_code == 303
    assert [b.status for b in stored_bookings(app)] == ["confirmed", "confirmed"]


def test_not_yet_open_page_says_when(client, app):
    event = make_event(app, booking_opens_at=utcnow() + timedelta(days=2))
    assert "Booking for this event opens on" in client.get(f"/events/{event.slug}/book").text


@pytest.mark.parametrize("slug", ["unpublished", "no-such-event"])
def test_unpublished_or_unknown_events_cannot_be_booked(client, app, slug):
    make_event(app, slug="unpublished", published=False)
    assert client.get(f"/events/{slug}/book").status_code == 404
    response = client.post(f"/events/{slug}/book", data=VALID)
    assert response.status_code == 404
    assert "We cannot find an event taking bookings here" in response.text
    assert stored_bookings(app) == []


# --- the attendee's own booking ---------------------------------------------------------


def test_booking_page_shows_the_booking_and_its_calendar(client, app):
    event = make_event(app)
    book(client, event)
    [message] = outbox(app)
    token = manage_token(message)
    page = client.get(f"/bookings/{token}")
    assert page.status_code == 200
    [booking] = stored_bookings(app)
    for text in (booking.reference, "Confirmed: you have a place", "Ada Lovelace",
                 "Analytical Engines Ltd", "Step-free access, please", event.title):
        assert text in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    calendar = client.get(f"/bookings/{token}/calendar.ics")
    assert calendar.status_code == 200 and calendar.mimetype == "text/calendar"
    vevent = icalendar.Calendar.from_ical(calendar.data).walk("VEVENT")[0]
    assert token not in str(vevent["DESCRIPTION"])


@pytest.mark.parametrize("token", ["nope", "x" * 43, "a" * 500, "%00"])
def test_unknown_booking_links_are_404(client, app, token):
    for path in (f"/bookings/{token}", f"/bookings/{token}/calendar.ics",
                 f"/bookings/{token}/cancel"):
        assert client.get(path).status_code == 404
    assert client.post(f"/bookings/{token}/cancel").status_code == 404


def test_cancel_asks_first_then_promotes_the_first_in_line(client, app):
    event = make_event(app, capacity=1)
    book(client, event, email="ada@example.org")
    book(client, event, email="grace@example.org", name="Grace Hopper")
    book(client, event, email="alan@example.org", name="Alan Turing")
    token = manage_token(outbox(app, "booking_confirmed")[0])

    confirm = client.get(f"/bookings/{token}/cancel")
    assert confirm.status_code == 200
    assert "Yes, cancel your booking" in confirm.text
    assert stored_bookings(app)[0].status == "confirmed"  # asking changes nothing

    response = client.post(f"/bookings/{token}/cancel")
    assert response.status_code == 303
    after = client.get(response.location)
    assert "Your booking is cancelled" in after.text and "Cancelled" in after.text

    ada, grace, alan = stored_bookings(app)
    assert (ada.status, grace.status, alan.status) == ("cancelled", "confirmed", "waiting")
    [cancelled] = outbox(app, "booking_cancelled")
    assert only_address(cancelled.recipient) == "ada@example.org"
    assert cancelled.subject == f"Booking cancelled: {event.title} ({ada.reference})"
    [promoted] = outbox(app, "booking_promoted")
    assert only_address(promoted.recipient) == "grace@example.org"
    assert promoted.subject == f"You have a place: {event.title} ({grace.reference})"
    assert [a[:2] for a in attached_files(promoted.raw)] == [("invite.ics", "text/calendar")]
    promoted_page = client.get(f"/bookings/{manage_token(promoted)}")
    assert "Confirmed: you have a place" in promoted_page.text
    assert "number 1 on the waiting list" in client.get(
        f"/bookings/{manage_token(outbox(app, 'booking_waiting_list')[1])}").text

    # Cancelling twice changes nothing more.
    again = client.post(f"/bookings/{token}/cancel")
    assert again.status_code == 303
    assert len(outbox(app, "booking_cancelled")) == 1
    assert len(outbox(app, "booking_promoted")) == 1


def test_leaving_the_waiting_list_promotes_nobody(client, app):
    event = make_event(app, capacity=1)
    book(client, event, email="ada@example.org")
    book(client, event, email="grace@example.org")
    token = manage_token(outbox(app, "booking_waiting_list")[0])
    assert "Yes, leave the waiting list" in client.get(f"/bookings/{token}/cancel").text
    client.post(f"/bookings/{token}/cancel")
    assert [b.status for b in stored_bookings(app)] == ["confirmed", "cancelled"]
    assert outbox(app, "booking_promoted") == []


# --- the services organisers use --------------------------------------------------------


def test_organiser_can_add_outside_the_window_but_never_beyond_capacity(app):
    event = make_event(app, capacity=1, waiting_list=False, published=False,
                       booking_opens_at=utcnow() + timedelta(days=3))
    with app.app_context():
        result = create_booking(db.session.get(Event, event.id),
                                {"name": "Walk In", "email": "walk@example.org"},
                                by_organiser=True)
        db.session.commit()
        assert (result.outcome, result.booking.status) == ("confirmed", "confirmed")
        with pytest.raises(BookingRefused) as refused:
            create_booking(db.session.get(Event, event.id),
                           {"name": "One Too Many", "email": "more@example.org"},
                           by_organiser=True)
        assert refused.value.reason == "full"
        db.session.rollback()
        with pytest.raises(BookingRefused):
            create_booking(db.session.get(Event, event.id),
                           {"name": "Public", "email": "public@example.org"})
        db.session.rollback()
    assert len(stored_bookings(app)) == 1


def test_organiser_promotes_a_chosen_booking_only_when_a_place_is_free(app):
    event = make_event(app, capacity=1)
    make_booking(app, event)
    waiting = make_booking(app, event, status="waiting", confirmed_at=None)
    with app.app_context():
        booking = db.session.get(Booking, waiting.id)
        with pytest.raises(BookingRefused) as refused:
            promote_booking(booking)
        assert refused.value.reason == "full"
        db.session.rollback()
        event_row = db.session.get(Event, event.id)
        event_row.capacity = 2
        db.session.commit()
        promote_booking(db.session.get(Booking, waiting.id))
        db.session.commit()
    assert stored_bookings(app)[1].status == "confirmed"
    [promoted] = outbox(app, "booking_promoted")
    assert promoted.booking_id == waiting.id


def test_raising_capacity_fills_places_in_order_in_the_same_transaction(app):
    event = make_event(app, capacity=1)
    make_booking(app, event)
    line = [make_booking(app, event, status="waiting", confirmed_at=None) for _ in range(3)]
    with app.app_context():
        event_row = db.session.get(Event, event.id)
        event_row.capacity = 3  # not yet saved: filling must not lose this change
        promoted = fill_places_from_waiting_list(event_row)
        assert [b.id for b in promoted] == [line[0].id, line[1].id]
        db.session.commit()
        assert db.session.get(Event, event.id).capacity == 3
    assert [b.status for b in stored_bookings(app)] == [
        "confirmed", "confirmed", "confirmed", "waiting"]
    assert len(outbox(app, "booking_promoted")) == 2


def test_repeat_booking_through_the_service_returns_the_existing_booking(app):
    event = make_event(app)
    with app.app_context():
        first = create_booking(db.session.get(Event, event.id), VALID)
        db.session.commit()
        again = create_booking(db.session.get(Event, event.id),
                               {**VALID, "email": "ADA@EXAMPLE.ORG"})
        db.session.commit()
        assert again.outcome == "repeat" and again.booking.id == first.booking.id
        assert again.token and again.token != first.token
        assert booking_by_token(first.token).id == first.booking.id
        assert booking_by_token(again.token).id == first.booking.id
    assert len(outbox(app, "booking_confirmed")) == 2


# --- protection -------------------------------------------------------------------------


@pytest.mark.csrf
def test_booking_without_the_form_token_is_refused_helpfully(client, app):
    event = make_event(app)
    response = book(client, event)
    assert response.status_code == 400
    assert "This form had expired, so nothing has been sent yet" in response.text
    assert 'value="Ada Lovelace"' in response.text  # what was typed is kept
    assert stored_bookings(app) == [] and outbox(app) == []
    # The page offers a fresh token, and sending it again works.
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text)
    assert book(client, event, csrf_token=token.group(1)).status_code == 303
    assert len(stored_bookings(app)) == 1


@pytest.mark.csrf
def test_cancel_without_the_form_token_changes_nothing(client, app):
    event = make_event(app)
    booking = make_booking(app, event)
    with app.app_context():
        token = issue_manage_token(db.session.get(Booking, booking.id))
        db.session.commit()
    response = client.post(f"/bookings/{token}/cancel", follow_redirects=True)
    assert "This form had expired" in response.text
    assert stored_bookings(app)[0].status == "confirmed"


@pytest.mark.ratelimit
def test_booking_posts_are_rate_limited_per_address(client, app):
    event = make_event(app)
    statuses = [book(client, event, name="").status_code for _ in range(20)]
    assert statuses == [422] * 20
    limited = book(client, event)
    assert limited.status_code == 429 and "Too many attempts" in limited.text
    assert client.get(f"/events/{event.slug}/book").status_code == 200
    other = client.post(f"/events/{event.slug}/book", data=VALID,
                        environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 303


@pytest.mark.csrf
def test_expired_form_for_an_unknown_event_is_a_404_not_an_error(client, app):
    assert client.post("/events/no-such-event/book", data=VALID).status_code == 404
