"""Bounces come home: VERP envelope senders, `flask mail bounce` reading real-world
reports, `flask mail fetch-bounces` reading them from IMAP, and the suppression list."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import OutboxMessage
from eventsite.outbox.suppressions import suppression_of
from eventsite.outbox.verp import verp_address
from tests.conftest import deliver, load
from tests.factories import outbox_row
from tests.imap import imap_server  # noqa: F401  (a fixture)

SAMPLES = Path(__file__).parent.parent / "data" / "bounces"  # one raw email each, as .txt
RECIPIENT = "alex.attendee@example.net"
BOUNCES = {"MAIL_BOUNCE_ADDRESS": "bounces@example.org"}

# sample -> (status afterwards, suppression reason or None, words in last_error or None)
EXPECTED = {
    "rfc3464_user_unknown": ("bounced", "hard_bounce", "Bounced 5.1.1"),
    "postfix_user_unknown": ("bounced", "hard_bounce", "Bounced 5.1.1"),
    "postfix_delayed": ("sent", None, "Delivery delayed 4.2.2"),
    "exim_mail_delivery_failed": ("bounced", "hard_bounce", "5.1.1 No such user here"),
    "exchange_recipient_not_found": ("bounced", "hard_bounce", "RecipientNotFound"),
    "gmail_account_does_not_exist": ("bounced", "hard_bounce", "does not exist"),
    "gmail_mailbox_full_delayed": ("sent", None, "4.2.2"),
    "arf_abuse_complaint": ("sent", "complaint", "Reported as spam"),
    "not_a_bounce_out_of_office": ("sent", None, None),
    "not_a_bounce_reply": ("sent", None, None),
    "not_a_bounce_delivered_dsn": ("sent", None, None),
}


def test_every_sample_has_an_expected_outcome():
    assert sorted(path.stem for path in SAMPLES.glob("*.txt")) == sorted(EXPECTED)


def sent_message(app, *, days_ago: int = 3) -> OutboxMessage:
    """A confirmation to RECIPIENT that went out days ago."""
    with app.app_context():
        message = outbox_row("booking_confirmed", "bounce-test", f"Alex <{RECIPIENT}>",
                             "Your place", status="sent",
                             sent_at=utcnow() - timedelta(days=days_ago))
        db.session.add(message)
        db.session.commit()
        db.session.refresh(message)
        db.session.expunge(message)
    return message


def sample(app, name: str, message: OutboxMessage) -> bytes:
    with app.app_context():
        verp = verp_address(message.id, app.config)
    text = (SAMPLES / f"{name}.txt").read_text()
    text = (text.replace("{{verp}}", verp).replace("{{message_id}}", message.message_id)
            .replace("{{recipient}}", RECIPIENT))
    return text.replace("\n", "\r\n").encode()


def suppression_reason(app, address: str) -> str | None:
    with app.app_context():
        suppression = suppression_of(address)
        return suppression.reason if suppression else None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bounce_sample_ends_in_the_right_status(app, runner, name):
    app.config.update(BOUNCES)
    message = sent_message(app)
    result = runner.invoke(args=["mail", "bounce"], input=sample(app, name, message))
    assert result.exit_code == 0, result.output
    status, reason, words = EXPECTED[name]
    stored = load(app, OutboxMessage, message.id)
    assert (stored.status, suppression_reason(app, RECIPIENT)) == (status, reason)
    if words is None:
        assert stored.last_error is None
        assert "Not a bounce" in result.stderr
    else:
        assert words in stored.last_error
        assert f"Message #{message.id}" in result.stdout


def test_bounce_about_mail_not_sent_from_here_is_dropped_with_exit_0(app, runner):
    app.config.update(BOUNCES)
    message = sent_message(app)
    raw = sample(app, "exim_mail_delivery_failed", message).replace(
        message.message_id.encode(), b"<someone-else@elsewhere.example>")
    result = runner.invoke(args=["mail", "bounce"], input=raw)
    assert result.exit_code == 0
    assert "not about any message sent from here" in result.stderr
    assert load(app, OutboxMessage, message.id).status == "sent"


def test_forged_verp_token_is_not_believed(app, runner):
    app.config.update(BOUNCES)
    message = sent_message(app)
    raw = sample(app, "rfc3464_user_unknown", message)
    forged = verp_address(message.id, {**app.config, "SECRET_KEY": "another key"})
    raw = raw.replace(verp_address(message.id, app.config).encode(), forged.encode())
    raw = raw.replace(message.message_id.encode(), b"<guessed@elsewhere.example>")
    result = runner.invoke(args=["mail", "bounce"], input=raw)
    assert "not about any message sent from here" in result.stderr
    assert load(app, OutboxMessage, message.id).status == "sent"


def test_envelope_sender_names_the_message_and_its_bounce_comes_home(smtp_app, smtp_server,
                                                                      runner):
    smtp_app.config.update(BOUNCES)
    with smtp_app.app_context():
        message = outbox_row("booking_confirmed", "verp-test", RECIPIENT, "Your place")
        db.session.add(message)
        db.session.commit()
        message_id, verp = message.id, verp_address(message.id, smtp_app.config)
    deliver(smtp_app)
    assert smtp_server.envelopes == [(verp, [RECIPIENT])]
    assert verp.startswith(f"bounces+{message_id}-") and verp.endswith("@example.org")

    dsn = (SAMPLES / "rfc3464_user_unknown.txt").read_text()
    dsn = dsn.replace("{{verp}}", verp).replace("{{recipient}}", RECIPIENT).replace(
        "{{message_id}}", "<not-the-original@example.org>")  # found by VERP alone
    result = runner.invoke(args=["mail", "bounce", "--recipient", verp], input=dsn.encode())
    assert result.exit_code == 0, result.output
    assert load(smtp_app, OutboxMessage, message_id).status == "bounced"
    assert suppression_reason(smtp_app, RECIPIENT) == "hard_bounce"


def test_without_bounce_address_the_envelope_sender_is_the_from(smtp_app, smtp_server):
    with smtp_app.app_context():
        db.session.add(outbox_row("booking_confirmed", "plain", RECIPIENT, "Your place"))
        db.session.commit()
    deliver(smtp_app)
    assert smtp_server.envelopes == [("events@example.org", [RECIPIENT])]


def test_recipient_refused_at_rcpt_goes_on_the_suppression_list(smtp_app, smtp_server):
    smtp_server.reject_recipient("gone@example.net")
    with smtp_app.app_context():
        db.session.add(outbox_row("follow_up", "refused", "Gone <gone@example.net>", "Slides"))
        db.session.commit()
    tally = deliver(smtp_app)
    assert tally.failed == 1
    assert suppression_reason(smtp_app, "gone@example.net") == "refused"


def test_fetch_bounces_records_and_deletes_them(app, runner, imap_server):  # noqa: F811
    app.config.update(BOUNCES, BOUNCE_IMAP_URL=imap_server.url)
    message = sent_message(app)
    imap_server.deliver(sample(app, "postfix_user_unknown", message))
    imap_server.deliver(sample(app, "not_a_bounce_reply", message))
    imap_server.deliver(sample(app, "arf_abuse_complaint", message))
    result = runner.invoke(args=["mail", "fetch-bounces"])
    assert result.exit_code == 0, result.output
    assert "Recorded 2, deleted 2, left 1" in result.stdout
    assert load(app, OutboxMessage, message.id).status == "bounced"
    assert suppression_reason(app, RECIPIENT) == "hard_bounce"
    assert [b"Re: Your place" in mail.raw for mail in imap_server.mailbox] == [True]

    again = runner.invoke(args=["mail", "fetch-bounces"])  # the reply was read: left alone
    assert "Recorded 0, deleted 0, left 0" in again.stdout
    assert len(imap_server.mailbox) == 1
