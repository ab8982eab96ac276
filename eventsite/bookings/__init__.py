"""Bookings: book, manage, cancel, the waiting list, check-in, and the emails about each."""
from __future__ import annotations

from flask import Flask

from ..outbox.schedule import schedule
from .notices import REMINDERS
from .question_views import admin as questions_admin
from .views import admin, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin)
    app.register_blueprint(questions_admin)
    schedule(app, REMINDERS)
