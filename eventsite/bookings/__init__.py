"""Bookings: book, manage, cancel, the waiting list, check-in, and the emails about each."""
from __future__ import annotations

from flask import Flask

from ..outbox.schedule import schedule
from . import booking_detail, desk_views, feed, offer_views, self_service  # noqa: F401  (routes join the blueprints)
from .answers import answered_questions, choice_counts
from .calendar_links import add_to_calendar_links, feed_urls
from .changes import NEEDS_DIGESTS
from .door import door
from .notices import REMINDERS
from .offers import OFFERS
from .question_views import admin as questions_admin
from .views import admin, bp


def init_app(app: Flask) -> None:
    app.jinja_env.globals["answered_questions"] = answered_questions
    app.jinja_env.globals["choice_counts"] = choice_counts
    app.register_blueprint(bp)
    app.register_blueprint(admin)
    app.register_blueprint(door)
    app.register_blueprint(questions_admin)
    schedule(app, REMINDERS)
    schedule(app, OFFERS)
    schedule(app, NEEDS_DIGESTS)
    app.register_blueprint(feed.bp)
    app.jinja_env.globals.update(add_to_calendar_links=add_to_calendar_links,
                                 calendar_feed_urls=feed_urls)
