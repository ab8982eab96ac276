"""The mail log as people read it: names decoded from their MIME encoded-words, and
times in the event's timezone (or the site's, SITE_TIMEZONE) written as the rest of the
organiser area writes them."""
from __future__ import annotations

from datetime import datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from ..models import Event
from ..web.text import format_date, format_time


def decoded_text(value: str) -> str:
    """'=?utf-8?q?Zo=C3=AB?=' as 'Zoë'; text that is not encoded stays as it is."""
    try:
        return str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
        return value


def recipient_parts(recipient: str) -> tuple[str, str]:
    """A To header's display name, decoded, and its address."""
    name, address = parseaddr(recipient)
    if not address:
        return "", decoded_text(recipient)
    return decoded_text(name), address


def zone_of(event: Event | None) -> ZoneInfo:
    return event.tz if event is not None else ZoneInfo(current_app.config["SITE_TIMEZONE"])


def local_moment(value: datetime | None, event: Event | None = None) -> str:
    """'Tuesday 20 October 2026, 18:30 BST': the organiser area's date and time, in the
    event's timezone, or the site's for mail about no event."""
    if value is None:
        return ""
    local = value.astimezone(zone_of(event))
    return f"{format_date(local)}, {format_time(local)} {local:%Z}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["recipient_parts"] = recipient_parts
    app.jinja_env.filters["decoded_header"] = decoded_text
    app.jinja_env.globals["local_moment"] = local_moment
