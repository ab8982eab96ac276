"""DKIM: every kind of email is signed when queued and verifies as stored and as received."""
from __future__ import annotations

import os
import re
import stat

import dkim
import pytest
import sqlalchemy as sa

from config import ConfigError
from eventsite import create_app
from eventsite.attendees.lists import queue_attendee_list
from eventsite.bookings.notices import (
    queue_booking_confirmation,
    queue_cancellation_notice,
    queue_promotion_notice,
    queue_reminder,
    queue_waiting_list_notice,
)
from eventsite.bookings.tokens import issue_manage_token
from eventsite.database import utcnow
from eventsite.events.notices import queue_event_cancelled, queue_event_changed
from eventsite.extensions import db
from eventsite.followups.services import create_follow_up, send_follow_up, send_follow_up_test
from eventsite.models import Booking, Event, Organiser, OutboxMessage
from eventsite.outbox.dkim_keys import key_from_pem, new_key_pem
from eventsite.outbox.worker import drain
from tests.conftest import running_app, test_config
from tests.factories import make_booking, make_event, make_organiser

DOMAIN, SELECTOR = "example.org", "fringe"
EVERY_KIND = {"booking_confirmed", "booking_waiting_list", "booking_promoted",
              "booking_cancelled", "reminder",
              "event_changed", "event_cancelled", "attendee_list", "follow_up",
              "follow_up_test"}


def dkim_settings(tmp_path, *, use_ed25519=False, **overrides) -> dict:
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(new_key_pem(use_ed25519=use_ed25519))
    return {"DKIM_DOMAIN": DOMAIN, "DKIM_SELECTOR": SELECTOR,
            "DKIM_PRIVATE_KEY_FILE": str(key_file), **overrides}


@pytest.fixture(params=["rsa", "ed25519"])
def signing_app(request, database_url, tmp_path, smtp_server):
    """The app signing with a new key, sending to the test SMTP server."""
    settings = dkim_settings(tmp_path, use_ed25519=request.param == "ed25519")
    with running_app(test_config(database_url, tmp_path, MAIL_BACKEND="smtp",
                                 MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                                 **settings)) as app:
        yield app


def published_key(app):
    """A dnsfunc for dkim.verify: the TXT record the key's DNS would hold."""
    key = key_from_pem(open(app.config["DKIM_PRIVATE_KEY_FILE"], "rb").read(), DOMAIN, SELECTOR)

    def dnsfunc(name, timeout=5):
        return key.record.encode() if name == f"{key.record_name}.".encode() else None

    return dnsfunc


def signed_headers(raw: bytes) -> list[str]:
    signature = raw.split(b"\r\n\r\n", 1)[0].decode()
    tags = re.search(r"DKIM-Signature:(.*?)(?=\r\n\S)", signature, re.S).group(1)
    h = re.search(r"\bh=([^;]*)", tags).group(1)
    return [name.strip().lower() for name in h.split(":")]


def queue_every_kind(app) -> None:
    """One email of each kind the site sends, queued as the areas queue them."""
    event = make_event(app)
    booking = make_booking(app, event, email="ada@example.org", checked_in_at=utcnow())
    waiting = make_booking(app, event, status="waiting", email="grace@example.org")
    gone = make_booking(app, event, status="cancelled", email="alan@example.org")
    organiser = make_organiser(app, email="organiser@example.org")
    with app.app_context():
        booking, waiting = db.session.get(Booking, booking.id), db.session.get(Booking, waiting.id)
        event = db.session.get(Event, event.id)
        queue_booking_confirmation(booking, issue_manage_token(booking))
        queue_waiting_list_notice(waiting, issue_manage_token(waiting))
        queue_promotion_notice(waiting, issue_manage_token(waiting))
        queue_cancellation_notice(db.session.get(Booking, gone.id))
        queue_reminder(booking)
        queue_event_changed(event, [("Venue", "Room 4", "Room 5")])
        queue_event_cancelled(event)
        queue_attendee_list(event, [("Sam Speaker", "sam@example.org")], "Room 5.",
                            dedupe_suffix="form-1")
        follow_up = create_follow_up(event, subject="Slides", message="Thank you.",
                                     audience="confirmed", resources=[], organiser=None)
        send_follow_up_test(follow_up, db.session.get(Organiser, organiser.id), "form-2")
        send_follow_up(follow_up)
        db.session.commit()


def stored_messages(app) -> list[tuple[str, bytes]]:
    """(kind, raw) of each queued email, as the outbox keeps it."""
    with app.app_context():
        return db.session.execute(
            sa.select(OutboxMessage.kind, OutboxMessage.raw).order_by(OutboxMessage.id)).all()


def test_every_kind_of_email_verifies_as_stored_and_as_received(signing_app, smtp_server):
    queue_every_kind(signing_app)
    dnsfunc = published_key(signing_app)
    rows = stored_messages(signing_app)
    assert {kind for kind, _ in rows} == EVERY_KIND
    for kind, raw in rows:
        assert raw.startswith(b"DKIM-Signature: ")
        assert dkim.verify(raw, dnsfunc=dnsfunc), kind
        assert {"from", "to", "subject", "date", "message-id", "mime-version",
                "content-type"} <= set(signed_headers(raw)), kind
    with signing_app.app_context():
        assert drain().sent == len(rows)
    assert len(smtp_server.raw_messages) == len(rows)
    for received in smtp_server.raw_messages:
        assert dkim.verify(received, dnsfunc=dnsfunc)


def test_list_unsubscribe_is_covered_by_the_signature(signing_app):
    queue_every_kind(signing_app)
    dnsfunc = published_key(signing_app)
    checked = set()
    for kind, raw in stored_messages(signing_app):
        if kind not in {"reminder", "follow_up"}:
            continue
        assert b"\r\nList-Unsubscribe: " in raw, kind
        assert {"list-unsubscribe", "list-unsubscribe-post"} <= set(signed_headers(raw))
        changed = raw.replace(b"\r\nList-Unsubscribe: <",
                              b"\r\nList-Unsubscribe: <mailto:spam@example.net>, <")
        assert changed != raw and not dkim.verify(changed, dnsfunc=dnsfunc), kind
        checked.add(kind)
    assert checked == {"reminder", "follow_up"}


def test_a_header_changed_after_signing_fails_verification(signing_app):
    queue_every_kind(signing_app)
    dnsfunc = published_key(signing_app)
    raw = next(raw for kind, raw in stored_messages(signing_app) if kind == "booking_confirmed")
    assert dkim.verify(raw, dnsfunc=dnsfunc)
    subject = re.search(rb"\r\nSubject: ([^\r]*)", raw).group(1)
    changed = raw.replace(b"\r\nSubject: " + subject, b"\r\nSubject: You won a prize", 1)
    assert changed != raw and not dkim.verify(changed, dnsfunc=dnsfunc)
    added_from = raw.replace(b"\r\nFrom: ", b"\r\nFrom: bank@example.net\r\nFrom: ", 1)
    assert not dkim.verify(added_from, dnsfunc=dnsfunc)


def test_a_sender_outside_the_dkim_domain_refuses_to_start(database_url, tmp_path):
    settings = dkim_settings(tmp_path, MAIL_DEFAULT_SENDER="Events <events@example.net>")
    with pytest.raises(ConfigError, match="MAIL_DEFAULT_SENDER is from example.net"):
        create_app(test_config(database_url, tmp_path, **settings))
    production = {**test_config(database_url, tmp_path, **settings), "TESTING": False,
                  "SECRET_KEY": "k" * 40, "MAIL_BACKEND": "smtp"}
    with pytest.raises(ConfigError, match="DKIM_DOMAIN is example.org"):
        create_app(production)


def test_half_the_dkim_settings_or_a_weak_key_refuse_to_start(database_url, tmp_path):
    settings = dkim_settings(tmp_path)
    del settings["DKIM_SELECTOR"]
    with pytest.raises(ConfigError, match="DKIM_SELECTOR not set"):
        create_app(test_config(database_url, tmp_path, **settings))
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    (tmp_path / "weak.pem").write_bytes(weak)
    with pytest.raises(ConfigError, match="1024 bits"):
        create_app(test_config(database_url, tmp_path, **dkim_settings(
            tmp_path, DKIM_PRIVATE_KEY_FILE=str(tmp_path / "weak.pem"))))


@pytest.mark.parametrize("options, k", [([], "rsa"), (["--ed25519"], "ed25519")])
def test_dkim_keygen_writes_a_private_key_and_prints_the_record(runner, tmp_path, options, k):
    path = tmp_path / "keys" / "fringe.pem"
    result = runner.invoke(args=["mail", "dkim-keygen", DOMAIN, SELECTOR,
                                 "--output", str(path), *options])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = key_from_pem(path.read_bytes(), DOMAIN, SELECTOR)
    assert key.key_type == k
    assert "fringe._domainkey.example.org. IN TXT" in result.output
    printed = "".join(re.findall(r'"([^"]*)"', result.output))
    assert printed == key.record
    again = runner.invoke(args=["mail", "dkim-keygen", DOMAIN, SELECTOR, "--output", str(path)])
    assert again.exit_code != 0 and "not overwritten" in again.output
    assert key_from_pem(path.read_bytes(), DOMAIN, SELECTOR) == key
