"""`flask attendees export` and `flask privacy purge`."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from ..database import begin_write_transaction
from ..extensions import db
from ..models import BookingStatus, Event
from .export import export_attendees
from .privacy import purge_bookings

attendees_cli = AppGroup("attendees", help="Attendee lists.")
privacy_cli = AppGroup("privacy", help="Forget attendees' personal data.")


@attendees_cli.command("export")
@click.argument("slug")
@click.option("--status", type=click.Choice([status.value for status in BookingStatus]),
              default=None,
              help="Only bookings with this status (default: all).")
@click.option("-o", "--output", type=click.File("wb"), default="-",
              help="File to write (default: standard output).")
def export_command(slug: str, status: str | None, output):
    """Write an event's attendee CSV (the same bytes as "Export CSV" in /admin)."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"There is no event with the web address {slug!r}.")
    chunks = export_attendees(event, status, via="from the command line")
    db.session.commit()
    for chunk in chunks:
        output.write(chunk)


@privacy_cli.command("purge")
@click.option("--older-than", "days", type=click.IntRange(min=0), default=None,
              help="Days since the event ended (default: PRIVACY_PURGE_DAYS, e.g. 365).")
def purge_command(days: int | None):
    """Anonymise the bookings of events that ended longer ago than DAYS."""
    if days is None:
        days = current_app.config["PRIVACY_PURGE_DAYS"]
    begin_write_transaction()
    count, events = purge_bookings(days)
    db.session.commit()
    click.echo(f"Anonymised {count} bookings across {events} events that ended more than "
               f"{days} days ago.")
