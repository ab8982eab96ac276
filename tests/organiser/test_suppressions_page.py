"""What organisers see of deliverability: suppressed addresses (and lifting them), each
email's true status in words on the mail log and a follow-up's page, and a warning on a
booking whose address is suppressed."""
from __future__ import annotations

import html
import re

import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import OutboxMessage, Suppression
from tests.conftest import audit_actions, book, deliver, log_in, outbox
from tests.factories import make_booking, make_event, outbox_row
from tests.followups.test_followups import compose, recipients, setup_event
from tests.outbox.test_suppression import suppress_address


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def set_status(app, recipient_part: str, status: str, last_error: str | None) -> None:
    """As the bounce processor records a bounce reported days later."""
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage).where(
            OutboxMessage.recipient.contains(recipient_part)))
        message.status, message.last_error = status, last_error
        db.session.commit()


def test_lifting_a_suppression_from_the_page_lets_the_next_follow_up_go(smtp_app, client,
                                                                       smtp_server):
    log_in(client, smtp_app)
    event, people, resources = setup_event(smtp_app)
    suppress_address(smtp_app, "came@example.org")
    page = text_of(client.get("/admin/suppressions").text)
    assert "came@example.org" in page
    assert "This address bounced on " in page and "(5.1.1 user unknown)" in page
    assert "/admin/suppressions" in client.get("/admin/mail").text

    first = compose(client, event, resources.values())
    client.post(first + "/send")
    deliver(smtp_app)
    assert recipients(smtp_server) == []

    response = client.post("/admin/suppressions/lift", data={"address": "came@example.org"},
                           follow_redirects=True)
    assert "will get follow-ups, reminders and attendee lists again" in response.text
    assert "No address is suppressed." in response.text
    assert "suppression lifted" in audit_actions(smtp_app)
    with smtp_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Suppression)) == 0

    second = compose(client, event, resources.values(), subject="The report, as promised")
    client.post(second + "/send")
    deliver(smtp_app)
    assert recipients(smtp_server) == ["came@example.org"]
    again = client.post("/admin/suppressions/lift", data={"address": "came@example.org"},
                        follow_redirects=True)
    assert "That address is not suppressed." in again.text


def test_the_mail_log_says_where_each_email_stands_in_words(app, client):
    log_in(client, app)
    rows = [("queued@example.org", "pending", None),
            ("sent@example.org", "sent", None),
            ("unknown@example.org", "bounced", "5.1.1 <unknown@example.org>: user unknown"),
            ("full@example.org", "bounced", "5.2.2 mailbox over quota"),
            ("spam@example.org", "bounced", "5.7.1 message rejected as spam"),
            ("failed@example.org", "failed", "554 transaction failed"),
            ("held@example.org", "suppressed", "Not sent: this address bounced on 3 Dec 2026 "
                                               "(5.1.1 user unknown)")]
    with app.app_context():
        db.session.add_all(outbox_row("follow_up", f"words:{to}", to, "Slides", status=status,
                                      last_error=error) for to, status, error in rows)
        db.session.commit()
    page = text_of(client.get("/admin/mail").text)
    for phrase in ("Queued", "Sent", "Bounced", "the address does not exist (5.1.1",
                   "mailbox full (5.2.2", "refused as spam or by policy (5.7.1", "Failed",
                   "554 transaction failed", "Not sent this address bounced on 3 Dec"):
        assert phrase in page, phrase
    with app.app_context():
        bounced = db.session.scalar(sa.select(OutboxMessage.id).where(
            OutboxMessage.recipient == "full@example.org"))
    one = text_of(client.get(f"/admin/mail/{bounced}").text)
    assert "Status Bounced" in one and "Why mailbox full (5.2.2 mailbox over quota)" in one
    assert "Not sent" in text_of(client.get("/admin/mail?status=suppressed").text)


def test_a_follow_ups_page_lists_each_recipient_with_their_status(smtp_app, client):
    log_in(client, smtp_app)
    event, people, resources = setup_event(smtp_app)
    make_booking(smtp_app, event, name="Bad Address", email="bad@example.org",
                 checked_in_at=people["came"].checked_in_at)
    make_booking(smtp_app, event, name="Held Back", email="held@example.org",
                 checked_in_at=people["came"].checked_in_at)
    suppress_address(smtp_app, "held@example.org")
    page_url = compose(client, event, resources.values())
    client.post(page_url + "/send")
    deliver(smtp_app)
    set_status(smtp_app, "bad@example.org", "bounced", "5.1.1 user unknown")  # days later

    page = text_of(client.get(page_url).text)
    assert "Recipients" in page
    assert "Came Along <came@example.org> Sent" in page
    assert "Bad Address <bad@example.org> Bounced the address does not exist" in page
    assert "Held Back <held@example.org> Not sent this address bounced on" in page
    assert "Bounced 1" in page and "Not sent 1" in page and "Sent 1" in page


def test_the_organiser_sees_a_warning_on_a_booking_whose_address_is_suppressed(
        smtp_app, client, smtp_server):
    event = make_event(smtp_app)
    suppress_address(smtp_app, "Ada@Example.org")
    book(client, event)
    deliver(smtp_app)
    assert len(outbox(smtp_app, "booking_confirmed")) == 1
    log_in(client, smtp_app)
    make_booking(smtp_app, event, name="Fine Address", email="fine@example.org")

    page = text_of(client.get(f"/admin/events/{event.slug}/bookings").text)
    assert page.count("Email problem:") == 1
    assert "Email problem: this address bounced on" in page
    assert "Booking emails are tried once" in page
