"""Bookings: book, manage, cancel, the waiting list, check-in, and the emails about each."""
from __future__ import annotations

from flask import Flask

from ..outbox.schedule import schedule
from . import booking_detail, self_service  # noqa: F401  (their routes join the blueprints)
from .answers import answered_questions, choice_counts
from .changes import NEEDS_DIGESTS
from .notices import REMINDERS
from .question_views import admin as questions_admin
from .views import admin, bp


def init_app(app: Flask) -> None:
    app.jinja_env.globals["answered_questions"] = answered_questions
    app.jinja_env.globals["choice_counts"] = choice_counts
    app.register_blueprint(bp)
    app.register_blueprint(admin)
    app.register_blueprint(questions_admin)
    schedule(app, REMINDERS)
    schedule(app, NEEDS_DIGESTS)
