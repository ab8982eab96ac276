"""Bookings: book, manage, cancel, the waiting list, check-in, and the emails about each."""
from __future__ import annotations

from flask import Flask

from ..outbox.schedule import schedule
from . import offer_views  # noqa: F401  (its routes join the bookings blueprint)
from .notices import REMINDERS
from .offers import OFFERS
from .views import admin, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin)
    schedule(app, REMINDERS)
    schedule(app, OFFERS)
