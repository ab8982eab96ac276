"""What names the site on every page: the favicon browsers ask for at /favicon.ico, and
whom attendees can write to."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, send_from_directory

STATIC_FOLDER = Path(__file__).resolve().parent.parent / "static"
ICON_MAX_AGE = 7 * 24 * 3600  # a week: browsers ask for it on every page otherwise


def favicon():
    return send_from_directory(STATIC_FOLDER, "favicon.ico", mimetype="image/x-icon",
                               max_age=ICON_MAX_AGE)


def contact_email(event=None) -> str:
    """Whom attendees write to about an event: its organiser, else the site's contact
    (SITE_CONTACT_EMAIL); '' when neither is set."""
    organiser_email = getattr(event, "organiser_email", "") or ""
    return organiser_email or current_app.config.get("SITE_CONTACT_EMAIL", "")


def init_app(app: Flask) -> None:
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.jinja_env.globals["contact_email"] = contact_email
