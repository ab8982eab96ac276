"""An event's description rendered once, when saved, and kept beside its Markdown.

Rendering and sanitising Markdown costs milliseconds, far more than the rest of an event
page, so the HTML is stored (`Event.description_html`) with the fingerprint of the rules it
was rendered under (`Event.description_rules`): the sanitiser's allow-lists, its link
attributes and the versions of Markdown and nh3. Every save renders it (a session hook,
whichever code path saves the event); pages use the stored HTML only while its
fingerprint is today's. When the rules change (a new allow-list, an upgraded library)
pages render the description afresh, correct at once, until
`flask events render-descriptions` stores it again (run it after such a deploy; it
changes only the events whose fingerprint differs).
"""
from __future__ import annotations

import hashlib
import json
from importlib.metadata import version

import sqlalchemy as sa
from flask import Flask
from markupsafe import Markup
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Event
from . import text


def rules_fingerprint() -> str:
    """What the stored HTML depends on besides the Markdown itself."""
    rules = {
        "tags": sorted(text.ALLOWED_TAGS),
        "attributes": {tag: sorted(names) for tag, names in text.ALLOWED_ATTRIBUTES.items()},
        "schemes": sorted(text.ALLOWED_URL_SCHEMES),
        "link_rel": text.LINK_REL,
        "markdown": version("Markdown"),
        "nh3": version("nh3"),
    }
    return hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()[:32]


RULES = rules_fingerprint()


def markdown_html(source: str | None) -> str:
    """The sanitised HTML of this Markdown, as pages show it."""
    return str(text.render_markdown(source))


def store_description(event: Event) -> None:
    event.description_html = markdown_html(event.description)
    event.description_rules = RULES


def description_html(event: Event) -> Markup:
    """The event's description as HTML: stored, unless the rules changed since."""
    if event.description_rules == RULES:
        # nosec B704: stored from render_markdown (nh3 with today's allow-list, per RULES).
        return Markup(event.description_html)  # nosec B704
    return text.render_markdown(event.description)


def stale_descriptions() -> list[Event]:
    return list(db.session.scalars(
        sa.select(Event).where(Event.description_rules != RULES).order_by(Event.id)))


def _render_on_save(session: Session, _flush_context, _instances) -> None:
    for event in (*session.new, *session.dirty):
        if isinstance(event, Event) and (
            event.description_rules != RULES
            or sa.inspect(event).attrs.description.history.has_changes()
        ):
            store_description(event)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["description_html"] = description_html
    session_class = db.session.session_factory.class_
    if not sa.event.contains(session_class, "before_flush", _render_on_save):
        sa.event.listen(session_class, "before_flush", _render_on_save)
