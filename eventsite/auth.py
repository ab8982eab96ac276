"""Who is logged in: organisers, through Flask-Login."""
from __future__ import annotations

from flask import Flask

from .extensions import db, login_manager
from .models import Organiser


@login_manager.user_loader
def load_organiser(organiser_id: str) -> Organiser | None:
    if not organiser_id.isdigit():
        return None
    return db.session.get(Organiser, int(organiser_id))


def init_app(app: Flask) -> None:
    login_manager.login_view = "organiser.login"
    login_manager.login_message = "Please log in to see the organiser area."
    login_manager.login_message_category = "warning"
