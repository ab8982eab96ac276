"""Events: public pages, the organiser's event and resource pages, change notices."""
from __future__ import annotations

from flask import Flask

from ..outbox.schedule import schedule
from .services import CHANGE_NOTICES
from .views import admin, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin)
    schedule(app, CHANGE_NOTICES)
