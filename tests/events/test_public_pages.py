"""The public site as attendees read it."""
import json
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import icalendar
import pytest

from tests.factories import attach_speaker, make_booking, make_event, make_resource, make_speaker


class PageParser(HTMLParser):
    """Collects JSON-LD blocks, meta tags and headings from a page."""

    def __init__(self):
        super().__init__()
        self.json_ld, self.meta, self.headings = [], {}, []
        self._in_json_ld = False
        self._heading = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")
        elif tag == "meta" and "property" in attrs:
            self.meta[attrs["property"]] = attrs.get("content")
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading = tag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data
        if self._heading:
            self.headings.append((self._heading, data.strip()))


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.get_data(as_text=True))
    return parser


def test_home_lists_upcoming_events_first_then_past(app, client):
    later = make_event(app, title="Later event", starts_in=timedelta(days=30))
    sooner = make_event(app, title="Sooner event", starts_in=timedelta(days=3))
    past = make_event(app, title="Last year event", starts_in=timedelta(days=-300))
    page = client.get("/").get_data(as_text=True)
    assert page.index(sooner.title) < page.index(later.title) < page.index(past.title)
    assert page.index("Coming up") < page.index(sooner.title)
    assert page.index("Past events") < page.index(past.title)


def test_home_shows_places_left_and_fully_booked(app, client):
    open_event = make_event(app, title="Open event", capacity=3)
    make_booking(app, open_event)
    full = make_event(app, title="Full event", capacity=1)
    make_booking(app, full)
    page = client.get("/").get_data(as_text=True)
    assert "2 places left" in page
    assert "Fully booked, join the waiting list" in page


def test_home_hides_unpublished_events(app, client):
    make_event(app, title="Secret draft", published=False)
    assert "Secret draft" not in client.get("/").get_data(as_text=True)


def test_event_page_shows_what_an_attendee_needs(app, client):
    event = make_event(app, title="Spinning out mutuals", venue="Room 4",
                       address="1 Quay Street, Manchester", capacity=10)
    chair = make_speaker(app, name="Amara Okafor", role="Chief Executive",
                         organisation="Brightwater Mutual", email="amara@example.org")
    attach_speaker(app, event, chair, role="chair", position=0)
    make_booking(app, event)
    response = client.get(f"/events/{event.slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Spinning out mutuals" in page
    assert "A fringe event at National Children and Adult Services Conference" in page
    assert "Room 4" in page and "1 Quay Street, Manchester" in page
    assert "9 of 10 places left" in page
    assert "Amara Okafor" in page and "Chief Executive, Brightwater Mutual" in page
    assert "Chair" in page
    assert "amara@example.org" not in page
    assert f'href="/events/{event.slug}/book"' in page and "Book a place" in page
    assert "<strong>hear</strong>" in page  # the description's Markdown is rendered


def test_full_event_offers_the_waiting_list(app, client):
    event = make_event(app, capacity=1)
    make_booking(app, event)
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Fully booked, join the waiting list" in page
    assert "Join the waiting list" in page


def test_headings_are_in_order(app, client):
    event = make_event(app, description="# Big heading\n\nText")
    attach_speaker(app, event, make_speaker(app))
    levels = [int(tag[1]) for tag, _ in parse(client.get(f"/events/{event.slug}")).headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))


def test_event_structured_data_describes_the_event(app, client):
    event = make_event(app, title="Mutuals fringe", capacity=1, timezone="Europe/London",
                       starts_at=datetime(2031, 10, 20, 11, 30, tzinfo=timezone.utc),
                       ends_at=datetime(2031, 10, 20, 13, 0, tzinfo=timezone.utc))
    attach_speaker(app, event, make_speaker(app, name="Priya Shah"))
    page = parse(client.get(f"/events/{event.slug}"))
    (block,) = page.json_ld
    data = json.loads(block)
    assert data["@type"] == "Event" and data["name"] == "Mutuals fringe"
    assert data["startDate"] == "2031-10-20T12:30:00+01:00"
    assert data["endDate"] == "2031-10-20T14:00:00+01:00"
    assert data["location"]["name"] == "Meeting Room 4"
    assert [p["name"] for p in data["performer"]] == ["Priya Shah"]
    assert data["organizer"]["name"] == "Fringe events"  # the site, not the host conference
    assert data["superEvent"]["name"] == "National Children and Adult Services Conference"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    make_booking(app, event)
    data = json.loads(parse(client.get(f"/events/{event.slug}")).json_ld[0])
    assert data["offers"]["availability"] == "https://schema.org/SoldOut"


def test_cancelled_event_says_so_everywhere(app, client):
    event = make_event(app, cancelled_at=datetime.now(timezone.utc))
    response = client.get(f"/events/{event.slug}")
    page = response.get_data(as_text=True)
    assert "This event has been cancelled" in page
    assert "Book a place" not in page
    data = json.loads(parse(response).json_ld[0])
    assert data["eventStatus"] == "https://schema.org/EventCancelled"


def test_event_page_has_opengraph_tags(app, client):
    event = make_event(app, title="Mutuals fringe", summary="Why councils spin out.")
    meta = parse(client.get(f"/events/{event.slug}")).meta
    assert meta["og:title"] == "Mutuals fringe"
    assert meta["og:description"] == "Why councils spin out."
    assert meta["og:url"] == f"https://events.example.org/events/{event.slug}"


def test_times_are_shown_in_the_events_own_timezone(app, client):
    starts = datetime(2031, 6, 10, 22, 0, tzinfo=timezone.utc)
    london = make_event(app, starts_at=starts, ends_at=starts + timedelta(hours=1))
    new_york = make_event(app, starts_at=starts, ends_at=starts + timedelta(hours=1),
                          timezone="America/New_York")
    london_page = client.get(f"/events/{london.slug}").get_data(as_text=True)
    new_york_page = client.get(f"/events/{new_york.slug}").get_data(as_text=True)
    assert "Tuesday 10 June 2031, 23:00–00:00" not in london_page  # crosses midnight
    assert "23:00" in london_page and "BST" in london_page
    assert "Tuesday 10 June 2031, 18:00–19:00 EDT" in new_york_page


def test_calendar_file_opens_in_a_calendar(app, client):
    starts = datetime(2031, 10, 20, 11, 30, tzinfo=timezone.utc)
    event = make_event(app, title="Mutuals fringe", starts_at=starts,
                       ends_at=starts + timedelta(hours=1, minutes=30))
    response = client.get(f"/events/{event.slug}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Mutuals fringe"
    assert vevent.decoded("DTSTART") == starts
    assert vevent.decoded("DTSTART").tzinfo is not None
    assert str(vevent["DTSTART"].params["TZID"]) == "Europe/London"
    assert vevent.decoded("DTEND") == starts + timedelta(hours=1, minutes=30)
    assert "Meeting Room 4" in str(vevent["LOCATION"])
    assert str(vevent["URL"]) == f"https://events.example.org/events/{event.slug}"
    assert str(vevent["UID"]) == f"event-{event.id}@events.example.org"
    again = icalendar.Calendar.from_ical(client.get(f"/events/{event.slug}.ics").data)
    assert str(again.walk("VEVENT")[0]["UID"]) == str(vevent["UID"])


@pytest.mark.parametrize(
    "markdown_source",
    [
        "<script>alert(1)</script>Hello",
        '<img src=x onerror="alert(1)">Hello',
        "[click me](javascript:alert(1)) Hello",
        '<a href="javascript:alert(1)" onclick="alert(1)">Hello</a>',
        "<iframe src='https://evil.example'></iframe>Hello",
        '<p style="background:url(javascript:alert(1))">Hello</p>',
    ],
)
def test_descriptions_cannot_carry_script(app, client, markdown_source):
    event = make_event(app, description=markdown_source)
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    about = page.split('id="about-heading"', 1)[1].split("</section>", 1)[0]
    assert "Hello" in about
    lowered = about.lower()
    for forbidden in ("<script", "onerror", "onclick", "javascript:", "<iframe", "style="):
        assert forbidden not in lowered


def test_safe_markdown_survives_sanitising(app, client):
    speaker = make_speaker(app, bio="Runs a **mutual**. See [our site](https://example.org).")
    attach_speaker(app, make_event(app), speaker)
    page = client.get(f"/speakers/{speaker.slug}").get_data(as_text=True)
    assert "<strong>mutual</strong>" in page
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">our site</a>' in page


def test_past_event_shows_its_published_resources(app, client):
    event = make_event(app, starts_in=timedelta(days=-10))
    make_resource(app, event, title="The slides", url="https://example.org/slides.pdf")
    make_resource(app, event, title="Draft notes", published=False)
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "The slides" in page and "https://example.org/slides.pdf" in page
    assert "Draft notes" not in page
    assert "Book a place" not in page


def test_upcoming_event_keeps_resources_back_until_it_starts(app, client):
    event = make_event(app)
    make_resource(app, event, title="The slides")
    assert "The slides" not in client.get(f"/events/{event.slug}").get_data(as_text=True)
