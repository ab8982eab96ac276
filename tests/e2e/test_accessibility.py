"""axe-core finds no serious or critical problem on any public page."""
from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import attach_speaker, make_event, make_resource, make_speaker

pytestmark = pytest.mark.e2e


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def booking_pages(app, event) -> list[str]:
    """The pages an attendee reaches from their emails: their booking, cancel, unsubscribe."""
    from eventsite.bookings.followup_links import unsubscribe_url
    from eventsite.bookings.services import create_booking
    from eventsite.extensions import db
    from eventsite.models import Event

    with app.app_context():
        result = create_booking(db.session.get(Event, event.id),
                                {"name": "Asha Attendee", "email": "asha@example.org"})
        unsubscribe = unsubscribe_url(result.booking).split("/unsubscribe/", 1)[1]
        db.session.commit()
    return [f"/bookings/{result.token}", f"/bookings/{result.token}/cancel",
            f"/unsubscribe/{unsubscribe}", f"/events/{event.slug}/book/thanks"]


@pytest.fixture
def public_site(app):
    event = make_event(app, title="Spinning out mutuals", slug="spinning-out")
    past = make_event(app, title="One year on", slug="one-year-on",
                      starts_in=timedelta(days=-100))
    speaker = make_speaker(app, name="Amara Okafor", slug="amara-okafor")
    attach_speaker(app, event, speaker, role="chair")
    attach_speaker(app, past, speaker)
    make_resource(app, past, title="Slides")
    return ["/", "/events/spinning-out", "/events/one-year-on", "/speakers/",
            "/speakers/amara-okafor", "/events/spinning-out/book", "/no-such-page",
            "/bookings/not-a-real-link", *booking_pages(app, event)]


def test_public_pages_have_no_serious_accessibility_violations(public_site, live_server, page):
    problems = {}
    for path in public_site:
        page.goto(live_server + path)
        found = serious_violations(page)
        if found:
            problems[path] = found
    assert problems == {}


def test_public_pages_fit_a_phone_screen(public_site, live_server, page):
    for path in public_site:
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"


def test_booking_form_with_errors_has_no_serious_violations(app, live_server, page):
    event = make_event(app, slug="bookable")
    page.goto(f"{live_server}/events/bookable/book")
    assert serious_violations(page) == []
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Book a place").click()
    expect(page.get_by_text("Enter your name.").first).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("not an address")
    assert serious_violations(page) == []
    assert event.slug in page.url


def test_organiser_pages_have_no_serious_violations(app, live_server, desktop_page):
    from tests.factories import make_booking, make_organiser

    page = desktop_page
    event = make_event(app, slug="door-event")
    attach_speaker(app, event, make_speaker(app, name="Amara Okafor"))
    make_booking(app, event, name="Zoë Ndlovu")
    make_organiser(app, email="olive@example.org", password="a long enough password")
    page.goto(live_server + "/admin/login")
    assert serious_violations(page) == []
    page.get_by_label("Email").fill("olive@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    problems = {}
    for path in ("/admin/", "/admin/events/new", "/admin/events/door-event/bookings",
                 "/admin/events/door-event/edit", "/admin/events/door-event/speakers",
                 "/admin/events/door-event/resources", "/admin/events/door-event/sign-in-sheet",
                 "/admin/events/door-event/bookings/new", "/admin/events/door-event/erase",
                 "/admin/events/door-event/attendee-list",
                 "/admin/events/door-event/follow-ups", "/admin/speakers/",
                 "/admin/speakers/new", "/admin/mail", "/admin/audit"):
        response = page.goto(live_server + path)
        assert response.status == 200, path
        found = serious_violations(page)
        if found:
            problems[path] = found
    assert problems == {}
