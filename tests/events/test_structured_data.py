"""The JSON-LD on an event page: worth having for search engines, never empty values."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from eventsite.events.structured_data import postal_address
from tests.conftest import running_app, test_config
from tests.events.test_public_pages import parse
from tests.factories import attach_speaker, make_event, make_speaker


def json_ld(client, event) -> dict:
    (block,) = parse(client.get(f"/events/{event.slug}")).json_ld
    return json.loads(block)


def empty_values(value, path="") -> list[str]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in empty_values(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [path] if not value else [p for item in value for p in empty_values(item, path)]
    return [path] if value in ("", None) else []


def test_a_sparse_event_emits_no_empty_strings_or_lists(app, client):
    event = make_event(app, summary="", description="", venue="", address="",
                       organiser_email="", host_conference="")
    attach_speaker(app, event, make_speaker(app, name="Priya Shah", role="", organisation=""))
    data = json_ld(client, event)
    assert empty_values(data) == []
    assert "location" not in data and "image" not in data and "superEvent" not in data
    assert data["performer"] == [{"@type": "Person", "name": "Priya Shah",
                                  "url": data["performer"][0]["url"]}]


def test_the_description_falls_back_to_the_description_text(app, client):
    event = make_event(app, summary="", description="## Why\n\nCouncils **spin out** "
                       "services. " + "More words here. " * 40)
    description = json_ld(client, event)["description"]
    assert description.startswith("Why Councils spin out services.")
    assert "**" not in description and "<" not in description
    assert len(description) <= 300 and description.endswith("…")


def test_the_organizer_is_the_site_and_the_conference_is_the_super_event(database_url,
                                                                         tmp_path):
    config = test_config(database_url, tmp_path, SITE_NAME="Mutuals Network fringe",
                         SITE_CONTACT_EMAIL="hello@example.org")
    with running_app(config) as app:
        event = make_event(app, organiser_email="")
        data = json_ld(app.test_client(), event)
    assert data["organizer"] == {"@type": "Organization", "name": "Mutuals Network fringe",
                                 "url": "https://events.example.org/",
                                 "email": "hello@example.org"}
    assert data["superEvent"] == {"@type": "Event",
                                  "name": "National Children and Adult Services Conference"}


def test_an_address_with_a_uk_postcode_is_a_postal_address(app, client):
    event = make_event(app, venue="Meeting Room 4",
                       address="Riverside Conference Centre, 1 Quay Street, Manchester M3 3JE")
    location = json_ld(client, event)["location"]
    assert location == {"@type": "Place", "name": "Meeting Room 4", "address": {
        "@type": "PostalAddress",
        "streetAddress": "Riverside Conference Centre, 1 Quay Street",
        "addressLocality": "Manchester", "postalCode": "M3 3JE", "addressCountry": "GB"}}


def test_addresses_are_parsed_only_as_far_as_can_be_trusted():
    assert postal_address("1 Quay Street\nLeeds\nls1 4ap") == {
        "@type": "PostalAddress", "streetAddress": "1 Quay Street",
        "addressLocality": "Leeds", "postalCode": "LS1 4AP", "addressCountry": "GB"}
    assert postal_address("Town Hall, Main Square") == "Town Hall, Main Square"
    assert postal_address("M3 3JE") == "M3 3JE"


def test_the_image_is_the_first_speaker_photo_as_an_absolute_url(app, client):
    event = make_event(app)
    attach_speaker(app, event, make_speaker(app, name="No Photo"), position=0)
    attach_speaker(app, event, make_speaker(app, name="Has Photo", photo_filename="ab12.jpg"),
                   position=1)
    data = json_ld(client, event)
    assert data["image"] == "https://events.example.org/speakers/photos/ab12.jpg"
    assert data["performer"][1]["image"] == data["image"]


def test_offers_say_when_booking_opens(app, client):
    opens = datetime(2031, 9, 1, 8, 0, tzinfo=timezone.utc)
    event = make_event(app, booking_opens_at=opens, timezone="Europe/London",
                       starts_at=opens + timedelta(days=30),
                       ends_at=opens + timedelta(days=30, hours=1))
    assert json_ld(client, event)["offers"]["validFrom"] == "2031-09-01T09:00:00+01:00"
