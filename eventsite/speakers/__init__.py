"""Speakers: public profiles and the organiser's speaker and programme pages."""
from __future__ import annotations

from flask import Flask

from . import programme  # noqa: F401  (its route joins the organiser blueprint)
from .views import admin, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin)
