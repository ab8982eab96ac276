"""An attendee on a phone answers the event's questions when booking, then changes their
dietary needs from the manage link in their confirmation email.

Everything is real: gunicorn, the outbox worker, an SMTP server, Chromium.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_event, make_question

pytestmark = pytest.mark.e2e


def test_attendee_changes_dietary_needs_from_the_manage_link(app, smtp_server,
                                                              site_with_mail, page):
    event = make_event(app, title="Spinning out mutuals", organiser_email="host@example.org")
    make_question(app, event, "Which breakout?", kind="one_choice",
                  choices=["Housing", "Adult social care"], required=True)

    page.goto(f"{site_with_mail}/events/{event.slug}/book")
    page.get_by_label("Name").fill("Asha Attendee")
    page.get_by_label("Email").fill("asha@example.org")
    page.get_by_label("Access or dietary needs").fill("Vegetarian")
    page.get_by_role("button", name="Book a place").click()
    expect(page.get_by_text("Choose an answer to “Which breakout?”.").first).to_be_visible()
    expect(page.get_by_label("Access or dietary needs")).to_have_value("Vegetarian")
    page.get_by_label("Adult social care").check()
    page.get_by_role("button", name="Book a place").click()
    expect(page.get_by_role("heading", name="You have a place")).to_be_visible()

    (confirmation,) = smtp_server.wait_for(1, timeout=30, to="asha@example.org")
    text = confirmation.get_body(("plain",)).get_content()
    manage_link = re.search(r"http://127\.0\.0\.1:\d+/bookings/\S+", text).group(0)

    page.goto(manage_link)
    expect(page.get_by_text("Adult social care")).to_be_visible()
    page.get_by_role("link", name="Change my details").click()
    needs = page.get_by_label("Access or dietary needs")
    expect(needs).to_have_value("Vegetarian")
    assert page.get_by_label("Adult social care").is_checked()
    needs.fill("Vegan, no nuts")
    page.get_by_role("button", name="Save my changes").click()

    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    expect(page.get_by_text("Vegan, no nuts")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_question_pages_have_no_serious_violations_and_fit_a_phone(app, live_server, page):
    from tests.e2e.test_accessibility import serious_violations
    from tests.factories import make_answer, make_booking, make_organiser
    from tests.questions.test_own_changes import token_for

    event = make_event(app, slug="asked")
    kinds = [("Your council", "short_text", []), ("Anything to ask?", "long_text", []),
             ("Which breakout?", "one_choice", ["Housing", "Care"]),
             ("Which sessions?", "several_choices", ["Morning", "Afternoon"]),
             ("Share with the sponsor?", "yes_no", [])]
    questions = [make_question(app, event, label, kind=kind, choices=choices, required=True,
                               help_text="Help for this question.", shared=kind == "yes_no")
                 for label, kind, choices in kinds]
    booking = make_booking(app, event)
    make_answer(app, booking, questions[2], text="Care")
    token = token_for(app, booking)
    make_organiser(app, email="olive@example.org", password="a long enough password")

    def check(path: str) -> None:
        page.goto(live_server + path)
        assert serious_violations(page) == [], path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"

    check("/events/asked/book")
    page.get_by_role("button", name="Book a place").click()
    expect(page.get_by_text("Choose an answer to “Which breakout?”.").first).to_be_visible()
    assert serious_violations(page) == []
    check(f"/bookings/{token}")
    check(f"/bookings/{token}/edit")
    page.get_by_role("button", name="Save my changes").click()
    expect(page.get_by_text("Enter an answer to “Your council”.").first).to_be_visible()
    assert serious_violations(page) == []

    page.goto(live_server + "/admin/login")
    page.get_by_label("Email").fill("olive@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    check("/admin/events/asked/questions")
    check(f"/admin/events/asked/questions/{questions[2].id}")
    check(f"/admin/events/asked/bookings/{booking.id}")
