"""Who is logged in: organisers, through Flask-Login; logging in and out, audited."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Response, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from ..database import utcnow
from ..extensions import db, login_manager
from ..models import Organiser
from ..web.sessions import start_session

# Checked when no organiser has the address, so a wrong address takes as long as a
# wrong password and does not reveal who has an account.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


@login_manager.user_loader
def load_organiser(session_id: str) -> Organiser | None:
    """The organiser a session names ("id:version"), unless their sessions have been ended
    since it was issued (logout, password change, `flask organiser logout-all`)."""
    organiser_id, _, version = session_id.partition(":")
    if not organiser_id.isdigit() or not version.isdigit():
        return None
    organiser = db.session.get(Organiser, int(organiser_id))
    if organiser is None or organiser.session_version != int(version):
        return None
    return organiser


def safe_next(target: str | None) -> str | None:
    """A path on this site to go to after logging in, or None if it could lead elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


def login_account_key() -> str:
    """Failed logins are counted per account and client address: a stranger guessing at
    an account from elsewhere uses up their own allowance, never its owner's."""
    email = request.form.get("email", "").strip().lower()[:320]
    return f"login:{get_remote_address()}:{email}"


def login_failed(response: Response) -> bool:
    return response.status_code != 302


def log_in(email: str, password: str) -> Organiser | None:
    """The organiser with this address and password, now logged in; else None.

    Either way the attempt is in the audit log (a failure names the address tried).
    """
    organiser = db.session.scalar(
        sa.select(Organiser).where(sa.func.lower(Organiser.email) == email.strip().lower()))
    if organiser is None or not organiser.check_password(password):
        if organiser is None:
            check_password_hash(_DUMMY_HASH, password)
        audit.record("login failed", detail=email.strip()[:320])
        return None
    organiser.last_login_at = utcnow()
    login_user(organiser)
    start_session()
    audit.record("logged in")
    return organiser


def log_out() -> None:
    """End this organiser's sessions everywhere, so no copy of the cookie still works."""
    audit.record("logged out")
    current_user.end_sessions()
    logout_user()
    session.clear()
