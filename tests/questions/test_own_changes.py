"""Attendees change their own booking from the manage link; each change is audited as
theirs, and the organiser hears of changed needs in one daily digest per event."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsite.bookings.tokens import issue_manage_token
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import AuditEntry, Booking
from eventsite.outbox.schedule import queue_scheduled_messages
from tests.conftest import load, outbox
from tests.factories import make_answer, make_booking, make_event, make_question
from tests.questions.test_booking_form_questions import answers_of


def token_for(app, booking) -> str:
    with app.app_context():
        token = issue_manage_token(db.session.get(Booking, booking.id))
        db.session.commit()
        return token


def changes(**fields) -> dict:
    return {"name": "Ada Lovelace", "organisation": "Analytical Engines",
            "job_title": "Analyst", "access_needs": "", "wants_followup": "y", **fields}


def setup(app, **event_values):
    event = make_event(app, **event_values)
    booking = make_booking(app, event, name="Ada Lovelace", organisation="Analytical Engines",
                           job_title="Analyst", reference="FR-ADA1")
    return event, booking, token_for(app, booking)


def test_an_attendee_changes_their_details_answers_and_follow_up_choice(app, client):
    event, booking, token = setup(app)
    breakout = make_question(app, event, "Which breakout?", kind="one_choice",
                             choices=["Housing", "Care"], required=True)
    make_answer(app, booking, breakout, text="Housing")
    manage = client.get(f"/bookings/{token}").get_data(as_text=True)
    assert f'href="/bookings/{token}/edit"' in manage
    assert "Which breakout?" in manage and "Housing" in manage
    form = client.get(f"/bookings/{token}/edit")
    assert form.headers["Cache-Control"] == "private, no-store"
    page = form.get_data(as_text=True)
    assert 'value="Ada Lovelace"' in page
    assert 'value="Housing" checked' in page or 'checked id' in page

    response = client.post(f"/bookings/{token}/edit", data=changes(
        name="Ada King", job_title="Countess", access_needs="Vegetarian",
        wants_followup="", **{f"question_{breakout.id}": "Care"}))

    assert response.status_code == 303
    assert response.location.endswith(f"/bookings/{token}")
    row = load(app, Booking, booking.id)
    assert (row.name, row.job_title, row.access_needs, row.wants_followup) == (
        "Ada King", "Countess", "Vegetarian", False)
    assert answers_of(app, booking.id) == {"Which breakout?": "Care"}
    assert "Your changes are saved." in client.get(f"/bookings/{token}").get_data(
        as_text=True)
    with app.app_context():
        (entry,) = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "booking changed by attendee")).all()
        assert (entry.actor, entry.organiser_id, entry.booking_id) == (
            "attendee FR-ADA1", None, booking.id)
        assert entry.detail == ("Changed: name, job title, access or dietary needs, "
                                "slides and resources, answer to “Which breakout?”")


def test_the_email_address_is_not_self_service(app, client):
    event, booking, token = setup(app, organiser_email="host@example.org")
    page = client.get(f"/bookings/{token}/edit").get_data(as_text=True)
    assert "cannot be changed here" in page
    assert "cancel this booking and book again" in page and "host@example.org" in page
    assert 'name="email"' not in page
    client.post(f"/bookings/{token}/edit", data=changes(email="other@example.org"))
    assert load(app, Booking, booking.id).email == booking.email


def test_bad_changes_say_what_is_wrong_and_keep_what_was_typed(app, client):
    event, booking, token = setup(app)
    required = make_question(app, event, "Your council", required=True)
    response = client.post(f"/bookings/{token}/edit", data=changes(
        name="", access_needs="Typed needs"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your name." in page
    assert "Enter an answer to “Your council”." in page
    assert "Typed needs" in page
    assert load(app, Booking, booking.id).name == "Ada Lovelace"
    assert f"question_{required.id}" in page


def test_saving_without_changes_audits_nothing(app, client):
    _event, _booking, token = setup(app)
    response = client.post(f"/bookings/{token}/edit", data=changes(), follow_redirects=True)
    assert "Nothing was changed." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_a_cancelled_booking_cannot_be_changed(app, client):
    event = make_event(app)
    booking = make_booking(app, event, status="cancelled", cancelled_at=utcnow())
    token = token_for(app, booking)
    assert "Change my details" not in client.get(f"/bookings/{token}").get_data(as_text=True)
    response = client.post(f"/bookings/{token}/edit", data=changes(name="Changed"))
    assert response.status_code == 303
    assert load(app, Booking, booking.id).name == booking.name
    page = client.get(response.location).get_data(as_text=True)
    assert "This booking is cancelled, so there is nothing to change." in page


def test_a_past_event_booking_cannot_be_changed(app, client):
    event = make_event(app, starts_in=timedelta(days=-2))
    booking = make_booking(app, event)
    token = token_for(app, booking)
    response = client.get(f"/bookings/{token}/edit")
    assert response.status_code == 303
    assert "already taken place" in client.get(response.location).get_data(as_text=True)


def test_an_unknown_link_cannot_change_anything(app, client):
    assert client.get("/bookings/" + "x" * 43 + "/edit").status_code == 404
    assert client.post("/bookings/" + "x" * 43 + "/edit", data=changes()).status_code == 404


# --- the organiser's digest ---------------------------------------------------------------

def change_needs(client, token, needs, **fields):
    response = client.post(f"/bookings/{token}/edit", data=changes(access_needs=needs,
                                                                   **fields))
    assert response.status_code == 303


def run_worker_pass(app, at):
    with app.app_context():
        queued = queue_scheduled_messages(at)
        db.session.commit()
        return queued


def test_changed_needs_reach_the_organiser_in_one_digest_a_day(app, client):
    event, ada, ada_token = setup(app, organiser_email="host@example.org",
                                  timezone="Europe/London")
    grace = make_booking(app, event, reference="FR-GRC1", name="Grace Hopper")
    grace_token = token_for(app, grace)
    name_only = make_booking(app, event, reference="FR-NAM1", name="Name Only")
    change_needs(client, ada_token, "Vegan")
    change_needs(client, ada_token, "Vegan, and a hearing loop")
    change_needs(client, grace_token, "Step-free access", name="Grace Hopper",
                 organisation="Example Council", job_title="Commissioner")
    client.post(f"/bookings/{token_for(app, name_only)}/edit", data=changes(
        name="Name Changed", organisation="Example Council", job_title="Commissioner"))

    assert run_worker_pass(app, utcnow()) == 0  # not before the day is over
    tomorrow = utcnow() + timedelta(days=1)
    assert run_worker_pass(app, tomorrow) == 1
    assert run_worker_pass(app, tomorrow) == 0

    (digest,) = outbox(app, "needs_digest")
    assert digest.recipient == "host@example.org"
    assert digest.subject == f"Changed access or dietary needs: {event.title}"
    assert "FR-ADA1" in digest.body_text and "FR-GRC1" in digest.body_text
    assert "FR-NAM1" not in digest.body_text
    assert f"/admin/events/{event.slug}/bookings/{ada.id}" in digest.body_text
    assert "2 people booked on" in digest.body_text
    assert "Vegan" not in digest.body_text and "Ada" not in digest.body_text


def test_changes_of_other_details_send_no_digest(app, client):
    _event, _booking, token = setup(app, organiser_email="host@example.org")
    client.post(f"/bookings/{token}/edit", data=changes(name="Ada King"))
    assert run_worker_pass(app, utcnow() + timedelta(days=2)) == 0
    assert outbox(app, "needs_digest") == []


def test_without_an_organiser_address_the_digest_goes_to_the_sites_contact(app, client):
    app.config["SITE_CONTACT_EMAIL"] = "contact@example.org"
    _event, _booking, token = setup(app, organiser_email="")
    change_needs(client, token, "Gluten free")
    assert run_worker_pass(app, utcnow() + timedelta(days=1)) == 1
    (digest,) = outbox(app, "needs_digest")
    assert digest.recipient == "contact@example.org"


@pytest.mark.csrf
def test_an_expired_change_form_keeps_what_was_typed_and_saves_nothing(app, client):
    _event, booking, token = setup(app)
    response = client.post(f"/bookings/{token}/edit", data=changes(access_needs="Halal"))
    assert response.status_code == 400
    assert "This form had expired, so nothing has been sent yet" in response.text
    assert "Halal" in response.text
    assert load(app, Booking, booking.id).access_needs == ""
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text)
    again = client.post(f"/bookings/{token}/edit",
                        data=changes(access_needs="Halal", csrf_token=fresh.group(1)))
    assert again.status_code == 303
    assert load(app, Booking, booking.id).access_needs == "Halal"
