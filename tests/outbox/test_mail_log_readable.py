"""The mail log as people read it: names decoded, times in the event's timezone (or the
site's, SITE_TIMEZONE), in the organiser area's format."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from config import ConfigError, from_environment
from eventsite.extensions import db
from eventsite.outbox.messages import mailbox
from tests.conftest import log_in, outbox
from tests.factories import make_event, outbox_row


def test_names_are_decoded_and_times_are_in_the_events_timezone(app, client):
    log_in(client, app)
    event = make_event(app, timezone="America/New_York")
    client.post(f"/admin/events/{event.slug}/bookings/new", data={
        "name": "Zoë Ndlovu-Łukasiewicz", "email": "zoe@example.org", "wants_followup": "y"})
    message, = outbox(app, "booking_confirmed")
    assert "=?utf-8?" in message.recipient  # as the header is written

    page = client.get("/admin/mail").text
    assert "=?utf-8?" not in page.lower()
    assert "Zoë Ndlovu-Łukasiewicz<br><span class=\"muted\">zoe@example.org</span>" in page
    local = message.created_at.astimezone(ZoneInfo("America/New_York"))
    assert f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} {local:%Z}" in page  # EST/EDT
    assert "Times are UTC" not in page

    detail = client.get(f"/admin/mail/{message.id}").text
    assert "Zoë Ndlovu-Łukasiewicz &lt;zoe@example.org&gt;" in detail
    assert "=?utf-8?" not in detail.lower()
    assert re.search(r"<dt>Queued</dt><dd>\w+day \d+ \w+ \d{4}, \d\d:\d\d E[SD]T</dd>", detail)


def test_mail_about_no_event_uses_the_sites_timezone(app, client):
    log_in(client, app)
    app.config["SITE_TIMEZONE"] = "Asia/Tokyo"
    with app.app_context():
        row = outbox_row("organiser_test", "no-event", mailbox("Åsa Öberg", "asa@example.org"),
                         "Hello", created_at=datetime(2030, 1, 5, 23, 30, tzinfo=timezone.utc))
        db.session.add(row)
        db.session.commit()
    page = client.get("/admin/mail").text
    assert "Åsa Öberg" in page
    assert "Sunday 6 January 2030, 08:30 JST" in page


def test_site_timezone_defaults_to_london_and_refuses_a_made_up_zone():
    assert from_environment({"SECRET_KEY": "x"})["SITE_TIMEZONE"] == "Europe/London"
    assert from_environment({"SITE_TIMEZONE": "Asia/Tokyo"})["SITE_TIMEZONE"] == "Asia/Tokyo"
    with pytest.raises(ConfigError, match="SITE_TIMEZONE must be a timezone"):
        from_environment({"SITE_TIMEZONE": "Mars/Olympus"})
