"""`flask events render-descriptions`: store descriptions rendered under today's rules."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from ..web.stored_html import stale_descriptions, store_description

events_cli = AppGroup("events", help="Events.")


@events_cli.command("render-descriptions")
def render_descriptions() -> None:
    """Render and store every description saved under other sanitiser rules (after an
    upgrade of Markdown or nh3, or a change to the allow-list)."""
    events = stale_descriptions()
    for event in events:
        store_description(event)
    db.session.commit()
    click.echo(f"{len(events)} event description{'' if len(events) == 1 else 's'} "
               "rendered and stored.")
