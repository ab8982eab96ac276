"""Follow-ups: compose, preview, test to yourself, then send; nobody gets one twice."""
from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsite.bookings.followup_links import unsubscribe_url
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Booking, FollowUp, OutboxMessage
from tests.conftest import audit_actions, deliver, log_in
from tests.factories import make_booking, make_event, make_resource

MB = 1024 * 1024
SMALL_PDF = b"%PDF-1.7\n" + b"small slides " * 100
LARGE_PDF_SIZE = 5 * MB + 1


def store_file(app, stored_name: str, data: bytes) -> None:
    folder = Path(app.config["UPLOAD_FOLDER"], "resources")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / stored_name).write_bytes(data)


def setup_event(app, **event_values):
    """A past event with people in every situation, and a link, a small and a large file."""
    event = make_event(app, title="Spinning out mutuals", starts_in=timedelta(days=-1),
                       **event_values)
    checked_in = utcnow() - timedelta(hours=20)
    people = {
        "came": make_booking(app, event, name="Came Along", email="came@example.org",
                             checked_in_at=checked_in),
        "absent": make_booking(app, event, name="Stayed Home", email="absent@example.org"),
        "said_no": make_booking(app, event, name="No Thanks", email="no@example.org",
                                wants_followup=False, checked_in_at=checked_in),
        "unsubscribed": make_booking(app, event, name="Un Subscribed",
                                     email="unsub@example.org", checked_in_at=checked_in,
                                     followup_unsubscribed_at=utcnow()),
        "waiting": make_booking(app, event, name="Wait Ing", email="wait@example.org",
                                status="waiting", confirmed_at=None),
        "cancelled": make_booking(app, event, name="Can Celled", email="gone@example.org",
                                  status="cancelled", checked_in_at=checked_in),
    }
    store_file(app, "small.pdf", SMALL_PDF)
    store_file(app, "large.pdf", b"%PDF-1.7\n" + b"x" * (LARGE_PDF_SIZE - 9))
    resources = {
        "link": make_resource(app, event, title="The report", url="https://example.org/report"),
        "small": make_resource(app, event, title="Slides", url=None, filename="slides.pdf",
                               stored_name="small.pdf", content_type="application/pdf",
                               size=len(SMALL_PDF), position=1),
        "large": make_resource(app, event, title="Recording notes", url=None,
                               filename="notes.pdf", stored_name="large.pdf",
                               content_type="application/pdf", size=LARGE_PDF_SIZE,
                               position=2),
    }
    return event, people, resources


def compose(client, event, resources, audience="checked_in", **values):
    data = {"subject": "Slides from Spinning out mutuals",
            "message": "Thank you for coming.\n\nThe **slides** are attached.",
            "resources": [str(r.id) for r in resources], "audience": audience, **values}
    response = client.post(f"/admin/events/{event.slug}/follow-ups", data=data)
    assert response.status_code == 302, response.text
    return response.location


def recipients(smtp_server) -> list[str]:
    return sorted(parseaddr(message["To"])[1] for message in smtp_server.messages)


def counts_on(page: str) -> dict[str, int]:
    return {name.lower(): int(value) for name, value in
            re.findall(r"<dt>(Sent|Pending|Failed)</dt><dd>(\d+)</dd>", page)}


def test_follow_up_reaches_only_checked_in_people_who_asked_for_it(smtp_app, client,
                                                                  smtp_server):
    log_in(client, smtp_app)
    event, people, resources = setup_event(smtp_app)
    page_url = compose(client, event, resources.values())
    page = client.get(page_url).text
    assert "Send to 1 person" in page

    response = client.post(page_url + "/send", follow_redirects=True)
    assert "on its way to 1 person" in response.text
    deliver(smtp_app)

    assert recipients(smtp_server) == ["came@example.org"]
    message, = smtp_server.messages
    came = people["came"]
    with smtp_app.app_context():
        link = unsubscribe_url(db.session.get(Booking, came.id))
    assert message["Subject"] == "Slides from Spinning out mutuals"
    assert message["List-Unsubscribe"] == f"<{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Dear Came Along" in text and link in text and link in html
    assert "<strong>slides</strong>" in html
    assert "https://example.org/report" in text and 'href="https://example.org/report"' in html
    large_link = ("https://events.example.org/events/"
                  f"{event.slug}/resources/{resources['large'].id}")
    assert large_link in text and large_link in html
    attachments = {part.get_filename(): part.get_payload(decode=True)
                   for part in message.iter_attachments()}
    assert attachments == {"slides.pdf": SMALL_PDF}  # the large file is linked, not attached

    assert counts_on(client.get(page_url).text) == {"sent": 1, "pending": 0, "failed": 0}
    assert "follow-up sent" in audit_actions(smtp_app)


def test_all_confirmed_audience_leaves_out_those_who_said_no_or_unsubscribed(
        smtp_app, client, smtp_server):
    log_in(client, smtp_app)
    event, _people, resources = setup_event(smtp_app)
    page_url = compose(client, event, [resources["link"]], audience="confirmed")
    client.post(page_url + "/send")
    deliver(smtp_app)
    assert recipients(smtp_server) == ["absent@example.org", "came@example.org"]


def test_sending_again_or_replaying_emails_nobody_twice_but_reaches_newcomers(
        smtp_app, client, smtp_server):
    log_in(client, smtp_app)
    event, people, resources = setup_event(smtp_app)
    page_url = compose(client, event, [resources["link"]])

    client.post(page_url + "/send")
    replay = client.post(page_url + "/send", follow_redirects=True)
    assert "Nobody new to send to" in replay.text
    deliver(smtp_app)
    assert recipients(smtp_server) == ["came@example.org"]

    with smtp_app.app_context():  # someone checked in late, by hand
        db.session.get(Booking, people["absent"].id).checked_in_at = utcnow()
        db.session.commit()
    assert "Send to 1 person" in client.get(page_url).text
    client.post(page_url + "/send")
    client.post(page_url + "/send")
    deliver(smtp_app)

    assert recipients(smtp_server) == ["absent@example.org", "came@example.org"]
    assert counts_on(client.get(page_url).text)["sent"] == 2
    assert "Everyone in the audience has been sent it" in client.get(page_url).text
    with smtp_app.app_context():
        keys = db.session.scalars(sa.select(OutboxMessage.dedupe_key)).all()
        follow_up_id = db.session.scalar(sa.select(FollowUp.id))
    assert sorted(keys) == sorted(f"follow-up:{follow_up_id}:booking:{people[p].id}"
                                  for p in ("came", "absent"))


def test_a_test_goes_only_to_the_organiser_and_is_not_counted(smtp_app, client, smtp_server):
    organiser = log_in(client, smtp_app, "olive@example.org")
    event, _people, resources = setup_event(smtp_app)
    page_url = compose(client, event, [resources["small"]])
    page = client.get(page_url).text
    submission = re.search(r'name="submission" type="hidden" value="([0-9a-f]+)"', page).group(1)

    sent = client.post(page_url + "/test", data={"submission": submission},
                       follow_redirects=True)
    client.post(page_url + "/test", data={"submission": submission})  # a double click
    assert "A test is on its way to you at olive@example.org" in sent.text
    deliver(smtp_app)

    assert recipients(smtp_server) == [organiser.email]
    message, = smtp_server.messages
    assert message["Subject"] == "[Test] Slides from Spinning out mutuals"
    assert "Dear Olive Organiser" in message.get_body(("plain",)).get_content()
    assert [p.get_filename() for p in message.iter_attachments()] == ["slides.pdf"]
    assert counts_on(client.get(page_url).text) == {"sent": 0, "pending": 0, "failed": 0}
    assert audit_actions(smtp_app).count("follow-up test sent") == 1


def test_preview_shows_the_message_as_a_recipient_sees_it(app, client):
    log_in(client, app)
    event, _people, resources = setup_event(app)
    page_url = compose(client, event, resources.values(),
                       message="Thank you.\n\n<script>alert(1)</script> **Bold** words")
    page = client.get(page_url).text
    assert "Dear Olive Organiser" in page and "**Bold** words" in page
    assert "slides.pdf" in page and "<script>alert" not in page

    html = client.get(page_url + "/preview.html")
    assert html.mimetype == "text/html"
    assert html.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "<strong>Bold</strong> words" in html.text and "<script>" not in html.text
    assert "The report" in html.text


def test_bad_input_is_explained_beside_the_field_and_kept(app, client):
    log_in(client, app)
    event, _people, resources = setup_event(app)
    response = client.post(f"/admin/events/{event.slug}/follow-ups", data={
        "subject": "", "message": "Kept message", "audience": "everyone"})
    assert response.status_code == 200
    assert "Give the email a subject." in response.text
    assert "Not a valid choice" in response.text
    assert "Kept message" in response.text

    with app.app_context():  # hide the large file: its link would not open
        db.session.get(type(resources["large"]), resources["large"].id).published = False
        db.session.commit()
    refused = client.post(f"/admin/events/{event.slug}/follow-ups", data={
        "subject": "Slides", "message": "Hello", "audience": "checked_in",
        "resources": [str(resources["large"].id)]})
    assert refused.status_code == 200
    assert re.search(r'id="resources-error">[^<]*Recording notes[^<]*larger than 5 MB',
                     refused.text)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 0


def test_a_sent_follow_up_can_no_longer_be_edited(app, client):
    log_in(client, app)
    event, _people, resources = setup_event(app)
    page_url = compose(client, event, [])
    edited = client.post(page_url + "/edit", data={
        "subject": "Better subject", "message": "Hello", "audience": "confirmed"})
    assert edited.status_code == 302
    assert "Better subject" in client.get(page_url).text
    client.post(page_url + "/send")

    refused = client.post(page_url + "/edit", data={
        "subject": "Changed after", "message": "Hello", "audience": "confirmed"},
        follow_redirects=True)
    assert "can no longer be changed" in refused.text
    assert "Changed after" not in refused.text


def test_a_follow_up_belongs_to_its_event(app, client):
    log_in(client, app)
    event, _people, _resources = setup_event(app)
    other = make_event(app)
    page_url = compose(client, event, [])
    follow_up_id = page_url.rsplit("/", 1)[1]
    elsewhere = f"/admin/events/{other.slug}/follow-ups/{follow_up_id}"
    assert client.get(elsewhere).status_code == 404
    assert client.post(elsewhere + "/send").status_code == 404


@pytest.mark.parametrize(("method", "suffix"), [
    ("GET", ""), ("GET", "/1"), ("GET", "/1/preview.html"), ("GET", "/1/edit"),
    ("POST", "/1/edit"), ("POST", "/1/test"), ("POST", "/1/send"), ("POST", ""),
])
def test_follow_ups_are_for_organisers_only(app, client, method, suffix):
    event = make_event(app)
    response = client.open(f"/admin/events/{event.slug}/follow-ups{suffix}", method=method,
                           data={"subject": "x", "message": "y", "audience": "confirmed"})
    assert response.status_code == 302 and response.location.startswith("/admin/login")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 0
