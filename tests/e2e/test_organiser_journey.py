"""An organiser runs an event from start to finish in a real browser: logs in, creates the
event and its speaker, checks people in at the door, exports the attendee CSV, emails the
attendee list and sends the follow-up, which each attendee receives exactly once.
"""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Event, OutboxStatus
from tests.conftest import outbox, wait_until
from tests.factories import make_booking, make_organiser

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"


def outbox_is_empty(app) -> bool:
    """Nothing queued is waiting to be sent."""
    return all(m.status not in (OutboxStatus.PENDING, OutboxStatus.SENDING) for m in outbox(app))


def create_event(page, base_url: str) -> str:
    page.goto(base_url + "/admin/")
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Title", exact=True).fill("Spinning out mutuals")
    page.get_by_label("Host conference").fill("National Children and Adult Services Conference")
    page.get_by_label("Summary").fill("Council leaders on staff-owned mutuals.")
    page.get_by_label("Description").fill("What works, **what it costs**, what to avoid.")
    starts = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT12:30")
    ends = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT14:00")
    page.get_by_label("Starts").fill(starts)
    page.get_by_label("Ends").fill(ends)
    page.get_by_label("Venue", exact=True).fill("Meeting Room 4")
    page.get_by_label("Address", exact=True).fill("1 Quay Street, Manchester")
    page.get_by_label("Capacity").fill("30")
    page.get_by_label("Organiser contact email").fill("olive@example.org")
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_text("created").first).to_be_visible()
    return page.url.split("/admin/events/", 1)[1].split("/", 1)[0]


def add_speaker(page, base_url: str, slug: str) -> None:
    page.goto(base_url + "/admin/speakers/new")
    page.get_by_label("Name", exact=True).fill("Amara Okafor")
    page.get_by_label("Role", exact=True).fill("Chief Executive")
    page.get_by_label("Organisation").fill("Brightwater Mutual")
    page.get_by_label("Email").fill("amara@example.org")
    page.get_by_role("button", name="Add speaker").click()
    page.goto(f"{base_url}/admin/events/{slug}/speakers")
    page.get_by_label("Speaker", exact=True).select_option(label="Amara Okafor (Brightwater Mutual)")
    page.get_by_label("Role on this event").select_option("chair")
    page.get_by_role("button", name="Save to the programme").click()
    expect(page.get_by_text("Amara Okafor is on the programme")).to_be_visible()


def test_organiser_runs_an_event(app, smtp_server, site_with_mail, desktop_page):
    page, base_url = desktop_page, site_with_mail
    make_organiser(app, email="olive@example.org", password=PASSWORD)

    page.goto(base_url + "/admin/")
    page.get_by_label("Email").fill("olive@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    slug = create_event(page, base_url)
    add_speaker(page, base_url, slug)
    public = page.context.new_page()
    public.goto(f"{base_url}/events/{slug}")
    expect(public.get_by_role("heading", name="Spinning out mutuals")).to_be_visible()
    expect(public.get_by_text("Amara Okafor").first).to_be_visible()
    public.close()

    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
        db.session.expunge(event)
    people = [("Zoë Ndlovu", True), ("Łukasz Nowak", True), ("Sam Absent", True),
              ("No Thanks", False)]
    for name, wants in people:
        make_booking(app, event, name=name, wants_followup=wants,
                     email=name.split()[0].lower().replace("ł", "l").replace("ë", "e")
                     + "@example.org")

    page.goto(f"{base_url}/admin/events/{slug}/bookings")
    for name in ("Zoë Ndlovu", "Łukasz Nowak", "No Thanks"):
        page.get_by_role("row").filter(has_text=name).get_by_role(
            "button", name="Check in").click()
        expect(page.get_by_role("row").filter(has_text=name)
               .get_by_role("button", name="Undo check-in")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["name"] for row in rows] == [name for name, _ in people]
    checked_in = {row["name"] for row in rows if row["checked_in_at"]}
    assert checked_in == {"Zoë Ndlovu", "Łukasz Nowak", "No Thanks"}

    page.get_by_role("link", name="Email attendee list").click()
    page.get_by_label("Amara Okafor").check()
    page.get_by_label("Other addresses").fill("venue@example.org")
    page.get_by_role("button", name="Email the attendee list").click()
    received = smtp_server.wait_for(3, timeout=30)  # the organiser contact is ticked by default
    assert sorted(m["To"] for m in received) == [
        "Amara Okafor <amara@example.org>", "olive@example.org", "venue@example.org"]
    for message in received:
        (attachment,) = list(message.iter_attachments())
        attached = attachment.get_payload(decode=True).decode("utf-8-sig")  # as saved to disk
        attached_rows = list(csv.DictReader(io.StringIO(attached)))
        assert [row["name"] for row in attached_rows] == [name for name, _ in people]

    page.get_by_role("link", name="Follow-ups").click()
    page.get_by_label("Subject").fill("Slides from Spinning out mutuals")
    page.get_by_label("Message").fill("Thank you for coming. The **slides** are below.")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_text("Thank you for coming").first).to_be_visible()
    # The event is ten days away and the text thanks people for coming: sending asks first.
    expect(page.get_by_text("the event has not started yet")).to_be_visible()
    page.get_by_label("Send it before the event anyway").check()
    send = page.get_by_role("button", name="Send to 2 people")
    send_form = send.locator("xpath=ancestor::form")
    action = send_form.get_attribute("action")
    fields = {name: send_form.locator(f"input[name={name}]").input_value()
              for name in send_form.locator("input[type=hidden]").evaluate_all(
                  "inputs => inputs.map(i => i.name)")}
    fields["before_start"] = "yes"
    send.click()
    expect(page.get_by_text("sent", exact=False).first).to_be_visible()
    replay = page.request.post(base_url + action, form=fields)  # the same request again
    assert replay.status < 500
    smtp_server.wait_for(5, timeout=30)
    # The replay has been answered, so anything it queued is in the outbox by now: once
    # nothing is left to send, every email there will ever be has reached the server.
    wait_until(lambda: outbox_is_empty(app), "the outbox worker to send everything queued")
    follow_ups = [m for m in smtp_server.messages
                  if m["Subject"] == "Slides from Spinning out mutuals"]
    assert sorted(m["To"] for m in follow_ups) == [
        "Zoë Ndlovu <zoe@example.org>", "Łukasz Nowak <lukasz@example.org>"]
    for message in follow_ups:
        assert message["List-Unsubscribe"].startswith("<http")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
