"""eventsite: publish fringe events, take bookings, run the email around them."""
from __future__ import annotations

import os

from flask import Flask
from werkzeug.routing import BaseConverter

import config as settings

from . import auth, database, errors, pagecache, security, text
from .extensions import csrf, db, limiter, login_manager, mail, migrate


class SlugConverter(BaseConverter):
    """Lower-case words joined by hyphens; anything else is a 404 before any query runs."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


def create_app(config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands, errors."""
    app = Flask(
        __name__,
        template_folder=str(settings.BASE_DIR / "templates"),
        instance_path=str(settings.INSTANCE_DIR),
    )
    app.url_map.converters["slug"] = SlugConverter
    app.config.from_mapping(settings.from_environment())
    if config:
        app.config.update(config)
    settings.check_production_safety(app.config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.BASE_DIR / "migrations"))
    mail.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    database.init_app(app)
    auth.init_app(app)
    text.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    pagecache.init_app(app)

    from .bookings.views import bp as bookings_bp
    from .events.views import bp as events_bp
    from .speakers.views import bp as speakers_bp

    app.register_blueprint(events_bp)
    app.register_blueprint(bookings_bp)
    app.register_blueprint(speakers_bp)

    from . import organiser

    organiser.init_app(app)

    from . import unsubscribe

    unsubscribe.init_app(app)

    from . import cli

    cli.init_app(app)

    from .outbox import cli as outbox_cli

    outbox_cli.init_app(app)
    return app
