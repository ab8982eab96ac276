"""What a person sees on a phone (390 px) and a laptop (1366 px): the outcome after
booking, the footer at the bottom of short pages, and the message after saving in view."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import browser_page
from tests.factories import make_booking, make_event, make_organiser

pytestmark = pytest.mark.e2e

PASSWORD = "a long enough password"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 900}}
SCREENS = pytest.mark.parametrize("screen", [PHONE, LAPTOP], ids=["390", "1366"])


def book(page, base_url: str, event, email: str) -> None:
    page.goto(f"{base_url}/events/{event.slug}")
    page.locator("p.actions a.button").first.click()
    page.get_by_label("Name").fill("Asha Attendee")
    page.get_by_label("Email").fill(email)
    page.locator("form button[type=submit]").click()


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@SCREENS
def test_the_booker_is_told_their_outcome_and_a_stranger_nothing_more(app, live_server,
                                                                      browser, screen):
    event = make_event(app, title="Spinning out mutuals", capacity=1)
    with browser_page(browser, **screen) as page:
        book(page, live_server, event, "asha@example.org")
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("You have a place")
        assert in_view(page, heading)
    with browser_page(browser, **screen) as page:
        book(page, live_server, event, "wale@example.org")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "You are number 1 on the waiting list")
    with browser_page(browser, **screen) as stranger:  # types Asha's address again
        book(stranger, live_server, event, "asha@example.org")
        # told what anyone booking now is told; only Asha's email says she has a place
        expect(stranger.get_by_role("heading", level=1)).to_have_text(
            "You are number 2 on the waiting list")
        assert "You have a place" not in stranger.content()


@SCREENS
def test_the_footer_sits_at_the_bottom_of_short_pages(app, live_server, browser, screen):
    event = make_event(app)
    with browser_page(browser, **screen) as page:
        for path in ("/admin/login", f"/events/{event.slug}/book/thanks", "/no-such-page"):
            page.goto(live_server + path)
            footer = page.locator("footer.site-footer").bounding_box()
            # The page is at least the window's height, and the footer ends it.
            page_height = page.evaluate("document.documentElement.scrollHeight")
            assert page_height >= page.viewport_size["height"], path
            assert abs(footer["y"] + footer["height"] - page_height) <= 1, path
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= page.viewport_size["width"], path


@SCREENS
def test_the_message_after_saving_is_in_view(app, live_server, browser, screen):
    make_organiser(app, email="olive@example.org", password=PASSWORD)
    event = make_event(app, title="Spinning out mutuals", starts_in=timedelta(days=-1))
    make_booking(app, event)
    with browser_page(browser, **screen) as page:
        page.goto(live_server + "/admin/login")
        page.get_by_label("Email").fill("olive@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{live_server}/admin/events/{event.slug}/follow-ups")
        page.get_by_label("Subject").fill("Slides")
        page.get_by_label("Message").fill("Thank you for coming. The **slides** are below.")
        page.get_by_role("button", name=re.compile("Save")).click()
        flash = page.get_by_text("Follow-up saved.")
        expect(flash).to_be_visible()
        assert in_view(page, flash)
        preview = page.frame_locator("iframe.email-frame")
        expect(preview.locator("strong", has_text="slides")).to_be_visible()
