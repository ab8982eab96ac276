"""The organiser area's shell at /admin: login, the guard every organiser page shares (in
`eventsite.web.admin`), the dashboard, the audit log and the mail log. Each area keeps its
own organiser pages."""
from __future__ import annotations

from flask import Flask

from ..extensions import login_manager
from . import auth, mail_display  # noqa: F401  (auth registers the user loader)
from .cli import organiser_cli
from .views import bp


def init_app(app: Flask) -> None:
    login_manager.login_view = "organiser.login"
    login_manager.login_message = "Please log in to see the organiser area."
    login_manager.login_message_category = "warning"
    app.register_blueprint(bp)
    mail_display.init_app(app)
    app.cli.add_command(organiser_cli)
