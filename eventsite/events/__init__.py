"""Events: public pages, the organiser's event and resource pages, change notices."""
from __future__ import annotations

from flask import Flask

from ..outbox.schedule import schedule
from . import duplicate  # noqa: F401  (its route joins the organiser blueprint)
from .cli import events_cli
from .services import CHANGE_NOTICES
from .views import admin, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin)
    schedule(app, CHANGE_NOTICES)
    app.cli.add_command(events_cli)
