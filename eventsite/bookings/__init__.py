"""Bookings: book, manage, cancel, the waiting list, check-in, and the emails about each."""
from __future__ import annotations

from flask import Flask

from ..outbox.schedule import schedule
from .door import door
from .notices import REMINDERS
from .views import admin, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin)
    app.register_blueprint(door)
    schedule(app, REMINDERS)
