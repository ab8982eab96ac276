"""Follow-ups: slides, links and a message for an event's attendees after it, and the
unsubscribe page that stops them."""
from __future__ import annotations

from flask import Flask

from .views import admin, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin)
