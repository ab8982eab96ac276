"""The bookings page's desk: cancelling asks first, on its own page; ticked bookings are
checked in or emailed together."""
from __future__ import annotations

import html
import re
from datetime import timedelta

from eventsite.database import utcnow
from eventsite.models import Booking
from tests.conftest import audit_actions, load, log_in, outbox
from tests.factories import make_booking, make_event


def test_cancel_asks_first_naming_who_is_emailed_and_who_moves_up(app, client):
    log_in(client, app)
    event = make_event(app, capacity=1)
    cara = make_booking(app, event, name="Cara Confirmed", email="cara@example.org")
    fay = make_booking(app, event, name="Fay First", status="waiting", confirmed_at=None,
                       created_at=utcnow() - timedelta(hours=2))
    make_booking(app, event, name="Sid Second", status="waiting", confirmed_at=None)
    url = f"/admin/events/{event.slug}/bookings/{cara.id}/cancel"

    page = html.unescape(client.get(url).text)
    assert "Cancel Cara Confirmed's booking?" in page
    assert "cara@example.org) will be emailed" in page
    assert "<strong>Fay First</strong>, first on the waiting list, will be given the place" in page
    assert "Sid Second" not in page
    assert load(app, Booking, cara.id).status == "confirmed" and outbox(app) == []

    response = html.unescape(client.post(url, follow_redirects=True).text)
    assert "Cara Confirmed's booking is cancelled" in response
    assert "Fay First moves off the waiting list" in response
    assert load(app, Booking, cara.id).status == "cancelled"
    assert load(app, Booking, fay.id).status == "confirmed"
    assert audit_actions(app) == ["logged in", "booking cancelled", "promoted from waiting list"]


def test_the_bookings_page_links_to_the_confirmation_instead_of_cancelling(app, client):
    log_in(client, app)
    event = make_event(app)
    booking = make_booking(app, event)
    page = client.get(f"/admin/events/{event.slug}/bookings").text
    assert f'href="/admin/events/{event.slug}/bookings/{booking.id}/cancel"' in page
    assert f'action="/admin/events/{event.slug}/bookings/{booking.id}/cancel"' not in page


def test_a_checked_in_booking_cannot_be_cancelled_until_the_check_in_is_undone(app, client):
    log_in(client, app)
    event = make_event(app)
    dee = make_booking(app, event, name="Dee Door", checked_in_at=utcnow())
    url = f"/admin/events/{event.slug}/bookings/{dee.id}/cancel"

    page = client.get(url).text
    assert "Dee Door is checked in, so their booking cannot be cancelled." in page
    assert "Undo the check-in first" in page and "Cancel the booking" not in page
    refused = client.post(url, follow_redirects=True)
    assert "Dee Door is checked in" in refused.text
    assert load(app, Booking, dee.id).status == "confirmed"
    assert outbox(app, "booking_cancelled") == []

    client.post(f"/admin/events/{event.slug}/bookings/{dee.id}/undo-check-in")
    client.post(url)
    assert load(app, Booking, dee.id).status == "cancelled"


def test_nobody_moves_up_when_nobody_waits(app, client):
    log_in(client, app)
    event = make_event(app, capacity=2)
    booking = make_booking(app, event, name="Only One")
    page = client.get(f"/admin/events/{event.slug}/bookings/{booking.id}/cancel").text
    assert "Nobody moves off the waiting list: nobody is waiting." in page


def test_tick_several_and_check_them_in(app, client):
    log_in(client, app)
    event = make_event(app)
    ann = make_booking(app, event, name="Ann Arrives")
    bob = make_booking(app, event, name="Bob Arrives")
    wendy = make_booking(app, event, name="Wendy Waits", status="waiting", confirmed_at=None)
    stays = make_booking(app, event, name="Not Ticked")

    response = client.post(f"/admin/events/{event.slug}/bookings/bulk", data={
        "booking": [str(ann.id), str(bob.id), str(wendy.id)], "action": "check_in",
        "q": "", "status": ""}, follow_redirects=True)

    assert "2 people checked in." in response.text
    assert "Not checked in, as only confirmed bookings can be: Wendy Waits." in response.text
    assert load(app, Booking, ann.id).checked_in_at is not None
    assert load(app, Booking, bob.id).checked_in_at is not None
    assert load(app, Booking, wendy.id).checked_in_at is None
    assert load(app, Booking, stays.id).checked_in_at is None
    assert audit_actions(app).count("checked in") == 2


def test_nothing_ticked_says_so(app, client):
    log_in(client, app)
    event = make_event(app)
    make_booking(app, event)
    response = client.post(f"/admin/events/{event.slug}/bookings/bulk",
                           data={"action": "check_in", "booking": ["x", "-1"]},
                           follow_redirects=True)
    assert "Tick at least one booking first." in response.text


def test_another_events_bookings_cannot_be_ticked(app, client):
    log_in(client, app)
    event, other = make_event(app), make_event(app)
    elsewhere = make_booking(app, other)
    client.post(f"/admin/events/{event.slug}/bookings/bulk",
                data={"action": "check_in", "booking": [str(elsewhere.id)]})
    assert load(app, Booking, elsewhere.id).checked_in_at is None


def compose(client, event, bookings) -> str:
    page = client.post(f"/admin/events/{event.slug}/bookings/bulk", data={
        "booking": [str(b.id) for b in bookings], "action": "email"}).text
    return page


def test_tick_several_and_email_them_through_the_outbox_once(app, client):
    log_in(client, app)
    event = make_event(app, organiser_email="olive@example.org")
    ann = make_booking(app, event, name="Ann Email", email="ann@example.org")
    bob = make_booking(app, event, name="Bob Email", email="bob@example.org")
    make_booking(app, event, name="Not Ticked")

    page = compose(client, event, [ann, bob])
    assert "Email 2 people about" in page
    assert "Ann Email" in page and "Bob Email" in page and "Not Ticked" not in page
    assert outbox(app) == []
    submission = re.search(r'name="submission" type="hidden" value="([0-9a-f]{32})"',
                           page).group(1)
    form = {"booking": [str(ann.id), str(bob.id)], "action": "email",
            "submission": submission, "subject": "", "message": "The room has changed."}

    missing = client.post(f"/admin/events/{event.slug}/bookings/email", data=form)
    assert missing.status_code == 422
    assert "Write a subject for the email." in missing.text
    assert "The room has changed." in missing.text and outbox(app) == []

    form["subject"] = "Room change"
    sent = client.post(f"/admin/events/{event.slug}/bookings/email", data=form,
                       follow_redirects=True)
    assert "Your email to 2 people is on its way." in sent.text
    client.post(f"/admin/events/{event.slug}/bookings/email", data=form)  # pressed twice

    messages = outbox(app, "organiser_message")
    assert sorted(m.booking_id for m in messages) == sorted([ann.id, bob.id])
    assert {m.subject for m in messages} == {"Room change"}
    ann_mail = next(m for m in messages if m.booking_id == ann.id)
    assert "Dear Ann Email," in ann_mail.body_text
    assert "The room has changed." in ann_mail.body_text
    assert ann_mail.headers.get("Reply-To") == "olive@example.org"
    assert audit_actions(app)[-1] == "attendees emailed"
    assert audit_actions(app).count("attendees emailed") == 1
