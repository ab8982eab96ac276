"""The organiser's mail log: every email with its status, a preview, and retrying failures."""
from __future__ import annotations

import email
import email.policy
import re
import secrets

import pytest

from eventsite.extensions import db
from eventsite.models import Event, OutboxMessage
from eventsite.outbox.messages import Attachment, queue_email
from tests.conftest import audit_actions, by_id, deliver, log_in, outbox
from tests.factories import make_event, queue_messages


def queue_with_html(app, event, html: str) -> int:
    with app.app_context():
        message = queue_email(
            kind="attendee_list", dedupe_key=f"test:{secrets.token_hex(8)}",
            to="Ann Speaker <ann@example.org>", subject="Attendee list: preview test",
            template="attendee_list",
            context={"note": html, "counts": {"confirmed": 3, "waiting": 1, "cancelled": 0},
                     "filename": "list.csv", "generated_at": "now"},
            attachments=[Attachment("list.csv", "text/csv", b"\xef\xbb\xbfreference\r\n")],
            event=db.session.get(Event, event.id),
        )
        db.session.commit()
        return message.id


def test_mail_log_lists_each_message_with_status_attempts_and_last_error(smtp_app, client,
                                                                        smtp_server):
    log_in(client, smtp_app)
    smtp_server.reject_recipient("gone@example.org")
    sent_id, = queue_messages(smtp_app, 1, to="kept@example.org")
    failed_id, = queue_messages(smtp_app, 1, to="gone@example.org")
    deliver(smtp_app)

    page = client.get("/admin/mail").text
    assert "kept@example.org" in page and "gone@example.org" in page
    assert "Sent" in page and "Failed" in page
    assert "550" in page and "no such mailbox" in page
    assert page.index("gone@example.org") < page.index("kept@example.org")  # newest first
    assert f'action="/admin/mail/{failed_id}/retry"' in page
    assert f'action="/admin/mail/{sent_id}/retry"' not in page

    only_failed = client.get("/admin/mail?status=failed").text
    assert "gone@example.org" in only_failed and "kept@example.org" not in only_failed


def test_mail_log_filters_by_event_and_pages(app, client):
    log_in(client, app)
    event, other = make_event(app, title="Spin-out mutuals"), make_event(app)
    queue_with_html(app, event, "for the event")
    queue_messages(app, 55, to="reader{n}@example.org")

    by_event = client.get(f"/admin/mail?event={event.slug}").text
    assert "ann@example.org" in by_event and "reader" not in by_event
    assert "ann@example.org" not in client.get(f"/admin/mail?event={other.slug}").text
    assert "No emails match" in client.get("/admin/mail?event=no-such-event").text

    first = client.get("/admin/mail").text
    assert "reader54@example.org" in first and "reader0@example.org" not in first
    assert "page=2" in first
    second = client.get("/admin/mail?page=2").text
    assert "reader0@example.org" in second and "ann@example.org" in second
    assert client.get("/admin/mail?page=-3&status=nonsense").status_code == 200


def test_retry_requeues_a_failed_message_and_it_is_then_delivered(smtp_app, client,
                                                                  smtp_server):
    log_in(client, smtp_app)
    smtp_server.fail_next(1, permanent=True)
    message_id, = queue_messages(smtp_app, 1, to="later@example.org")
    deliver(smtp_app)
    failed = by_id(outbox(smtp_app))[message_id]
    assert failed.status == "failed" and "554" in failed.last_error

    response = client.post(f"/admin/mail/{message_id}/retry")
    assert response.status_code == 302
    assert "will be sent again" in client.get(response.location).text
    assert by_id(outbox(smtp_app))[message_id].status == "pending"
    assert "email retried" in audit_actions(smtp_app)

    deliver(smtp_app)
    delivered = by_id(outbox(smtp_app))[message_id]
    assert delivered.status == "sent"
    assert smtp_server.message_ids() == [failed.message_id]  # the same Message-ID


def test_retry_every_failed_message(smtp_app, client, smtp_server):
    log_in(client, smtp_app)
    smtp_server.fail_next(2, permanent=True)
    ids = queue_messages(smtp_app, 2)
    deliver(smtp_app)
    assert [row.status for row in by_id(outbox(smtp_app)).values()] == ["failed", "failed"]

    client.post("/admin/mail/retry-failed")
    deliver(smtp_app)

    assert [by_id(outbox(smtp_app))[i].status for i in ids] == ["sent", "sent"]
    assert len(smtp_server.messages) == 2
    assert audit_actions(smtp_app).count("email retried") == 2


def test_retry_of_a_message_that_has_not_failed_changes_nothing(app, client):
    log_in(client, app)
    message_id, = queue_messages(app, 1)
    response = client.post(f"/admin/mail/{message_id}/retry", follow_redirects=True)
    assert "Only a failed email can be sent again" in response.text
    assert by_id(outbox(app))[message_id].status == "pending"
    assert client.post("/admin/mail/999999/retry").status_code == 404


def test_preview_shows_the_text_and_serves_the_html_sandboxed(app, client):
    log_in(client, app)
    event = make_event(app, title="Spin-out mutuals")
    message_id = queue_with_html(app, event, "<script>alert(1)</script> Bring slides")

    page = client.get(f"/admin/mail/{message_id}")
    assert page.status_code == 200
    assert "Attendee list: preview test" in page.text and "ann@example.org" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bring slides" in page.text
    assert "list.csv <span class=\"muted\">(text/csv, 14 bytes)</span>" in page.text
    assert "<script>alert" not in page.text

    html = client.get(f"/admin/mail/{message_id}/html")
    assert html.status_code == 200
    assert html.mimetype == "text/html"
    assert html.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "Spin-out mutuals" in html.text and "<script>alert" not in html.text

    eml = client.get(f"/admin/mail/{message_id}/message.eml")
    parsed = email.message_from_bytes(eml.data, policy=email.policy.default)
    with app.app_context():
        stored = db.session.get(OutboxMessage, message_id)
        assert parsed["Message-ID"] == stored.message_id
        assert eml.data == stored.raw  # exactly what the worker sends
    [csv_file] = parsed.iter_attachments()
    assert csv_file.get_filename() == "list.csv"
    assert csv_file.get_payload(decode=True) == b"\xef\xbb\xbfreference\r\n"
    assert client.get("/admin/mail/424242").status_code == 404


@pytest.mark.parametrize("path", [
    "/admin/mail", "/admin/mail/{id}", "/admin/mail/{id}/html", "/admin/mail/{id}/message.eml",
])
def test_the_mail_log_is_for_organisers_only(app, client, path):
    event = make_event(app)
    message_id = queue_with_html(app, event, "secret note")
    response = client.get(path.format(id=message_id))
    assert response.status_code == 302 and response.location.startswith("/admin/login")
    for action in (f"/admin/mail/{message_id}/retry", "/admin/mail/retry-failed"):
        refused = client.post(action)
        assert refused.status_code == 302 and refused.location.startswith("/admin/login")
    assert not re.search("secret note|ann@example", response.text)
