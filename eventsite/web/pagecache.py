"""A cache of the public pages for readers without a session.

The event list, event pages and speaker pages are the same for everyone who is not
logged in, and are read far more often than anything behind them changes. This WSGI
middleware keeps each such page, rendered, in the process that rendered it, and serves it
again without running the app.

Invalidation: every transaction that changes an event, speaker, booking or resource bumps
one counter (`ContentVersion`) as part of that same transaction. A process compares its
pages against that counter at most once per PAGE_CACHE_CHECK_SECONDS, and at once after its
own changes commit, so another server's change shows everywhere within
PAGE_CACHE_CHECK_SECONDS (1 s by default; 0 checks on every request).
Entries also expire after MAX_AGE, so time passing (an event starting) shows too. The
booking itself always reads the database; only what pages display can lag, briefly.
"""
from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Booking, ContentVersion, Event, EventSpeaker, Resource, Speaker

CACHEABLE_PATH = re.compile(r"/(?:events/[a-z0-9-]+|speakers/(?:[a-z0-9-]+)?)?")
PUBLIC_CONTENT = (Event, Speaker, EventSpeaker, Resource, Booking)
MAX_AGE = 30.0
MAX_ENTRIES = 500


@dataclass(frozen=True)
class CachedPage:
    version: int
    expires: float
    status: str
    headers: list[tuple[str, str]]
    body: bytes


class PageCache:
    """WSGI middleware serving cached public pages to requests without cookies."""

    def __init__(self, app: Flask):
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.pages: OrderedDict[str, CachedPage] = OrderedDict()
        self.lock = threading.Lock()
        self.version: int | None = None
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
        version = self.current_version()
        now = time.monotonic()
        with self.lock:
            page = self.pages.get(path)
        if page is None or page.version != version or page.expires < now:
            page = self.render(environ, version, now)
            if page is None:  # not cacheable after all: it was served uncached
                return self.wsgi_app(environ, start_response)
        start_response(page.status, page.headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def render(self, environ, version: int, now: float) -> CachedPage | None:
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
        page = CachedPage(version, now + MAX_AGE, captured["status"], headers, body)
        with self.lock:
            self.pages[environ["PATH_INFO"]] = page
            self.pages.move_to_end(environ["PATH_INFO"])
            while len(self.pages) > MAX_ENTRIES:
                self.pages.popitem(last=False)
        return page

    def current_version(self) -> int:
        now = time.monotonic()
        if self.version is None or now - self.checked_at >= self.check_interval:
            with self.app.app_context():
                version = db.session.scalar(sa.select(sa.func.max(ContentVersion.version)))
                db.session.remove()
            self.version, self.checked_at = version or 0, now
        return self.version

    def invalidate(self) -> None:
        """Re-read the version on the next request (this process changed something)."""
        self.version = None


def _note_public_changes(session: Session, _flush_context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, PUBLIC_CONTENT) for instance in changed):
        session.info["public_content_changed"] = True


def _bump_version(session: Session) -> None:
    # At commit, not at each flush: the counter's row lock is then always taken last and
    # held only while committing, so it can never join a deadlock with an event's lock.
    session.flush()
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
        session.info.pop("invalidate_pages", None)


SESSION_HOOKS = {
    "after_flush": _note_public_changes,
    "before_commit": _bump_version,
    "after_commit": _after_commit,
    "after_transaction_end": _after_transaction_end,
}


def init_app(app: Flask) -> None:
    cache = PageCache(app)
    app.wsgi_app = cache
    app.extensions["pagecache"] = cache
    session_class = db.session.session_factory.class_
    for name, hook in SESSION_HOOKS.items():
        if not sa.event.contains(session_class, name, hook):
            sa.event.listen(session_class, name, hook)
