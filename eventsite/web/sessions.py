"""How long an organiser's session lasts: at most SESSION_LIFETIME_HOURS from login, and
until SESSION_IDLE_MINUTES pass without a request. The times live in the signed session."""
from __future__ import annotations

import time

from flask import current_app, session

LOGIN_AT = "login_at"  # seconds since the epoch, set at login
SEEN_AT = "seen_at"  # seconds since the epoch, the last organiser page asked for
CSRF_TOKEN = "csrf_token"  # Flask-WTF's key: a new one after login


def start_session() -> None:
    """Begin a logged-in session: a new form token, the clock started."""
    session.pop(CSRF_TOKEN, None)
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def session_is_current() -> bool:
    """True, and the visit noted, unless the session is past its lifetime or idle limit."""
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return False
    now = int(time.time())
    config = current_app.config
    if now - login_at > config["SESSION_LIFETIME_HOURS"] * 3600:
        return False
    if now - seen_at > config["SESSION_IDLE_MINUTES"] * 60:
        return False
    session[SEEN_AT] = now
    return True
