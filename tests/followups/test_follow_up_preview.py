"""The follow-up preview as people will see it, sizes in words people read, and no
"thank you for coming" before anyone has come without the organiser saying so."""
from __future__ import annotations

from datetime import timedelta

import pytest

from eventsite.followups.timing import THANKS_FOR_COMING
from eventsite.web.text import file_size
from tests.conftest import log_in, outbox
from tests.factories import make_booking, make_event, make_resource
from tests.followups.test_followups import store_file

KB = 1024
MB = 1024 * KB


@pytest.mark.parametrize(("size", "words"), [
    (0, "0 bytes"), (1, "1 byte"), (812, "812 bytes"), (KB, "1 KB"), (340 * KB, "340 KB"),
    (MB - 100, "1 MB"), (int(2.4 * MB), "2.4 MB"), (5 * MB, "5 MB"), (12 * MB, "12 MB"),
])
def test_file_sizes_read_as_people_say_them(size, words):
    assert file_size(size) == words
    assert "0.0 MB" not in file_size(size)


def compose(client, event, message, resources=(), subject="Slides"):
    response = client.post(f"/admin/events/{event.slug}/follow-ups", data={
        "subject": subject, "message": message, "audience": "confirmed",
        "resources": [str(r.id) for r in resources]})
    assert response.status_code == 302, response.text
    return response.location


def small_file(app, event, size: int):
    store_file(app, "notes.pdf", b"%PDF-1.7\n" + b"x" * (size - 9))
    return make_resource(app, event, title="Notes", url=None, filename="notes.pdf",
                         stored_name="notes.pdf", content_type="application/pdf", size=size)


def test_the_preview_shows_the_email_with_its_markdown_rendered(app, client):
    log_in(client, app)
    event = make_event(app, starts_in=timedelta(days=-1))
    make_booking(app, event)
    resource = small_file(app, event, 340 * KB)
    page_url = compose(client, event, "Thank you for coming.\n\nThe **slides** are below.",
                       [resource])
    page = client.get(page_url).text
    frame_url = page_url + "/preview.html"
    assert f'<iframe class="email-frame" src="{frame_url}" sandbox' in page
    assert "notes.pdf (340 KB)" in page
    assert "0.0 MB" not in page
    email = client.get(frame_url)
    assert "frame-ancestors 'self'" in email.headers["Content-Security-Policy"]
    assert "sandbox" in email.headers["Content-Security-Policy"]
    assert email.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "The <strong>slides</strong> are below." in email.text
    assert "**slides**" not in email.text
    assert "notes.pdf (340 KB)" in email.text


def test_the_preview_cleans_the_markdown_as_everywhere_else(app, client):
    log_in(client, app)
    event = make_event(app, starts_in=timedelta(days=-1))
    page_url = compose(client, event, 'Hello <script>alert(1)</script>[x](javascript:alert(1))')
    email = client.get(page_url + "/preview.html").text
    assert "<script>" not in email and "javascript:" not in email


def test_thanks_for_coming_before_the_event_needs_a_tick_to_send(app, client):
    log_in(client, app)
    event = make_event(app, starts_in=timedelta(days=2))
    make_booking(app, event, email="early@example.org")
    page_url = compose(client, event, "Thanks for attending! The slides are attached.")
    page = client.get(page_url).text
    assert "This follow-up thanks people for coming, but the event has not started yet" in page
    assert 'name="before_start" value="yes" required' in page

    refused = client.post(page_url + "/send", follow_redirects=True)
    assert "Nothing was sent: this follow-up thanks people for coming" in refused.text
    assert outbox(app, "follow_up") == []

    sent = client.post(page_url + "/send", data={"before_start": "yes"}, follow_redirects=True)
    assert "on its way to 1 person" in sent.text
    assert len(outbox(app, "follow_up")) == 1


@pytest.mark.parametrize(("starts_in", "message"), [
    (timedelta(days=2), "The slides for next week's session are attached."),
    (timedelta(days=-1), "Thank you for coming."),
])
def test_other_follow_ups_send_without_the_extra_step(app, client, starts_in, message):
    log_in(client, app)
    event = make_event(app, starts_in=starts_in)
    make_booking(app, event)
    page_url = compose(client, event, message, subject="Resources")
    assert 'name="before_start"' not in client.get(page_url).text
    assert "on its way to 1 person" in client.post(page_url + "/send",
                                                   follow_redirects=True).text


@pytest.mark.parametrize("words", [
    "Thank you for coming", "thanks to everyone who came", "Many thanks for joining us",
    "It was great to see you all", "Thank you all for taking part",
])
def test_the_rule_knows_thanks_for_coming_when_it_reads_it(words):
    assert THANKS_FOR_COMING.search(words)


@pytest.mark.parametrize("words", [
    "Thanks for booking", "Looking forward to seeing you", "Thank you. Slides for anyone coming",
])
def test_the_rule_leaves_other_thanks_alone(words):
    assert not THANKS_FOR_COMING.search(words)
