"""The organiser's desk in a real browser, on a phone (390 px) and a laptop (1366×900):
the bookings page fits with no sideways scroll, cancelling asks first on its own page,
ticked bookings are checked in or emailed, drafts are shown to organisers only, and an
event is duplicated. axe-core finds nothing serious on the new pages.

Set SAVE_SCREENS=1 to write the bookings page's screenshots to docs/screens/.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from eventsite.database import utcnow
from tests.conftest import PASSWORD, outbox
from tests.e2e.conftest import PHONE, browser_page
from tests.e2e.test_accessibility import serious_violations
from tests.factories import attach_speaker, make_booking, make_event, make_organiser, make_speaker

pytestmark = pytest.mark.e2e

LAPTOP = {"viewport": {"width": 1366, "height": 900}}
SIZES = {"390": PHONE, "1366": LAPTOP}
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
LONG_NAMES = [
    "Maximiliana Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh",
    "Dr Siobhán Ní Bhriain-MacGiolla Phádraig",
    "Oluwaseun Adebayo-Okonkwo",
]


@pytest.fixture(params=list(SIZES), ids=lambda size: f"{size}px")
def desk(request, app, browser, live_server):
    """A logged-in organiser's browser of the given width, and a busy event."""
    event = make_event(app, title="Spinning out mutuals: what councils learnt the hard way",
                       slug="spinning-out", capacity=30, organiser_email="olive@example.org")
    for n in range(28):
        long = LONG_NAMES[n % len(LONG_NAMES)]
        make_booking(app, event, name=f"{long} {n}" if n < 6 else f"Alex Attendee{n}",
                     email=(f"{long.split()[0].lower()}.with.a.very.long.address.{n}"
                            "@a-rather-long-council-domain.gov.uk"),
                     organisation="Royal Borough of Kensington and Chelsea Adult Social Care",
                     job_title="Head of Commissioning and Market Development",
                     access_needs="Step-free access and a hearing loop, please; vegetarian"
                     if n % 4 == 0 else "",
                     created_at=utcnow() - timedelta(days=28 - n))
    make_booking(app, event, name="Cara Checkedin", checked_in_at=utcnow())
    make_booking(app, event, name="Wendy Waiting", status="waiting", confirmed_at=None)
    make_organiser(app, email="olive@example.org", password=PASSWORD)
    with browser_page(browser, **SIZES[request.param]) as page:
        page.goto(live_server + "/admin/login")
        page.get_by_label("Email").fill("olive@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/admin/")
        yield page, live_server, event, request.param


def sideways_overflow(page) -> dict[str, int]:
    """How far the page, or any table inside its scrolling box, is wider than it shows."""
    return page.evaluate("""() => {
        const found = {};
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth) found.page = root.scrollWidth - root.clientWidth;
        document.querySelectorAll('.table-wrap').forEach((box, i) => {
            if (box.scrollWidth > box.clientWidth) found['table ' + i] = box.scrollWidth - box.clientWidth;
        });
        document.querySelectorAll('main button, main .button').forEach((button, i) => {
            const r = button.getBoundingClientRect();
            if (r.width && r.right > root.clientWidth + 0.5) found['button ' + button.textContent.trim()] = Math.round(r.right - root.clientWidth);
        });
        return found;
    }""")


def test_bookings_page_fits_with_no_sideways_scroll(desk, tmp_path):
    page, base, event, size = desk
    page.goto(f"{base}/admin/events/{event.slug}/bookings")
    expect(page.get_by_text(LONG_NAMES[0] + " 0", exact=True)).to_be_visible()
    assert sideways_overflow(page) == {}
    folder = SCREENS if os.environ.get("SAVE_SCREENS") else tmp_path
    page.evaluate("window.scrollTo(0, document.getElementById('list-heading').offsetTop - 8)")
    page.screenshot(path=str(folder / f"bookings-{size}.png"))
    assert serious_violations(page) == []


def test_cancelling_asks_first_on_its_own_page(desk):
    page, base, event, _ = desk
    page.goto(f"{base}/admin/events/{event.slug}/bookings")
    row = page.locator("tr", has_text="Alex Attendee10")
    row.get_by_role("link", name="Cancel…").click()
    expect(page.get_by_role("heading", name="Cancel Alex Attendee10's booking?")).to_be_visible()
    expect(page.get_by_text("will be emailed that their booking is cancelled")).to_be_visible()
    expect(page.get_by_text("Wendy Waiting, first on the waiting list, will be given the "
                            "place")).to_be_visible()
    assert sideways_overflow(page) == {}
    assert serious_violations(page) == []
    page.get_by_role("button", name="Cancel the booking").click()
    expect(page.get_by_text("Alex Attendee10's booking is cancelled")).to_be_visible()
    expect(page.get_by_text("Wendy Waiting moves off the waiting list")).to_be_visible()

    page.goto(f"{base}/admin/events/{event.slug}/bookings")
    page.locator("tr", has_text="Cara Checkedin").get_by_role("link", name="Cancel…").click()
    expect(page.get_by_text("Cara Checkedin is checked in, so their booking cannot be "
                            "cancelled.")).to_be_visible()
    assert page.get_by_role("button", name="Cancel the booking").count() == 0
    assert serious_violations(page) == []


def test_tick_several_to_check_in_or_email_them(app, desk):
    page, base, event, _ = desk
    page.goto(f"{base}/admin/events/{event.slug}/bookings")
    page.get_by_label("Tick Alex Attendee7", exact=True).check()
    page.get_by_label("Tick Alex Attendee8", exact=True).check()
    page.locator("#bulk").get_by_role("button", name="Check in").click()
    expect(page.get_by_text("2 people checked in.")).to_be_visible()
    expect(page.locator("tr", has_text="Alex Attendee7").get_by_text("Checked in")).to_be_visible()

    page.get_by_label("Tick Alex Attendee11", exact=True).check()
    page.get_by_label("Tick Wendy Waiting", exact=True).check()
    page.get_by_role("button", name="Email them…").click()
    expect(page.get_by_role("heading", name="Email 2 people about")).to_be_visible()
    assert sideways_overflow(page) == {}
    assert serious_violations(page) == []
    page.get_by_label("Subject").fill("The room has changed")
    page.get_by_label("Message").fill("We are now in Room 5, one floor up.")
    page.get_by_role("button", name="Send to 2 people").click()
    expect(page.get_by_text("Your email to 2 people is on its way.")).to_be_visible()
    sent = outbox(app, "organiser_message")
    assert sorted(message.subject for message in sent) == ["The room has changed"] * 2
    assert all("Room 5, one floor up" in message.body_text for message in sent)


def test_ticking_works_without_script(app, browser, live_server):
    event = make_event(app, slug="no-script")
    make_booking(app, event, name="Nora Noscript")
    make_organiser(app, email="olive@example.org", password=PASSWORD)
    with browser_page(browser, java_script_enabled=False, **PHONE) as page:
        page.goto(live_server + "/admin/login")
        page.get_by_label("Email").fill("olive@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{live_server}/admin/events/{event.slug}/bookings")
        page.get_by_label("Tick Nora Noscript").check()
        page.locator("#bulk").get_by_role("button", name="Check in").click()
        expect(page.get_by_text("1 person checked in.")).to_be_visible()


def test_a_draft_is_shown_to_organisers_with_a_banner_and_to_nobody_else(app, desk, browser):
    page, base, _, _ = desk
    draft = make_event(app, title="Not announced yet", slug="not-yet", published=False)
    page.goto(f"{base}/events/{draft.slug}")
    expect(page.get_by_text("Draft: only organisers can see this.")).to_be_visible()
    expect(page.get_by_role("heading", name="Not announced yet")).to_be_visible()
    assert sideways_overflow(page) == {}
    assert serious_violations(page) == []
    with browser_page(browser, **PHONE) as stranger:
        response = stranger.goto(f"{base}/events/{draft.slug}")
        assert response.status == 404
        assert stranger.get_by_text("Not announced yet").count() == 0


def test_duplicate_an_event_as_a_draft_and_open_its_edit_form(app, desk):
    page, base, event, _ = desk
    attach_speaker(app, event, make_speaker(app, name="Cho Chair"), role="chair")
    page.goto(f"{base}/admin/events/{event.slug}/bookings")
    page.get_by_role("link", name="Duplicate").click()
    expect(page.get_by_text("Fill in the new dates; nothing is saved until you "
                            "do.")).to_be_visible()
    expect(page.get_by_label("Venue", exact=True)).to_have_value("Meeting Room 4")
    expect(page.get_by_label("Starts")).to_have_value("")
    assert serious_violations(page) == []
    starts = utcnow() + timedelta(days=60)
    page.get_by_label("Title", exact=True).fill("Spinning out mutuals, the sequel")
    page.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Ends").fill(starts.strftime("%Y-%m-%dT11:30"))
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_text("is saved as a draft")).to_be_visible()
    expect(page.get_by_role("heading", name="Edit Spinning out mutuals, the "
                            "sequel")).to_be_visible()
    assert not page.get_by_label("Published").is_checked()
    page.get_by_role("navigation", name="This event").get_by_role("link", name="Speakers").click()
    expect(page.locator("td", has_text="Chair").first).to_be_visible()
