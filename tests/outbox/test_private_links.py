"""No working manage link at rest: once an email is sent, or has finally failed, nothing
kept in the database opens the booking; the mail log still shows the message."""
from __future__ import annotations

import html

import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import OutboxMessage
from eventsite.outbox.messages import PRIVATE_LINK_NOTE
from tests.conftest import MANAGE_LINK, book, deliver, log_in, manage_token, outbox
from tests.factories import make_event


def everything_stored(app) -> str:
    """Every text and byte value in every table, as one string: what a backup holds."""
    with app.app_context():
        values = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                values += [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                           for v in row]
        return "\n".join(values)


def test_a_sent_confirmation_keeps_no_working_manage_link(smtp_app, smtp_server, client):
    event = make_event(smtp_app)
    book(client, event)
    [queued] = outbox(smtp_app, "booking_confirmed")
    token = manage_token(queued)  # the email to be sent carries it...
    assert token not in queued.body_text + queued.body_html  # ...the mail log never did

    assert deliver(smtp_app).sent == 1
    [received] = smtp_server.received(to="ada@example.org")
    assert token in received.get_body(("plain",)).get_content()  # the attendee has it
    assert client.get(f"/bookings/{token}").status_code == 200  # and it works

    [kept] = outbox(smtp_app, "booking_confirmed")
    assert kept.status == "sent" and not kept.holds_private_links
    assert token not in kept.raw.decode("utf-8", "replace")
    assert PRIVATE_LINK_NOTE in kept.body_text
    assert token not in everything_stored(smtp_app)
    assert not MANAGE_LINK.search(everything_stored(smtp_app))

    log_in(client, smtp_app)
    page = client.get(f"/admin/mail/{kept.id}").text
    assert kept.subject in html.unescape(page) and PRIVATE_LINK_NOTE in html.unescape(page)
    eml = client.get(f"/admin/mail/{kept.id}/message.eml")
    assert eml.status_code == 200 and token.encode() not in eml.data


def test_a_finally_failed_confirmation_keeps_no_working_manage_link(smtp_app, smtp_server,
                                                                    client):
    smtp_server.reject_recipient("ada@example.org")
    event = make_event(smtp_app)
    book(client, event)
    token = manage_token(outbox(smtp_app, "booking_confirmed")[0])

    assert deliver(smtp_app).failed == 1
    [kept] = outbox(smtp_app, "booking_confirmed")
    assert kept.status == "failed" and token not in kept.raw.decode("utf-8", "replace")
    assert token not in everything_stored(smtp_app)


def test_a_message_to_retry_keeps_its_link_until_it_is_sent(smtp_app, smtp_server, client):
    smtp_server.fail_next(1)  # a 4xx: to be tried again
    event = make_event(smtp_app)
    book(client, event)
    token = manage_token(outbox(smtp_app, "booking_confirmed")[0])

    assert deliver(smtp_app).retrying == 1
    [waiting] = outbox(smtp_app, "booking_confirmed")
    assert waiting.status == "pending" and manage_token(waiting) == token
    with smtp_app.app_context():
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=sa.func.now()))
        db.session.commit()
    assert deliver(smtp_app).sent == 1
    assert token in smtp_server.received(to="ada@example.org")[0].get_body(
        ("plain",)).get_content()
    assert token not in everything_stored(smtp_app)
