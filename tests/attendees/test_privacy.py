"""Forgetting attendees: `flask privacy purge` and erasing one person on request."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import sqlalchemy as sa

from eventsite.attendees.privacy import erase_person
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import AuditEntry, Booking, OutboxMessage
from eventsite.outbox.messages import Attachment, queue_email
from eventsite.outbox.services import ERASED_MESSAGE_NOTE
from eventsite.outbox.worker import claim_batch, drain
from tests.conftest import audit_actions, load, log_in, outbox
from tests.factories import make_booking, make_event


def queue_message_about(app, booking, kind="booking_cancelled", status="sent"):
    """An email to the booking's person, naming them in its text and in a file it carries."""
    with app.app_context():
        row = db.session.get(Booking, booking.id)
        note = f"Badge for {row.name} <{row.email}>".encode()
        message = queue_email(kind=kind, dedupe_key=f"test:{booking.id}:{kind}",
                              to=row.email, subject=f"About {row.name}",
                              template="event_cancelled", event=row.event, booking=row,
                              attachments=[Attachment("badge.txt", "text/plain", note)])
        message.status = status
        db.session.commit()
        return message.id


def stored_email(app, message_id) -> bytes:
    """The email as the outbox keeps it, to be sent or downloaded."""
    with app.app_context():
        return db.session.get(OutboxMessage, message_id).raw


def readable(raw: bytes) -> str:
    """Every header and part of the email, decoded, as a mail program would show them."""
    message = message_from_bytes(raw, policy=default_policy)
    parts = [str(value) for value in message.values()]
    for part in message.walk():
        if not part.is_multipart():
            parts.append(part.get_payload(decode=True).decode())
    return "\n".join(parts)


def test_purge_anonymises_bookings_of_long_finished_events_only(app, runner):
    old = make_event(app, starts_in=timedelta(days=-400))
    recent = make_event(app, starts_in=timedelta(days=-30))
    arrived = utcnow() - timedelta(days=400)
    gone = make_booking(app, old, name="Old Attendee", email="old@example.org",
                        organisation="Old Org", access_needs="Vegan", checked_in_at=arrived)
    gone_waiting = make_booking(app, old, status="waiting", email="wait@example.org")
    kept = make_booking(app, recent, name="Recent Attendee")
    message_id = queue_message_about(app, gone)
    before = readable(stored_email(app, message_id))
    assert "old@example.org" in before and before.count("Old Attendee") >= 3  # the test sees

    result = runner.invoke(args=["privacy", "purge"])

    assert result.exit_code == 0, result.output
    assert "Anonymised 2 bookings across 1 events that ended more than 365 days ago." in \
        result.output
    row = load(app, Booking, gone.id)
    assert (row.name, row.organisation, row.access_needs) == ("Anonymised", "", "")
    assert "old@example.org" not in row.email and row.anonymised_at is not None
    assert row.status == "confirmed" and row.checked_in_at == arrived
    assert load(app, Booking, gone_waiting.id).status == "waiting"
    assert load(app, Booking, kept.id).name == "Recent Attendee"
    message = load(app, OutboxMessage, message_id)
    assert "old@example.org" not in message.recipient and message.body_text == ""
    assert stored_email(app, message_id) == b""  # the email itself, attachment and all
    assert audit_actions(app) == ["privacy purge"]

    again = runner.invoke(args=["privacy", "purge"])
    assert "Anonymised 0 bookings" in again.output
    assert audit_actions(app) == ["privacy purge"]


def test_purge_age_can_be_given(app, runner):
    recent = make_event(app, starts_in=timedelta(days=-30))
    booking = make_booking(app, recent, name="Recent Attendee")
    result = runner.invoke(args=["privacy", "purge", "--older-than", "7"])
    assert "Anonymised 1 bookings across 1 events that ended more than 7 days ago." in \
        result.output
    assert load(app, Booking, booking.id).name == "Anonymised"
    assert runner.invoke(args=["privacy", "purge", "--older-than", "-1"]).exit_code != 0


def test_an_organiser_can_erase_one_person_everywhere(app, client):
    log_in(client, app)
    past = make_event(app, starts_in=timedelta(days=-10))
    future = make_event(app, capacity=1)
    old = make_booking(app, past, email="Forget.Me@example.org", name="Forget Me",
                       checked_in_at=utcnow() - timedelta(days=10))
    live = make_booking(app, future, email="forget.me@example.org", name="Forget Me")
    waiting = make_booking(app, future, name="Next Inline", status="waiting",
                           confirmed_at=None)
    other = make_booking(app, future, name="Someone Else", status="cancelled")
    pending = queue_message_about(app, live, kind="reminder", status="pending")

    page = client.get(f"/admin/events/{future.slug}/bookings").get_data(as_text=True)
    assert "Erase a person's bookings" in page
    response = client.post(f"/admin/events/{future.slug}/erase",
                           data={"email": " FORGET.me@example.org "}, follow_redirects=True)

    assert "Erased the personal data of 2 booking(s)" in response.get_data(as_text=True)
    for booking_id in (old.id, live.id):
        row = load(app, Booking, booking_id)
        assert row.name == "Anonymised" and "forget" not in row.email.lower()
    assert load(app, Booking, old.id).checked_in_at is not None
    assert load(app, Booking, live.id).status == "cancelled"
    assert load(app, Booking, waiting.id).status == "confirmed"
    assert load(app, Booking, other.id).name == "Someone Else"
    message = load(app, OutboxMessage, pending)
    assert message.status == "failed" and "forget" not in message.recipient.lower()
    assert message.headers == {} and message.body_html == ""
    assert stored_email(app, pending) == b""
    assert "badge.txt" not in client.get(f"/admin/mail/{pending}").text
    assert client.get(f"/admin/mail/{pending}/message.eml").status_code == 404
    assert [m.booking_id for m in outbox(app, "booking_promoted")] == [waiting.id]
    with app.app_context():
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "personal data erased"))
    assert entry.actor == "organiser@example.org"
    assert old.reference in entry.detail and "forget" not in entry.detail.lower()


def test_email_in_the_hands_of_a_worker_that_stopped_is_not_sent_after_erasure(app):
    event = make_event(app)
    booking = make_booking(app, event, email="forget.me@example.org", name="Forget Me")
    message_id = queue_message_about(app, booking, kind="reminder", status="pending")
    start = utcnow()
    with app.app_context():
        assert claim_batch(10, start) is not None  # a worker takes it, then dies
        erase_person("forget.me@example.org")
        db.session.commit()
        tally = drain(clock=lambda: start + timedelta(hours=1))  # long after its lease
    assert tally.total == 0
    message = load(app, OutboxMessage, message_id)
    assert (message.status, message.last_error) == ("failed", ERASED_MESSAGE_NOTE)
    assert stored_email(app, message_id) == b""
    assert list((Path(app.config["MAIL_FOLDER"])).glob("*.eml")) == []


def test_erasing_an_unknown_address_says_so(app, client):
    log_in(client, app)
    event = make_event(app)
    page = client.post(f"/admin/events/{event.slug}/erase",
                       data={"email": "nobody@example.org"}).get_data(as_text=True)
    assert 'id="email-error">No booking with personal data uses that address.' in page
    assert audit_actions(app) == ["logged in"]  # and nothing erased


def test_audit_log_page_lists_who_did_what(app, client):
    log_in(client, app)
    event = make_event(app, title="Audited event")
    booking = make_booking(app, event)
    client.post(f"/admin/events/{event.slug}/bookings/{booking.id}/check-in")
    client.get(f"/admin/events/{event.slug}/attendees.csv")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.index("<td>attendee list exported</td>") < page.index("<td>checked in</td>")
    assert "organiser@example.org" in page and "Audited event" in page
    other = make_event(app, title="Other event")
    filtered = client.get(f"/admin/audit?event={other.slug}").get_data(as_text=True)
    assert "<td>checked in</td>" not in filtered and "Nothing recorded yet." in filtered
