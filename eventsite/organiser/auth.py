"""Logging in and out of the organiser area."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import utcnow
from ..extensions import db, limiter
from ..models import Organiser
from . import bp
from .forms import LoginForm

# Checked when no organiser has the address, so a wrong address takes as long as a
# wrong password and does not reveal who has an account.
_DUMMY_HASH = generate_password_hash("not a real password")


def safe_next(target: str | None) -> str | None:
    """A path on this site to go to after logging in, or None if it could lead elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


def login_email_key() -> str:
    return "login:" + request.form.get("email", "").strip().lower()[:320]


def login_failed(response: Response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=login_email_key,
               deduct_when=login_failed)
def login():
    next_path = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("organiser.index"))
    form = LoginForm()
    if form.validate_on_submit():
        organiser = db.session.scalar(
            sa.select(Organiser).where(
                sa.func.lower(Organiser.email) == form.email.data.strip().lower())
        )
        if organiser is not None and organiser.check_password(form.password.data):
            organiser.last_login_at = utcnow()
            db.session.commit()
            login_user(organiser)
            flash("You are logged in.", "success")
            return redirect(next_path or url_for("organiser.index"))
        if organiser is None:
            check_password_hash(_DUMMY_HASH, form.password.data)
        form.password.errors.append("That email and password do not match an organiser.")
    return render_template("organiser/login.html", form=form), 200


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are logged out.", "success")
    return redirect(url_for("organiser.login"))
