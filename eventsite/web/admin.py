"""The organiser area's blueprints: every page under /admin requires a logged-in organiser
whose session has not run out.

Each area keeps its organiser pages in a blueprint made here, so the rule lives in one
place and a new view cannot forget it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, Response, abort, flash, request, session
from flask_login import current_user, logout_user

from ..database import begin_write_transaction
from ..extensions import db, login_manager
from .sessions import session_is_current

OPEN_ENDPOINTS = {"organiser.login"}

Done = TypeVar("Done")


def require_organiser():
    if any("\x00" in value for value in request.args.values()):
        # No link of ours carries one, and PostgreSQL cannot search text holding one.
        abort(400)
    if request.method == "POST":
        # Take the write lock before the first read (SQLite: BEGIN IMMEDIATE), so two
        # organisers changing things at once, say at the door, wait for each other
        # instead of failing; everything the view does then runs in this one transaction.
        begin_write_transaction()
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not session_is_current():  # too old, or idle too long
        logout_user()
        session.clear()
        return login_manager.unauthorized()
    return None


def never_cache(response: Response) -> Response:
    # Attendee data must not linger in shared or browser caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def admin_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /admin whose every view requires a logged-in organiser."""
    blueprint = Blueprint(name, import_name, url_prefix="/admin")
    blueprint.before_request(require_organiser)
    blueprint.after_request(never_cache)
    return blueprint


def commit_unless_refused(refused: type[Exception], action: Callable[..., Done],
                          *args, **kwargs) -> Done | None:
    """Do an organiser's action, `action(*args, **kwargs)`, and commit it, returning what it
    returns. If the action is refused (raises `refused`), none of it is kept, the reason is
    flashed as an error and None is returned."""
    try:
        done = action(*args, **kwargs)
    except refused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return None
    db.session.commit()
    return done
