"""At the door, in a real browser on a phone (390 px) and a laptop (1366 px): the QR code
in a real confirmation email, read back with a real decoder, opens the person for a
logged-in organiser and the login page for a stranger; the door list searches as you
type, checks in with one tap, counts (following other phones), filters and undoes;
walk-ins are added, over capacity only after confirming. axe-core finds nothing serious
on the new pages.

With SCREENS_DIR set (`SCREENS_DIR=docs/screens`), the door list and the check-in page
are saved there as PNGs, as README.md shows them.
"""
from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from eventsite.bookings.attendance import check_in_booking
from eventsite.extensions import db
from eventsite.models import Booking
from tests.conftest import gunicorn_server
from tests.e2e.conftest import browser_page
from tests.e2e.test_accessibility import serious_violations
from tests.factories import make_booking, make_event, make_organiser

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
              "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1366, "height": 900}},
}
WIDTH = {"phone": 390, "laptop": 1366}


@pytest.fixture
def door_site(app):
    """The site under gunicorn: one worker is plenty for one organiser at the door."""
    with gunicorn_server(app, workers=1, threads=4) as base_url:
        yield base_url


@pytest.fixture(params=["phone", "laptop"])
def screen(request, browser):
    """A fresh browser session on a phone-sized or a laptop-sized screen."""
    with browser_page(browser, **SCREENS[request.param]) as page:
        page.screen_name = request.param
        yield page


def save_screen(page, name: str) -> None:
    folder = os.environ.get("SCREENS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{WIDTH[page.screen_name]}.png"),
                        full_page=True)


def log_in(page, base_url: str) -> None:
    page.get_by_label("Email").fill("olive@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def qr_code_url(message) -> str:
    """The address in the QR code shown inline in the email, read by zxing-cpp."""
    [png] = [part.get_payload(decode=True) for part in message.walk()
             if part.get_content_type() == "image/png"
             and part.get_content_disposition() == "inline"]
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return barcode.text


def test_the_qr_code_in_the_email_checks_the_person_in(app, smtp_server, site_with_mail,
                                                       screen, browser):
    page, base_url = screen, site_with_mail
    make_event(app, title="Spinning out mutuals", slug="spinning-out", capacity=10,
               starts_in=timedelta(hours=1))
    make_organiser(app, email="olive@example.org", password=PASSWORD)
    page.goto(f"{base_url}/events/spinning-out/book")
    page.get_by_label("Name").fill("Asha Attendee")
    page.get_by_label("Email").fill("asha@example.org")
    page.get_by_label("Organisation").fill("Northfield County Council")
    page.get_by_label("Access or dietary needs").fill("Vegetarian")
    page.get_by_role("button", name="Book a place").click()
    (confirmation,) = smtp_server.wait_for(1, timeout=30, to="asha@example.org")
    url = qr_code_url(confirmation)
    assert url.startswith(f"{base_url}/admin/check-in/")
    reference = confirmation["Subject"].rsplit("(", 1)[1].rstrip(")")
    assert reference in confirmation.get_body(("html",)).get_content()

    with browser_page(browser, **SCREENS[page.screen_name]) as attendee:
        attendee.screen_name = page.screen_name
        text = confirmation.get_body(("plain",)).get_content()
        attendee.goto(re.search(r"http://127\.0\.0\.1:\d+/bookings/\S+", text).group(0))
        code = attendee.get_by_role("img", name=f"QR code for checking in: {reference}")
        expect(code).to_be_visible()
        assert code.bounding_box()["width"] >= 150
        expect(attendee.get_by_role("region", name="At the door").locator(".reference"))\
            .to_have_text(reference)
        fits_the_screen(attendee)
        save_screen(attendee, "booking")

    with browser_page(browser, **SCREENS[page.screen_name]) as stranger:
        stranger.goto(url)
        expect(stranger.get_by_role("heading", name="Organiser login")).to_be_visible()
        assert stranger.get_by_text("Asha Attendee").count() == 0

    page.goto(url)  # the organiser's phone: log in, and land on the person
    log_in(page, base_url)
    expect(page.get_by_role("heading", name="Asha Attendee")).to_be_visible()
    expect(page.get_by_text("Northfield County Council")).to_be_visible()
    expect(page.get_by_text("Vegetarian")).to_be_visible()
    expect(page.get_by_text("Not checked in yet")).to_be_visible()
    fits_the_screen(page)
    assert serious_violations(page) == []
    save_screen(page, "check-in")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Asha Attendee is checked in.")).to_be_visible()
    expect(page.get_by_text("Already checked in at")).to_be_visible()
    assert serious_violations(page) == []


def door_event(app):
    event = make_event(app, title="Spinning out mutuals", slug="spinning-out", capacity=4)
    for name, organisation in (("Ada Lovelace", "Analytical Engines"),
                               ("Zoë Ndlovu", "Brightwater Mutual"),
                               ("Bob Brown", "Northfield County Council"),
                               ("Siobhán Ó Briain", "Comhairle Cathrach")):
        make_booking(app, event, name=name, organisation=organisation,
                     access_needs="Step-free access" if name == "Bob Brown" else "")
    make_booking(app, event, name="Wale Waiting", status="waiting", confirmed_at=None)
    make_organiser(app, email="olive@example.org", password=PASSWORD)
    return event


def row(page, name: str):
    return page.locator("#door-list li").filter(has_text=name)


def test_the_door_list_searches_checks_in_counts_filters_and_undoes(app, door_site, screen):
    page = screen
    door_event(app)
    page.goto(f"{door_site}/admin/events/spinning-out/door")
    log_in(page, door_site)
    count = page.locator("#door-count")
    expect(count).to_have_text("0 of 4 here")
    names = page.locator("#door-list li:visible .door-person strong").all_inner_texts()
    assert names == ["Siobhán Ó Briain", "Bob Brown", "Ada Lovelace", "Zoë Ndlovu"]
    assert page.get_by_role("button", name="Cancel").count() == 0
    fits_the_screen(page)

    page.get_by_label("Search by name, organisation or reference").press_sequentially("lovel")
    expect(page.locator("#door-list li:visible")).to_have_count(1)
    expect(row(page, "Ada Lovelace")).to_be_visible()
    page.get_by_role("button", name="Check in Ada Lovelace").click()
    expect(row(page, "Ada Lovelace").get_by_text("Here")).to_be_visible()
    expect(count).to_have_text("1 of 4 here")
    expect(page.locator("#door-last")).to_have_text(re.compile("Ada Lovelace is checked in."))
    expect(page.get_by_label("Search by name, organisation or reference")).to_have_value("")
    assert page.url.endswith("/door")  # no page was loaded

    page.get_by_role("button", name="Check in Bob Brown").click()
    expect(count).to_have_text("2 of 4 here")
    page.get_by_role("button", name="Undo").click()
    expect(count).to_have_text("1 of 4 here")
    expect(page.get_by_role("button", name="Check in Bob Brown")).to_be_visible()
    expect(page.locator("#door-last")).to_be_hidden()

    page.get_by_label("Not arrived yet").check()
    expect(row(page, "Ada Lovelace")).to_be_hidden()
    expect(page.locator("#door-list li:visible")).to_have_count(3)
    page.get_by_label("Not arrived yet").uncheck()

    page.reload()  # what the server says matches what the script showed
    expect(count).to_have_text("1 of 4 here")
    expect(row(page, "Ada Lovelace").get_by_text("Here")).to_be_visible()
    expect(page.get_by_role("heading", name="On the waiting list, without a place")).to_be_visible()
    fits_the_screen(page)
    assert serious_violations(page) == []
    save_screen(page, "door-list")

    check_in_elsewhere(app, "Zoë Ndlovu")  # another phone at the door
    expect(count).to_have_text("2 of 4 here", timeout=20_000)
    expect(row(page, "Zoë Ndlovu").get_by_text("Here")).to_be_visible()


def check_in_elsewhere(app, name: str) -> None:
    """Check someone in as another organiser's phone would, behind this page's back."""
    with app.app_context():
        check_in_booking(db.session.scalars(sa.select(Booking).where(Booking.name == name)).one())
        db.session.commit()


def test_walk_ins_and_over_capacity_after_confirming(app, door_site, screen):
    page = screen
    door_event(app)
    page.goto(f"{door_site}/admin/events/spinning-out/door")
    log_in(page, door_site)

    page.get_by_label("Name", exact=True).fill("Walter Walkin")
    page.get_by_role("button", name="Add and check in").click()
    expect(page.get_by_role("heading", name="The event is full")).to_be_visible()
    assert page.get_by_text("Walter Walkin is added over capacity").count() == 0
    fits_the_screen(page)
    assert serious_violations(page) == []
    page.get_by_role("button", name="Add over capacity: 5 of 4").click()
    expect(page.get_by_text("Walter Walkin is added over capacity as a walk-in and "
                            "checked in.")).to_be_visible()
    expect(page.locator("#door-count")).to_have_text(re.compile(r"^1 of 5 here"))
    expect(row(page, "Walter Walkin").get_by_text("walk-in")).to_be_visible()

    page.get_by_role("button", name="Let in Wale Waiting").click()
    page.get_by_role("link", name="Do not add").click()
    expect(page.locator("#door-count")).to_have_text(re.compile(r"^1 of 5 here"))
    page.get_by_role("button", name="Let in Wale Waiting").click()
    page.get_by_role("button", name="Add over capacity: 6 of 4").click()
    expect(page.get_by_text("Wale Waiting has a place over capacity from the waiting "
                            "list and is checked in.")).to_be_visible()
    expect(page.locator("#door-count")).to_have_text(re.compile(r"^2 of 6 here"))


def test_without_script_the_door_list_search_submits(app, door_site, no_script_page):
    page = no_script_page
    door_event(app)
    page.goto(f"{door_site}/admin/events/spinning-out/door")
    log_in(page, door_site)
    page.get_by_label("Search by name, organisation or reference").fill("brightwater")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=brightwater"))
    expect(page.locator("#door-list li")).to_have_count(1)
    expect(page.locator("#door-list li")).to_have_text(re.compile(r"^\s*Zoë Ndlovu"))
    page.get_by_role("button", name="Check in Zoë Ndlovu").click()
    expect(page.locator("#door-last")).to_have_text(re.compile("Zoë Ndlovu is checked in."))
    expect(page.locator("#door-count")).to_have_text("1 of 4 here")
    fits_the_screen(page)
