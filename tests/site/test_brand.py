"""The site's name, description and contact from the configuration, on every page and
email; the favicon and the description each public page gives search engines."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote_plus

import pytest

from config import from_environment
from tests.conftest import book, outbox, running_app, test_config
from tests.events.test_public_pages import parse
from tests.factories import attach_speaker, make_event, make_speaker

BRAND = {
    "SITE_NAME": "Mutuals Network fringe",
    "SITE_DESCRIPTION": "Fringe sessions on public service mutuals, beside the conference.",
    "SITE_CONTACT_EMAIL": "hello@mutuals.example.org",
}


@pytest.fixture
def branded(database_url, tmp_path):
    with running_app(test_config(database_url, tmp_path, **BRAND)) as app:
        yield app


def public_pages(app) -> list[str]:
    event = make_event(app, organiser_email="")
    speaker = make_speaker(app, name="Priya Shah")
    attach_speaker(app, event, speaker)
    return ["/", "/speakers/", f"/speakers/{speaker.slug}", f"/events/{event.slug}",
            f"/events/{event.slug}/book", f"/events/{event.slug}/book/thanks", "/admin/login",
            "/no-such-page"]


def meta_description(page: str) -> str:
    return re.search(r'<meta name="description" content="([^"]*)">', page).group(1)


def test_every_public_page_carries_the_brand(branded):
    client = branded.test_client()
    for path in public_pages(branded):
        page = client.get(path).text
        assert re.search(r"<title>[^<]* · Mutuals Network fringe</title>", page), path
        assert '<a class="brand" href="/">Mutuals Network fringe</a>' in page, path
        assert parse(client.get(path)).meta["og:site_name"] == "Mutuals Network fringe", path
        assert BRAND["SITE_DESCRIPTION"] in page.split('<footer class="site-footer">')[1], path
        assert 'href="mailto:hello@mutuals.example.org"' in page, path
        assert meta_description(page).strip(), path
        assert '<link rel="icon" href="/favicon.ico"' in page, path


def test_the_home_page_is_named_and_described_by_the_configuration(branded):
    page = branded.test_client().get("/").text
    assert "<h1>Mutuals Network fringe</h1>" in page
    assert meta_description(page) == BRAND["SITE_DESCRIPTION"]


def test_event_and_speaker_pages_describe_themselves(app, client):
    event = make_event(app, summary="", description="## Why\n\nCouncils **spin out** services.")
    speaker = make_speaker(app, name="Priya Shah", role="Director", organisation="Mutual Ltd",
                           bio="Priya *ran* a mutual.")
    attach_speaker(app, event, speaker)
    assert meta_description(client.get(f"/events/{event.slug}").text) == (
        "Why Councils spin out services.")
    assert meta_description(client.get(f"/speakers/{speaker.slug}").text) == (
        "Priya Shah: Director, Mutual Ltd. Priya ran a mutual.")


def test_the_favicon_is_served(app, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.content_type == "image/x-icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert "max-age" in response.headers["Cache-Control"]


def test_emails_carry_the_brand_and_the_sites_contact(branded):
    event = make_event(branded, organiser_email="")
    assert book(branded.test_client(), event, email="ada@example.org").status_code == 303
    [message] = outbox(branded, "booking_confirmed")
    assert "Mutuals Network fringe" in message.body_text
    assert "Mutuals Network fringe" in message.body_html
    assert "hello@mutuals.example.org" in message.body_text
    assert b"Reply-To: hello@mutuals.example.org" in message.raw


def test_the_senders_name_is_the_site_name_unless_set():
    assert from_environment({"SITE_NAME": "Mutuals fringe"})["MAIL_DEFAULT_SENDER"] == (
        "Mutuals fringe <events@localhost>")
    defaults = from_environment({})
    assert defaults["SITE_NAME"] == "Fringe events" and defaults["SITE_CONTACT_EMAIL"] == ""
    assert defaults["SITE_DESCRIPTION"]


def test_an_event_without_an_organiser_email_gives_the_sites_contact(branded):
    client = branded.test_client()
    event = make_event(branded, organiser_email="")
    page = client.get(f"/events/{event.slug}").text
    assert ('Questions? Email the organiser at <a href="mailto:hello@mutuals.example.org">'
            in page)
    response = book(client, event, email="ada@example.org")
    thanks = client.get(response.location).text
    assert 'Or write to the organiser at <a href="mailto:hello@mutuals.example.org">' in thanks


def test_the_event_page_links_to_a_map_of_the_address(app, client):
    event = make_event(app, address="1 Quay Street, Manchester M3 3JE")
    page = client.get(f"/events/{event.slug}").text
    url = "https://www.openstreetmap.org/search?query=" + quote_plus(
        "1 Quay Street, Manchester M3 3JE").replace("+", "%20")
    assert f'<a class="map-link" href="{url}"' in page
    assert "Map<span class=\"visually-hidden\"> of Meeting Room 4</span> on OpenStreetMap" in page


def buttons(page: str) -> list[tuple[str, str]]:
    """(class, label) of each button-styled link in the event's actions."""
    return re.findall(r'<a class="(button[^"]*)" href="[^"]*">([^<]+)</a>', page)


def test_booking_is_the_one_main_button(app, client):
    open_event = make_event(app, capacity=5)
    page = client.get(f"/events/{open_event.slug}").text
    assert buttons(page) == [("button", "Book a place")]
    assert 'aria-label="Add to calendar"' in page


@pytest.mark.parametrize("values", [
    {"starts_in": timedelta(days=-3)},                        # past
    {"capacity": 0, "waiting_list": False},                    # fully booked
    {"starts_in": timedelta(hours=-1)},                        # under way
])
def test_past_and_full_events_make_no_calendar_button_their_main_one(app, client, values):
    event = make_event(app, **values)
    page = client.get(f"/events/{event.slug}").text
    assert buttons(page) == []
    assert 'class="button' not in page.split('<dl class="facts">')[1].split("</article>")[0]
