"""A rush of bookings for one event leaves every other page cached, and public pages tell
HTTP caches how long they may keep them."""
import re

from tests.conftest import book
from tests.factories import make_booking, make_event
from tests.site.test_pagecache import rename_without_telling_anyone


def test_a_booking_for_one_event_leaves_another_events_cached_page_served(app, client):
    rushed = make_event(app, capacity=5)
    quiet = make_event(app, title="Quiet title")
    reader = app.test_client()
    assert "5 of 5 places left" in reader.get(f"/events/{rushed.slug}").get_data(as_text=True)
    assert "Quiet title" in reader.get(f"/events/{quiet.slug}").get_data(as_text=True)
    rename_without_telling_anyone(app, quiet, "Renamed behind its back")

    assert book(client, rushed).status_code == 303
    make_booking(app, rushed)

    assert "3 of 5 places left" in reader.get(f"/events/{rushed.slug}").get_data(as_text=True)
    quiet_page = reader.get(f"/events/{quiet.slug}").get_data(as_text=True)
    assert "Quiet title" in quiet_page  # still the cached page: nothing it shows changed
    assert "Renamed behind its back" not in quiet_page


def test_the_event_list_shows_a_booking_at_once(app):
    event = make_event(app, capacity=5)
    reader = app.test_client()
    assert "5 places left" in reader.get("/").get_data(as_text=True)
    make_booking(app, event)
    assert "4 places left" in reader.get("/").get_data(as_text=True)


def test_public_pages_may_be_kept_briefly_by_any_cache(app, client):
    event = make_event(app)
    for path in ("/", f"/events/{event.slug}"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == (
            "public, max-age=1, stale-while-revalidate=10")
        assert re.fullmatch(r'"[0-9a-f]+"', response.headers["ETag"])
        assert "Cookie" in response.headers["Vary"]


def test_a_conditional_get_for_an_unchanged_page_is_answered_304(app, client):
    event = make_event(app, capacity=5)
    first = client.get(f"/events/{event.slug}")
    etag = first.headers["ETag"]
    again = client.get(f"/events/{event.slug}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert "max-age=1" in again.headers["Cache-Control"]
    # The same answer from the app itself, when the page is not in this process's cache.
    uncached = client.get(f"/events/{event.slug}?from=mail", headers={"If-None-Match": etag})
    assert uncached.status_code == 304

    make_booking(app, event)
    changed = client.get(f"/events/{event.slug}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "4 of 5 places left" in changed.get_data(as_text=True)


def test_anyone_with_a_cookie_gets_a_page_no_cache_may_keep(app, client):
    event = make_event(app)
    etag = client.get(f"/events/{event.slug}").headers["ETag"]
    client.set_cookie("session", "anything")
    response = client.get(f"/events/{event.slug}", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers


def test_the_booking_form_is_never_publicly_cacheable(app, client):
    event = make_event(app)
    response = client.get(f"/events/{event.slug}/book")
    assert "public" not in response.headers.get("Cache-Control", "")
