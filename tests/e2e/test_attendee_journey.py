"""An attendee on a phone books, gets the confirmation and calendar file, cancels from the
email, and the first person on the waiting list is promoted and told.

Everything is real: gunicorn, the outbox worker, an SMTP server, Chromium.
"""
from __future__ import annotations

import re

import icalendar
import pytest
from playwright.sync_api import expect

from tests.factories import attach_speaker, make_event, make_speaker

pytestmark = pytest.mark.e2e


def mail_to(smtp_server, address: str, count: int = 1):
    """Wait until `count` messages have reached this address; return them in order."""
    return smtp_server.wait_for(count, timeout=30, to=address)


def book(page, base_url: str, event_title: str, name: str, email: str, button: str):
    page.goto(base_url + "/")
    page.get_by_role("link", name=event_title).click()
    page.get_by_role("link", name=button).click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Organisation").fill("Northfield County Council")
    page.get_by_label("Job title").fill("Commissioner")
    page.get_by_role("button", name=button).click()
    outcome = ("You have a place" if button == "Book a place"
               else re.compile(r"You are number \d+ on the waiting list"))
    expect(page.get_by_role("heading", name=outcome)).to_be_visible()


def test_book_cancel_from_email_and_promote(app, smtp_server, site_with_mail, page, browser):
    event = make_event(app, title="Spinning out mutuals", capacity=1)
    attach_speaker(app, event, make_speaker(app, name="Amara Okafor"), role="chair")

    book(page, site_with_mail, "Spinning out mutuals", "Asha Attendee", "asha@example.org",
         "Book a place")
    (confirmation,) = mail_to(smtp_server, "asha@example.org")
    assert "Spinning out mutuals" in confirmation["Subject"]
    invite = next(part for part in confirmation.iter_attachments()
                  if part.get_content_type() == "text/calendar")
    (vevent,) = icalendar.Calendar.from_ical(invite.get_content()).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Spinning out mutuals"
    assert vevent.decoded("DTSTART") == event.starts_at

    waiting_page = browser.new_page(viewport={"width": 390, "height": 844})
    book(waiting_page, site_with_mail, "Spinning out mutuals", "Wale Waiting",
         "wale@example.org", "Join the waiting list")
    (waiting,) = mail_to(smtp_server, "wale@example.org")
    assert "waiting list" in waiting.get_body(("plain",)).get_content().lower()

    text = confirmation.get_body(("plain",)).get_content()
    manage_link = re.search(r"http://127\.0\.0\.1:\d+/bookings/\S+", text).group(0)
    page.goto(manage_link)
    page.get_by_role("link", name="Cancel my booking").click()
    page.get_by_role("button", name="Yes, cancel your booking").click()
    expect(page.get_by_text("Your booking is cancelled").first).to_be_visible()

    messages = mail_to(smtp_server, "wale@example.org", count=2)
    assert len(messages) == 2
    promoted = messages[1]
    assert "place" in promoted["Subject"].lower()
    assert any(part.get_content_type() == "text/calendar"
               for part in promoted.iter_attachments())
    cancelled = mail_to(smtp_server, "asha@example.org", count=2)
    assert len(cancelled) == 2 and "cancel" in cancelled[1]["Subject"].lower()
    page.goto(f"{site_with_mail}/events/{event.slug}")
    expect(page.get_by_text("Fully booked").first).to_be_visible()
    waiting_page.close()
