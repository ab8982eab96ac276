"""The organiser area at /admin: events, speakers, bookings at the door, exports, audit.

Every page here requires a logged-in organiser; that rule lives in one place,
`require_organiser` below, so a new view cannot forget it.
"""
from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, request
from flask_login import current_user

from ..database import begin_write_transaction
from ..extensions import db, login_manager

bp = Blueprint("organiser", __name__, url_prefix="/admin")
OPEN_ENDPOINTS = {"organiser.login"}


@bp.before_request
def require_organiser():
    if any("\x00" in value for value in request.args.values()):
        # No link of ours carries one, and PostgreSQL cannot search text holding one.
        abort(400)
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.method == "POST":
        # Take the write lock before reading (SQLite: BEGIN IMMEDIATE), so two organisers
        # changing things at once, say at the door, wait for each other instead of failing.
        begin_write_transaction(db.session())
    return None


@bp.after_request
def never_cache(response: Response) -> Response:
    # Attendee data must not linger in shared or browser caches.
    response.headers["Cache-Control"] = "no-store"
    return response


from . import audit, auth, bookings, events, resources, speakers  # noqa: E402,F401
from . import attendee_list, followups, mail  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Register the organiser area, resource downloads and the related commands."""
    from .. import exports, privacy
    from ..events.downloads import bp as downloads_bp
    from ..uploads import MAX_CONTENT_LENGTH

    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.register_blueprint(bp)
    app.register_blueprint(downloads_bp)
    exports.init_app(app)
    privacy.init_app(app)
