"""A cache of the public pages for readers without a session.

The event list, event pages and speaker pages are the same for everyone who is not
logged in, and are read far more often than anything behind them changes. This WSGI
middleware keeps each such page, rendered, in the process that rendered it, and serves it
again without running the app.

Invalidation, in two parts, each bumped in the transaction that makes the change:
- every change to an event, speaker, programme or resource bumps one counter
  (`ContentVersion`); every cached page depends on it;
- a change to an event's bookings bumps only that event's `places_version`, on the event's
  row (whose lock a booking holds already). The event's page depends on it, and so does
  the event list (which shows every event's places left); no other page does, so a rush of
  bookings for one event leaves every other page cached.
A process reads both at most once per PAGE_CACHE_CHECK_SECONDS (1 s by default; 0 reads
on every request), so a change on another server shows everywhere within that. After its
own content changes commit it reads them at once; after its own bookings it waits for the
next read like everyone else, so that during a rush each process renders the event's page
at most once per PAGE_CACHE_CHECK_SECONDS, and the places left are never staler than that.
Entries also expire after MAX_AGE, so time passing (an event starting) shows too. The
booking itself always reads the database; only what pages display can lag, briefly.

HTTP caches. Public pages say `Cache-Control: public, max-age=PAGE_MAX_AGE_SECONDS,
stale-while-revalidate=PAGE_STALE_SECONDS` with an `ETag` (a digest of the page), and a
conditional GET with a matching `If-None-Match` is answered 304, so a proxy in front
(docs/CACHING.md) can serve a rush itself. Anyone who sends a cookie gets `private,
no-store`: their pages are rendered for them alone.
"""
from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, Response, current_app, request
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Booking, ContentVersion, Event, EventSpeaker, Resource, Speaker

CACHEABLE_PATH = re.compile(r"/(?:events/[a-z0-9-]+|speakers/(?:[a-z0-9-]+)?)?")
EVENT_PATH = re.compile(r"/events/([a-z0-9-]+)")
PUBLIC_CONTENT = (Event, Speaker, EventSpeaker, Resource)
MAX_AGE = 30.0
MAX_ENTRIES = 500


@dataclass(frozen=True)
class Versions:
    """What public pages are built from: the content counter, each event's places."""

    content: int
    places: dict[str, int]

    def of(self, path: str) -> tuple[int, int]:
        """The versions the page at this path depends on."""
        if path == "/":
            return self.content, sum(self.places.values())
        event = EVENT_PATH.fullmatch(path)
        if event:
            return self.content, self.places.get(event.group(1), 0)
        return self.content, 0


@dataclass(frozen=True)
class CachedPage:
    version: tuple[int, int]
    expires: float
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str


class PageCache:
    """WSGI middleware serving cached public pages to requests without cookies."""

    def __init__(self, app: Flask):
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.pages: OrderedDict[str, CachedPage] = OrderedDict()
        self.lock = threading.Lock()
        self.versions: Versions | None = None
        self.checked_at = 0.0
        self.check_interval = app.config["PAGE_CACHE_CHECK_SECONDS"]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if (
            environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or environ.get("QUERY_STRING")
            or environ.get("HTTP_COOKIE")
            or not CACHEABLE_PATH.fullmatch(path)
        ):
            return self.wsgi_app(environ, start_response)
        version = self.current_versions().of(path)
        now = time.monotonic()
        with self.lock:
            page = self.pages.get(path)
        if page is None or page.version != version or page.expires < now:
            page = self.render(environ, version, now)
            if page is None:  # not cacheable after all: it was served uncached
                return self.wsgi_app(environ, start_response)
        if page.etag and page.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            start_response("304 Not Modified", [
                (name, value) for name, value in page.headers if name in NOT_MODIFIED_HEADERS])
            return [b""]
        start_response(page.status, page.headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def render(self, environ, version: tuple[int, int], now: float) -> CachedPage | None:
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body_parts = self.wsgi_app({**environ, "REQUEST_METHOD": "GET"}, capture)
        try:
            body = b"".join(body_parts)
        finally:
            getattr(body_parts, "close", lambda: None)()
        headers = captured["headers"]
        if not captured["status"].startswith("200") or any(
            name.lower() == "set-cookie" for name, _ in headers
        ):
            return None
        etag = next((value for name, value in headers if name == "ETag"), "")
        page = CachedPage(version, now + MAX_AGE, captured["status"], headers, body, etag)
        with self.lock:
            self.pages[environ["PATH_INFO"]] = page
            self.pages.move_to_end(environ["PATH_INFO"])
            while len(self.pages) > MAX_ENTRIES:
                self.pages.popitem(last=False)
        return page

    def current_versions(self) -> Versions:
        now = time.monotonic()
        versions = self.versions
        if versions is None or now - self.checked_at >= self.check_interval:
            with self.app.app_context():
                content = db.session.scalar(sa.select(sa.func.max(ContentVersion.version)))
                places = dict(db.session.execute(
                    sa.select(Event.slug, Event.places_version)
                    .where(Event.published.is_(True))).all())
                db.session.remove()
            versions = Versions(content or 0, places)
            self.versions, self.checked_at = versions, now
        return versions

    def invalidate(self) -> None:
        """Re-read the versions on the next request (this process changed content)."""
        self.versions = None


def _note_public_changes(session: Session, _flush_context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, PUBLIC_CONTENT) for instance in changed):
        session.info["public_content_changed"] = True
    booked = {instance.event_id for instance in changed if isinstance(instance, Booking)}
    if booked:
        session.info.setdefault("places_changed", set()).update(booked)


def _bump_version(session: Session) -> None:
    # At commit, not at each flush: the counters' row locks are then taken last and held
    # only while committing. A booking's event row is locked already (`lock_event`); other
    # events' rows are taken in id order, so two commits never wait on each other in a
    # circle.
    session.flush()
    booked = session.info.pop("places_changed", set())
    if booked:
        events = Event.__table__
        session.execute(
            events.update()
            .where(events.c.id.in_(sorted(event_id for event_id in booked if event_id)))
            # updated_at named so its onupdate stays out: the event itself did not change
            .values(places_version=events.c.places_version + 1,
                    updated_at=events.c.updated_at)
        )
    if session.info.pop("public_content_changed", False):
        session.execute(sa.update(ContentVersion).values(version=ContentVersion.version + 1))
        session.info["invalidate_pages"] = True


def _after_commit(session: Session) -> None:
    if session.info.pop("invalidate_pages", False):
        cache = current_app.extensions.get("pagecache")
        if cache is not None:
            cache.invalidate()


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("public_content_changed", None)
        session.info.pop("places_changed", None)
        session.info.pop("invalidate_pages", None)


SESSION_HOOKS = {
    "after_flush": _note_public_changes,
    "before_commit": _bump_version,
    "after_commit": _after_commit,
    "after_transaction_end": _after_transaction_end,
}


NOT_MODIFIED_HEADERS = {"ETag", "Cache-Control", "Vary", "Date", "Expires"}


def cache_headers(response: Response) -> Response:
    """Public pages may be kept by any cache, briefly, and are validated by their ETag;
    anyone who sends a cookie gets a page for them alone."""
    if (request.method not in ("GET", "HEAD") or response.status_code != 200
            or "Cache-Control" in response.headers
            or not CACHEABLE_PATH.fullmatch(request.path)):
        return response
    response.vary.add("Cookie")
    if request.headers.get("Cookie") or "Set-Cookie" in response.headers:
        response.headers["Cache-Control"] = "private, no-store"
        return response
    config = current_app.config
    response.headers["Cache-Control"] = (
        f"public, max-age={config['PAGE_MAX_AGE_SECONDS']}, "
        f"stale-while-revalidate={config['PAGE_STALE_SECONDS']}")
    response.add_etag()
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    app.after_request(cache_headers)
    cache = PageCache(app)
    app.wsgi_app = cache
    app.extensions["pagecache"] = cache
    session_class = db.session.session_factory.class_
    for name, hook in SESSION_HOOKS.items():
        if not sa.event.contains(session_class, name, hook):
            sa.event.listen(session_class, name, hook)
