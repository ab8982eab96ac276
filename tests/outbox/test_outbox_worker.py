"""The outbox worker against a real SMTP server: what arrives, and what happens on failure."""
from __future__ import annotations

import email
import email.policy
from collections import Counter
from datetime import timedelta
from email.utils import parseaddr, parsedate_to_datetime

import pytest
import sqlalchemy as sa

from eventsite.attendees.export import attendee_list_csv
from eventsite.attendees.lists import queue_attendee_list
from eventsite.bookings.notices import queue_reminder
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Booking, Event, OutboxMessage, OutboxStatus
from eventsite.outbox.messages import Attachment, queue_email
from eventsite.outbox.worker import OutcomeLog, claim_batch, drain
from tests.conftest import by_id, outbox
from tests.factories import make_booking, make_event, queue_messages


def drain_at(app, now=None, **options):
    clock = (lambda: now) if now is not None else utcnow
    with app.app_context():
        return drain(clock=clock, **options)


def test_each_message_arrives_once_with_its_own_headers(smtp_app, smtp_server):
    ids = queue_messages(smtp_app, 3)
    tally = drain_at(smtp_app)
    assert (tally.sent, tally.retrying, tally.failed) == (3, 0, 0)
    rows = by_id(outbox(smtp_app))
    assert [rows[i].status for i in ids] == ["sent"] * 3
    assert sorted(smtp_server.message_ids()) == sorted(rows[i].message_id for i in ids)
    message = smtp_server.messages[0]
    assert parseaddr(message["From"]) == ("Fringe Events", "events@example.org")
    assert abs(parsedate_to_datetime(message["Date"]) - utcnow()) < timedelta(minutes=1)
    assert message.get_body(("plain",)).get_content().startswith("Dear Alex")
    assert "<p>Dear Alex" in message.get_body(("html",)).get_content()


def test_attendee_list_email_has_the_csv_absolute_links_and_no_remote_images(smtp_app,
                                                                              smtp_server):
    event = make_event(smtp_app, title="Spinning out mutuals")
    make_booking(smtp_app, event, name="=HYPERLINK(1)")
    with smtp_app.app_context():
        queue_attendee_list(db.session.get(Event, event.id), [("Sam Speaker", "sam@example.org"), "venue@example.org",
                                    "SAM@example.org"],
                            "Room changed.\r\n\r\nBring badges.", dedupe_suffix="form-1")
        db.session.commit()
        expected_csv = attendee_list_csv(db.session.get(Event, event.id))
    assert drain_at(smtp_app).sent == 2  # one message per address, however often given
    first, second = smtp_server.messages
    assert parseaddr(first["To"]) == ("Sam Speaker", "sam@example.org")
    assert first["Subject"] == "Attendee list: Spinning out mutuals"
    html = first.get_body(("html",)).get_content()
    assert "<img" not in html.lower() and "src=" not in html.lower()
    assert f'href="https://events.example.org/events/{event.slug}"' in html
    assert "<p>Room changed.</p><p>Bring badges.</p>" in html
    [attachment] = list(first.iter_attachments())
    assert attachment.get_filename() == f"{event.slug}-attendee-list.csv"
    assert attachment.get_payload(decode=True) == expected_csv
    assert b"'=HYPERLINK(1)" in expected_csv


def test_refused_connection_retries_later_with_the_same_message_id(smtp_app, smtp_server):
    [message_id] = queue_messages(smtp_app, 1)
    smtp_server.stop_listening()
    start = utcnow()
    tally = drain_at(smtp_app, start)
    assert (tally.sent, tally.retrying) == (0, 1)
    row = by_id(outbox(smtp_app))[message_id]
    assert row.status == "pending" and row.attempts == 1
    assert "Could not connect to the mail server" in row.last_error
    assert row.next_attempt_at == start + timedelta(seconds=30)

    smtp_server.start_listening()
    assert drain_at(smtp_app, start + timedelta(seconds=10)).total == 0  # not due yet
    assert drain_at(smtp_app, start + timedelta(seconds=31)).sent == 1
    sent = by_id(outbox(smtp_app))[message_id]
    assert sent.status == "sent" and sent.attempts == 2 and sent.last_error is None
    assert smtp_server.message_ids() == [sent.message_id]


def test_refused_connection_puts_back_the_whole_batch_at_once(smtp_app, smtp_server):
    queue_messages(smtp_app, 5)
    smtp_server.stop_listening()
    tally = drain_at(smtp_app, utcnow())
    assert tally.retrying == 5
    assert {row.status for row in by_id(outbox(smtp_app)).values()} == {"pending"}


def test_backoff_doubles_until_max_attempts_then_failed(smtp_app, smtp_server):
    [message_id] = queue_messages(smtp_app, 1)
    smtp_server.fail_next(10)
    now = utcnow()
    waits = []
    for _ in range(3):
        drain_at(smtp_app, now)
        row = by_id(outbox(smtp_app))[message_id]
        if row.status == "pending":
            waits.append((row.next_attempt_at - now).total_seconds())
            now = row.next_attempt_at
    assert waits == [30, 60]  # OUTBOX_RETRY_BASE * 2**(attempts-1)
    assert row.status == "failed" and row.attempts == 3
    assert row.last_error == ("451 4.3.0 Mailbox temporarily unavailable, try again later "
                              "(gave up after 3 attempts)")
    assert smtp_server.messages == []


def test_hang_up_mid_message_retries_and_the_rest_of_the_batch_goes(smtp_app, smtp_server):
    ids = queue_messages(smtp_app, 4)
    smtp_server.hang_up_next(1)
    start = utcnow()
    tally = drain_at(smtp_app, start)
    assert (tally.sent, tally.retrying) == (3, 1)
    rows = by_id(outbox(smtp_app))
    assert rows[ids[0]].status == "pending"
    assert "closed the connection" in rows[ids[0]].last_error
    drain_at(smtp_app, start + timedelta(seconds=30))
    assert sorted(smtp_server.message_ids()) == sorted(r.message_id for r in rows.values())


def test_550_for_one_recipient_fails_only_that_message(smtp_app, smtp_server):
    ids = queue_messages(smtp_app, 3)
    smtp_server.reject_recipient("attendee1@example.org")
    tally = drain_at(smtp_app)
    assert (tally.sent, tally.failed) == (2, 1)
    rows = by_id(outbox(smtp_app))
    assert [rows[i].status for i in ids] == ["sent", "failed", "sent"]
    assert rows[ids[1]].last_error.startswith("attendee1@example.org refused: 550 5.1.1")
    assert rows[ids[1]].attempts == 1


def test_permanent_5xx_fails_with_the_servers_reason(smtp_app, smtp_server):
    [message_id] = queue_messages(smtp_app, 1)
    smtp_server.fail_next(1, permanent=True)
    assert drain_at(smtp_app).failed == 1
    assert by_id(outbox(smtp_app))[message_id].last_error == "554 5.6.0 Message content rejected"


def test_message_left_in_sending_by_a_dead_worker_is_sent_after_its_lease(smtp_app,
                                                                          smtp_server):
    [message_id] = queue_messages(smtp_app, 1)
    start = utcnow()
    with smtp_app.app_context():
        assert claim_batch(10, start) is not None  # a worker claims it, then dies
    assert drain_at(smtp_app, start + timedelta(seconds=299)).total == 0
    assert drain_at(smtp_app, start + timedelta(seconds=301)).sent == 1
    row = by_id(outbox(smtp_app))[message_id]
    assert row.status == "sent" and row.attempts == 2


def test_message_abandoned_by_dead_workers_too_often_is_failed(smtp_app, smtp_server):
    [message_id] = queue_messages(smtp_app, 1)
    now = utcnow()
    with smtp_app.app_context():
        for _ in range(3):
            claim_batch(10, now)
            now += timedelta(seconds=301)
        drain(clock=lambda: now)
    row = by_id(outbox(smtp_app))[message_id]
    assert row.status == "failed" and "worker stopped" in row.last_error
    assert smtp_server.messages == []


def test_file_backend_writes_readable_eml_files(app, tmp_path):
    ids = queue_messages(app, 2)
    assert drain_at(app).sent == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert [f.name for f in files] == [f"{i:07d}-booking_confirmed.eml" for i in ids]
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "attendee0@example.org"
    assert message["Message-ID"] == by_id(outbox(app))[ids[0]].message_id
    assert message.get_body(("plain",)).get_content().startswith("Dear Alex")


def test_reminder_carries_one_click_unsubscribe_headers(smtp_app, smtp_server):
    event = make_event(smtp_app, starts_in=timedelta(hours=20))
    booking = make_booking(smtp_app, event, name="Zoë Attendee")
    with smtp_app.app_context():
        queue_reminder(db.session.get(Booking, booking.id))
        db.session.commit()
    drain_at(smtp_app)
    [message] = smtp_server.messages
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://events.example.org/unsubscribe/")
    assert unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parseaddr(message["To"]) == ("Zoë Attendee", booking.email)
    assert b"\r\nList-Unsubscribe: <https://" in smtp_server.raw_messages[0]  # one plain line, not encoded words
    text = message.get_body(("plain",)).get_content()
    assert unsubscribe[1:-1] in text
    assert "https://events.example.org/bookings/" in text  # the manage link
    [invite] = list(message.iter_attachments())
    assert invite.get_content_type() == "text/calendar"
    with smtp_app.app_context():
        sent = db.session.scalar(sa.select(OutboxMessage))
        assert sent.status == "sent"


def test_email_built_when_queued_goes_out_byte_for_byte_with_one_message_id(smtp_app,
                                                                           smtp_server):
    event = make_event(smtp_app, starts_in=timedelta(hours=20))
    booking = make_booking(smtp_app, event, name="Zoë Attendee")
    with smtp_app.app_context():
        queue_reminder(db.session.get(Booking, booking.id))
        db.session.commit()
    with smtp_app.app_context():
        queued = db.session.scalar(sa.select(OutboxMessage))
        stored = queued.raw  # kept as the worker is to send it
    assert f"Message-ID: {queued.message_id}\r\n".encode() in stored
    smtp_server.fail_next(1)
    start = utcnow()
    assert drain_at(smtp_app, start).retrying == 1
    assert drain_at(smtp_app, start + timedelta(seconds=31)).sent == 1
    assert smtp_server.raw_messages == [stored]  # the retry sent the very same bytes
    assert smtp_server.envelopes == [("events@example.org", [booking.email])]
    [message] = smtp_server.messages
    assert message["Message-ID"] == queued.message_id
    assert parseaddr(message["To"]) == ("Zoë Attendee", booking.email)


def test_an_email_that_cannot_be_built_is_never_queued(app):
    event = make_event(app)
    with app.app_context():
        with pytest.raises(TypeError):  # a file type without a subtype: a fault in the code
            queue_email(
                kind="attendee_list", dedupe_key="broken", to="ann@example.org",
                subject="Attendee list", template="attendee_list",
                context={"note": "", "counts": {"confirmed": 0, "waiting": 0, "cancelled": 0},
                         "filename": "list.csv", "generated_at": "now"},
                attachments=[Attachment("list.csv", "csv", b"reference\r\n")],
                event=db.session.get(Event, event.id),
            )
        db.session.rollback()
    assert by_id(outbox(app)) == {}


# --- several connections at once ---------------------------------------------------------

def test_several_connections_send_each_message_exactly_once(smtp_app, smtp_server):
    ids = queue_messages(smtp_app, 60)
    smtp_server.delay = 0.02  # each batch takes a while, so every connection gets some
    tally = drain_at(smtp_app, connections=3, batch_size=5)
    assert (tally.sent, tally.retrying, tally.failed) == (60, 0, 0)
    rows = by_id(outbox(smtp_app))
    assert {(rows[i].status, rows[i].attempts) for i in ids} == {("sent", 1)}
    received = Counter(smtp_server.message_ids())
    assert received == Counter(rows[i].message_id for i in ids)  # each once, none missing
    assert len(set(smtp_server.peers)) > 1  # over more than one connection


@pytest.mark.parametrize("connections", [1, 3])
def test_each_outcome_is_committed_before_the_next_message_on_its_connection(
        smtp_app, smtp_server, connections):
    queue_messages(smtp_app, 24)
    engine = sa.create_engine(smtp_app.config["SQLALCHEMY_DATABASE_URI"])
    seen = []  # (connection, Message-ID arriving, Message-IDs committed as sent by then)

    def note_committed(peer, raw):
        with engine.connect() as connection:
            sent = set(connection.scalars(sa.select(OutboxMessage.message_id).where(
                OutboxMessage.status == OutboxStatus.SENT)))
        message_id = email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]
        seen.append((peer, str(message_id), sent))

    smtp_server.on_data = note_committed
    try:
        assert drain_at(smtp_app, connections=connections, batch_size=4).sent == 24
    finally:
        engine.dispose()
    earlier_on = {}
    for peer, message_id, committed in seen:
        earlier = earlier_on.setdefault(peer, [])
        assert set(earlier) <= committed and message_id not in committed
        earlier.append(message_id)
    assert len(earlier_on) <= connections


def test_several_connections_550_for_one_recipient_fails_only_that_message(smtp_app,
                                                                           smtp_server):
    ids = queue_messages(smtp_app, 12)
    smtp_server.reject_recipient("attendee7@example.org")
    tally = drain_at(smtp_app, connections=3, batch_size=2)
    assert (tally.sent, tally.retrying, tally.failed) == (11, 0, 1)
    rows = by_id(outbox(smtp_app))
    assert [i for i in ids if rows[i].status == "failed"] == [ids[7]]
    assert rows[ids[7]].last_error.startswith("attendee7@example.org refused: 550 5.1.1")
    assert len(smtp_server.messages) == 11


def test_several_connections_hang_up_mid_batch_is_retried_later(smtp_app, smtp_server):
    ids = queue_messages(smtp_app, 12)
    smtp_server.hang_up_next(2)
    start = utcnow()
    tally = drain_at(smtp_app, start, connections=3, batch_size=4)
    assert (tally.sent, tally.retrying, tally.failed) == (10, 2, 0)
    rows = by_id(outbox(smtp_app))
    retrying = [rows[i] for i in ids if rows[i].status == "pending"]
    assert len(retrying) == 2
    for row in retrying:
        assert row.attempts == 1 and row.next_attempt_at == start + timedelta(seconds=30)
    assert drain_at(smtp_app, start + timedelta(seconds=31), connections=3).sent == 2
    received = Counter(smtp_server.message_ids())
    assert received == Counter(row.message_id for row in rows.values())


def test_several_connections_server_unavailable_puts_every_batch_back(smtp_app,
                                                                      smtp_server):
    ids = queue_messages(smtp_app, 10)
    smtp_server.stop_listening()
    start = utcnow()
    tally = drain_at(smtp_app, start, connections=3, batch_size=2)
    assert (tally.sent, tally.retrying, tally.failed) == (0, 10, 0)
    rows = by_id(outbox(smtp_app))
    assert {(rows[i].status, rows[i].attempts, rows[i].next_attempt_at) for i in ids} == {
        ("pending", 1, start + timedelta(seconds=30))}
    assert all("Could not connect to the mail server" in rows[i].last_error for i in ids)


def test_an_outcome_that_cannot_be_written_stops_every_connection(smtp_app, smtp_server,
                                                                  monkeypatch):
    ids = queue_messages(smtp_app, 30)
    smtp_server.delay = 0.02
    record_sent = OutcomeLog.sent

    def sent(outcomes, queued, now):
        if queued.id == ids[6]:
            raise sa.exc.OperationalError("UPDATE", {}, Exception("the database went away"))
        return record_sent(outcomes, queued, now)

    monkeypatch.setattr(OutcomeLog, "sent", sent)
    with pytest.raises(sa.exc.OperationalError):
        drain_at(smtp_app, connections=3, batch_size=5)
    rows = by_id(outbox(smtp_app))
    assert rows[ids[6]].status == "sending"  # taken back when its lease runs out
    # The other connections finished the message in hand and handed back the rest; only
    # the failed connection's batch is still leased.
    assert sum(row.status == "sending" for row in rows.values()) <= 5
    received = Counter(smtp_server.message_ids())
    assert set(received.values()) == {1}
    assert {rows[i].message_id for i in ids if rows[i].status == "sent"} <= set(received)
