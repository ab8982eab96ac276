"""No input, however malformed, produces a 500: every route, as anyone and as an organiser,
with hostile form data and query strings."""
from __future__ import annotations

import re
from datetime import timedelta

from tests.factories import (
    attach_speaker,
    check_in_code_for,
    mail_route_values,
    make_booking,
    make_event,
    make_organiser,
    make_resource,
    make_speaker,
)

HOSTILE_VALUES = [
    "", " ", "\x00", "\r\nBcc: victim@example.org", "a" * 100_000, "=1+1", "-1", "0",
    "99999999999999999999", "2026-02-30T25:61", "'; DROP TABLE bookings; --",
    "<script>alert(1)</script>", "ℌ𝔢𝔩𝔩𝔬 👋🏽", "\ud7ff", "nan", "null", "../../etc/passwd",
]
FIELDS = ["name", "email", "organisation", "job_title", "access_needs", "wants_followup",
          "title", "slug", "summary", "description", "starts_at", "ends_at", "timezone",
          "capacity", "booking_opens_at", "booking_closes_at", "organiser_email", "venue",
          "address", "password", "q", "status", "speaker", "role", "position", "url",
          "subject", "message", "audience", "resources", "speakers", "extra_addresses",
          "note", "submission", "links", "bio", "published", "waiting_list", "next",
          "over_capacity", "show"]
ODD_QUERIES = ["?page=-1", "?page=abc", "?page=99999999999999999999", "?status=%00",
               "?event=%ff", "?event=%00", "?q=%00%25_", "?q=" + "x" * 5000,
               "?next=//evil.example", "?sent=%0d%0a", "?status=cancelled&q=%ff"]


def every_route(app, values: dict[str, object]):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), "x")),
                     rule.rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield method, url


def site_with_everything(app) -> dict[str, object]:
    event = make_event(app, slug="the-event", capacity=2)
    past = make_event(app, slug="the-past-event", starts_in=timedelta(days=-3))
    booking = make_booking(app, event, email="ada@example.org")
    make_booking(app, event, status="waiting", email="grace@example.org")
    speaker = make_speaker(app, slug="the-speaker", email="speaker@example.org")
    attach_speaker(app, event, speaker)
    resource = make_resource(app, past)
    values = {"slug": event.slug, "booking_id": booking.id, "speaker_id": speaker.id,
              "resource_id": resource.id, "id": resource.id, "token": "x" * 43,
              "filename": "nothing.jpg"}
    values.update(mail_route_values(app, event))
    values["code"] = check_in_code_for(app, booking)
    return values


def assert_no_server_error(client, method: str, url: str, data=None) -> None:
    response = client.open(url, method=method, data=data)
    assert response.status_code < 500, (method, url, response.status_code)


def test_no_route_answers_500_to_anyone(app, client):
    values = site_with_everything(app)
    for method, url in every_route(app, values):
        for query in ODD_QUERIES:
            assert_no_server_error(client, method, url + query)
        for value in HOSTILE_VALUES:
            assert_no_server_error(client, method, url,
                                   {field: value for field in FIELDS} if method == "POST" else None)


def test_no_route_answers_500_to_an_organiser(app, client):
    values = site_with_everything(app)
    make_organiser(app, email="olive@example.org", password="a long enough password")
    client.post("/admin/login", data={"email": "olive@example.org",
                                      "password": "a long enough password"})
    for method, url in every_route(app, values):
        if url.endswith("/logout"):
            continue
        for query in ODD_QUERIES:
            assert_no_server_error(client, method, url + query)
        if method == "POST":
            for value in HOSTILE_VALUES:
                assert_no_server_error(client, method, url, {field: value for field in FIELDS})
            assert_no_server_error(client, method, url, {})


def test_a_nul_character_in_an_organiser_form_is_explained_beside_the_field(app, client):
    from eventsite.web.forms import NUL_MESSAGE

    make_organiser(app, email="olive@example.org", password="a long enough password")
    client.post("/admin/login", data={"email": "olive@example.org",
                                      "password": "a long enough password"})
    response = client.post("/admin/speakers/new", data={"name": "Amara\x00 Okafor",
                                                        "organisation": "Brightwater"})
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 422)
    assert NUL_MESSAGE in page
    assert 'value="Brightwater"' in page  # what was typed is kept


def test_a_nul_character_in_an_organiser_address_is_a_bad_request(app, client):
    make_organiser(app, email="olive@example.org", password="a long enough password")
    client.post("/admin/login", data={"email": "olive@example.org",
                                      "password": "a long enough password"})
    assert client.get("/admin/mail?event=%00").status_code == 400


TWENTY_DIGITS = "9" * 20
LONG_TEXT = "a" * 5000
PATH_PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def oversized_urls(app, real: dict[str, object]):
    """Every rule with 20-digit numbers in its int parts; once with the other parts real
    (so the number reaches a query) and once with very long strings in them."""
    for rule in app.url_map.iter_rules():
        for long_strings in (False, True):
            def part(match, long_strings=long_strings):
                if match.group(1) == "int":
                    return TWENTY_DIGITS
                return LONG_TEXT if long_strings else str(real.get(match.group(2), "x"))
            url = PATH_PART.sub(part, rule.rule)
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield method, url


def test_oversized_path_parts_are_not_server_errors(app, client):
    real = site_with_everything(app)
    for method, url in oversized_urls(app, real):
        assert_no_server_error(client, method, url, {} if method == "POST" else None)
    make_organiser(app, email="olive@example.org", password="a long enough password")
    client.post("/admin/login", data={"email": "olive@example.org",
                                      "password": "a long enough password"})
    for method, url in oversized_urls(app, real):
        if not url.endswith("/logout"):
            assert_no_server_error(client, method, url, {} if method == "POST" else None)


def test_a_twenty_digit_id_is_page_not_found(app, client):
    event = make_event(app, slug="the-event", starts_in=timedelta(days=-1))
    response = client.get(f"/events/{event.slug}/resources/{TWENTY_DIGITS}")
    assert response.status_code == 404
