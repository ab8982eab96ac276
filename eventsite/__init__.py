"""eventsite: publish fringe events, take bookings, run the email around them."""
from __future__ import annotations

import os

from flask import Flask

import config as settings

from . import (
    attendees,
    bookings,
    database,
    demo,
    events,
    followups,
    organiser,
    outbox,
    speakers,
    web,
)
from .extensions import csrf, db, limiter, login_manager, mail, migrate
from .web.uploads import FORM_MAX_BYTES, SiteRequest


def create_app(config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, then each area's init_app."""
    app = Flask(
        __name__,
        template_folder=str(settings.BASE_DIR / "templates"),
        instance_path=str(settings.INSTANCE_DIR),
    )
    app.config.from_mapping(settings.from_environment())
    if config:
        app.config.update(config)
    app.request_class = SiteRequest
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = FORM_MAX_BYTES
    settings.check_production_safety(app.config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.BASE_DIR / "migrations"))
    mail.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    database.init_app(app)
    web.init_app(app)

    for area in (outbox, events, speakers, bookings, attendees, followups, organiser, demo):
        area.init_app(app)
    return app
