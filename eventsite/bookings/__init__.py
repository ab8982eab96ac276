"""Bookings: book, manage, cancel, the waiting list, check-in, and the emails about each."""
from __future__ import annotations

from flask import Flask

from ..outbox.schedule import schedule
from . import feed, offer_views  # noqa: F401  (offer_views' routes join the blueprint)
from .calendar_links import add_to_calendar_links, feed_urls
from .notices import REMINDERS
from .offers import OFFERS
from .views import admin, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin)
    schedule(app, REMINDERS)
    schedule(app, OFFERS)
    app.register_blueprint(feed.bp)
    app.jinja_env.globals.update(add_to_calendar_links=add_to_calendar_links,
                                 calendar_feed_urls=feed_urls)
