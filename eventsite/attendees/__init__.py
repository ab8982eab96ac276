"""Attendee data for organisers: CSV export, sign-in sheet, the emailed attendee list,
privacy purge and erasure."""
from __future__ import annotations

from flask import Flask

from ..outbox.schedule import schedule
from .cli import attendees_cli, privacy_cli
from .lists import AUTOMATIC_LISTS
from .views import admin


def init_app(app: Flask) -> None:
    app.register_blueprint(admin)
    app.cli.add_command(attendees_cli)
    app.cli.add_command(privacy_cli)
    schedule(app, AUTOMATIC_LISTS)
