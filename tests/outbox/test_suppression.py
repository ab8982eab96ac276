"""Suppressed addresses get no follow-ups, reminders or attendee lists; their booking
emails are tried once. Bulk mail carries List-Id; automatic mail says so."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

from eventsite.attendees.lists import queue_attendee_list
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Booking, Event, SuppressionReason
from eventsite.outbox.schedule import queue_scheduled_messages
from eventsite.outbox.suppressions import suppress
from tests.conftest import book, deliver, log_in, outbox
from tests.factories import attach_speaker, make_booking, make_event, make_speaker
from tests.followups.test_followups import compose, recipients, setup_event


def suppress_address(app, address: str, detail: str = "5.1.1 user unknown") -> None:
    with app.app_context():
        suppress(address, SuppressionReason.HARD_BOUNCE, detail)
        db.session.commit()


def headers_of(message) -> dict[str, str]:
    parsed = message_from_bytes(message.raw, policy=default_policy)
    return {name: str(value) for name, value in parsed.items()}


def test_a_hard_bounce_stops_the_next_follow_up_to_that_address(smtp_app, client,
                                                                smtp_server):
    log_in(client, smtp_app)
    event, people, resources = setup_event(smtp_app)
    suppress_address(smtp_app, "ABSENT@example.org")
    page_url = compose(client, event, resources.values(), audience="confirmed")
    client.post(page_url + "/send")
    deliver(smtp_app)

    assert "absent@example.org" not in recipients(smtp_server)
    assert "came@example.org" in recipients(smtp_server)
    held, = [m for m in outbox(smtp_app, "follow_up") if "absent@" in m.recipient]
    assert held.status == "suppressed" and held.attempts == 0
    assert held.last_error.startswith("Not sent: this address bounced on ")
    assert held.last_error.endswith("(5.1.1 user unknown)")


def test_reminders_and_attendee_lists_skip_a_suppressed_address(smtp_app, smtp_server):
    event = make_event(smtp_app, starts_in=timedelta(hours=20), organiser_email="")
    kept = make_booking(smtp_app, event, email="kept@example.org",
                        confirmed_at=utcnow() - timedelta(days=3))
    make_booking(smtp_app, event, email="gone@example.org",
                 confirmed_at=utcnow() - timedelta(days=3))
    attach_speaker(smtp_app, event, make_speaker(smtp_app, email="gone@example.org"))
    suppress_address(smtp_app, "gone@example.org")
    with smtp_app.app_context():
        queue_scheduled_messages()
        queue_attendee_list(db.session.get(Event, event.id), ["gone@example.org"],
                            dedupe_suffix="by-hand")
        db.session.commit()
    deliver(smtp_app)

    arrived = sorted(m["To"] for m in smtp_server.messages)
    assert arrived == [f"{kept.name} <kept@example.org>"]
    held = [m for m in outbox(smtp_app) if "gone@" in m.recipient]
    assert sorted(m.kind for m in held) == ["attendee_list", "attendee_list", "reminder"]
    assert all(m.status == "suppressed" and m.last_error.startswith("Not sent:")
               for m in held)
    reminder, = [m for m in held if m.kind == "reminder"]
    assert not reminder.holds_private_links and b"/bookings/" not in reminder.raw


def test_a_booking_confirmation_to_a_suppressed_address_is_tried_once(smtp_app, client,
                                                                      smtp_server):
    event = make_event(smtp_app, title="Spin-out mutuals")
    suppress_address(smtp_app, "ada@example.org")
    book(client, event)
    smtp_server.fail_next(1)  # a temporary refusal would normally be tried again
    deliver(smtp_app)

    confirmation, = outbox(smtp_app, "booking_confirmed")
    assert confirmation.status == "failed" and confirmation.attempts == 1
    assert confirmation.last_error.endswith("(gave up after 1 attempt)")
    assert len(smtp_server.messages) == 0


def test_a_booking_confirmation_to_a_suppressed_address_still_goes_once(smtp_app, client,
                                                                        smtp_server):
    event = make_event(smtp_app)
    suppress_address(smtp_app, "ada@example.org")
    book(client, event)
    deliver(smtp_app)
    assert [m["To"] for m in smtp_server.messages] == ["Ada Lovelace <ada@example.org>"]


def test_bulk_mail_carries_list_id_and_automatic_mail_says_so(smtp_app, client):
    log_in(client, smtp_app)
    event, people, resources = setup_event(smtp_app, organiser_email="team@example.org")
    client.post(compose(client, event, resources.values()) + "/send")
    with smtp_app.app_context():
        stored = db.session.get(Event, event.id)
        stored.starts_at = utcnow() + timedelta(hours=20)
        stored.ends_at = stored.starts_at + timedelta(hours=2)
        db.session.get(Booking, people["came"].id).confirmed_at = utcnow() - timedelta(days=3)
        queue_scheduled_messages()
        queue_attendee_list(stored, ["venue@example.org"], dedupe_suffix="by-hand")
        db.session.commit()
    book(client, make_event(smtp_app))

    list_id = f'"Spinning out mutuals" <{event.slug}.events.example.org>'
    by_kind = {}
    for message in outbox(smtp_app):
        by_kind.setdefault(message.kind, []).append(headers_of(message))
    assert {"follow_up", "reminder", "attendee_list", "booking_confirmed"} <= set(by_kind)
    for kind in ("follow_up", "reminder", "attendee_list"):
        assert all(h["List-Id"] == list_id for h in by_kind[kind]), kind
    assert [h.get("Auto-Submitted") for h in by_kind["reminder"]] == ["auto-generated"]
    lists = sorted((h["To"], h.get("Auto-Submitted", "")) for h in by_kind["attendee_list"])
    assert lists == [("team@example.org", "auto-generated"), ("venue@example.org", "")]
    for kind in ("follow_up", "booking_confirmed"):
        assert all("Auto-Submitted" not in h for h in by_kind[kind]), kind
    assert all("List-Id" not in h for h in by_kind["booking_confirmed"])
    assert all("Precedence" not in h for hs in by_kind.values() for h in hs)
