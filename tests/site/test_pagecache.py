"""Public pages are cached for readers without a session, and never outlive a change."""
from types import SimpleNamespace

import sqlalchemy as sa

from eventsite import create_app
from eventsite.extensions import db
from eventsite.models import Event
from eventsite.web import pagecache
from tests.conftest import test_config
from tests.factories import make_booking, make_event


def rename_without_telling_anyone(app, event, title):
    """A change the app cannot see (raw SQL), to tell a cached page from a fresh one."""
    with app.app_context():
        db.session.execute(sa.text("UPDATE events SET title = :t WHERE id = :id"),
                           {"t": title, "id": event.id})
        db.session.commit()


def test_repeat_reads_are_served_from_the_cache(app, client):
    event = make_event(app, title="Original title")
    assert "Original title" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    rename_without_telling_anyone(app, event, "Changed behind its back")
    assert "Original title" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Original title" in client.get("/events/" + event.slug).get_data(as_text=True)


def test_a_booking_shows_at_once_in_places_left(app, client):
    event = make_event(app, capacity=5)
    assert "5 of 5 places left" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    make_booking(app, event)
    assert "4 of 5 places left" in client.get(f"/events/{event.slug}").get_data(as_text=True)


def test_an_edit_through_the_app_invalidates_cached_pages(app, client):
    event = make_event(app, title="Original title")
    client.get("/")
    client.get(f"/events/{event.slug}")
    with app.app_context():
        db.session.get(Event, event.id).title = "New title"
        db.session.commit()
    assert "New title" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "New title" in client.get("/").get_data(as_text=True)


def test_cached_pages_keep_their_security_headers_and_answer_head(app, client):
    event = make_event(app)
    client.get(f"/events/{event.slug}")
    cached = client.get(f"/events/{event.slug}")
    assert "script-src 'self'" in cached.headers["Content-Security-Policy"]
    head = client.head(f"/events/{event.slug}")
    assert head.status_code == 200 and head.data == b""


def test_readers_with_a_session_or_a_query_are_not_served_from_the_cache(app, client):
    event = make_event(app, title="Original title")
    client.get(f"/events/{event.slug}")
    rename_without_telling_anyone(app, event, "Fresh title")
    assert "Fresh title" in client.get(f"/events/{event.slug}?ref=mail").get_data(as_text=True)
    client.set_cookie("session", "anything")
    assert "Fresh title" in client.get(f"/events/{event.slug}").get_data(as_text=True)


def test_not_found_pages_are_not_cached(app, client):
    assert client.get("/events/coming-soon").status_code == 404
    make_event(app, slug="coming-soon")
    assert client.get("/events/coming-soon").status_code == 200


def test_another_servers_change_shows_within_the_check_interval(database_url, tmp_path,
                                                              monkeypatch):
    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(pagecache, "time", SimpleNamespace(monotonic=lambda: clock.now))
    reader = create_app(test_config(database_url, tmp_path, PAGE_CACHE_CHECK_SECONDS=0.5))
    writer = create_app(test_config(database_url, tmp_path))
    with reader.app_context():
        db.create_all()
    event = make_event(writer, title="Original title", capacity=3)
    client = reader.test_client()
    assert "3 of 3 places left" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    make_booking(writer, event)
    clock.now += 0.5  # the check interval passes, on the cache's own clock
    assert "2 of 3 places left" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    for app in (reader, writer):
        with app.app_context():
            db.engine.dispose()
