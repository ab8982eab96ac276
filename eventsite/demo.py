"""Demo content: one bookable fringe event, one past event with resources, an organiser.

Every person here is invented, and their profiles say so. Loading twice changes nothing.
The demo organiser gets a random password, shown once when it is created; the command
refuses to run outside debug mode (`make run`) unless told `--force`.

The demo's brand (SITE_NAME, SITE_DESCRIPTION, SITE_CONTACT_EMAIL for the conference's
fringe) is configuration, read once from the environment: `make run` passes it (see the
Makefile), so nothing here writes settings.
"""
from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from .database import utcnow
from .extensions import db
from .models import DEFAULT_TIMEZONE, Event, EventSpeaker, Organiser, Resource, Speaker

DEMO_ORGANISER_EMAIL = "organiser@example.org"
EXAMPLE_NOTE = "\n\n*This is an example profile: the person is invented for the demo.*"

SPEAKERS = [
    {
        "slug": "amara-okafor",
        "name": "Amara Okafor",
        "role": "Chief Executive",
        "organisation": "Brightwater Children's Services Mutual",
        "bio": "Amara led the spin-out of a council's children's services into a staff-owned "
        "mutual, and now runs it with a board of staff, young people and carers.",
        "email": "amara.okafor@example.org",
    },
    {
        "slug": "david-llewellyn",
        "name": "David Llewellyn",
        "role": "Managing Director",
        "organisation": "Valleys Care Co-operative",
        "bio": "David runs an adult social care mutual providing home care and day "
        "opportunities, owned by the people who work in it.",
        "email": "david.llewellyn@example.org",
    },
    {
        "slug": "priya-shah",
        "name": "Priya Shah",
        "role": "Director of Adult Social Services",
        "organisation": "Northfield County Council",
        "bio": "Priya commissioned one of the first adult social care mutuals and has "
        "views on what councils should ask for, and what they should let go of.",
        "email": "priya.shah@example.org",
    },
    {
        "slug": "tom-whitaker",
        "name": "Tom Whitaker",
        "role": "Head of Public Service Mutuals",
        "organisation": "Mutuals Support Network",
        "bio": "Tom advises councils and staff teams on business cases, governance and "
        "the legal route out of the council.",
        "email": "tom.whitaker@example.org",
    },
]

UPCOMING = {
    "slug": "spin-out-mutuals",
    "title": "How local authorities can 'spin out' mutuals",
    "host_conference": "National Children and Adult Services Conference",
    "summary": "Council leaders and mutual founders on moving children's and adult "
    "services into staff-owned mutuals: what works, what it costs, what to avoid.",
    "description": """Staff-owned mutuals now run children's centres, youth services, home
care and day services for dozens of councils. This fringe session brings together people
who have done it, from both sides of the table.

## What we will cover

- The business case, and how to keep services stable during the move
- Governance: who owns the mutual, and how people who use services have a say
- Procurement and contracts after spin-out
- Questions from the floor

Tea and coffee from 12:15. The session starts promptly at 12:30.""",
    "venue": "Meeting Room 4, Conference Centre",
    "address": "Riverside Conference Centre, 1 Quay Street, Manchester M3 3JE",
    "capacity": 60,
    "organiser_email": DEMO_ORGANISER_EMAIL,
}

PAST = {
    "slug": "mutuals-one-year-on",
    "title": "Public service mutuals: one year on",
    "host_conference": "National Children and Adult Services Conference",
    "summary": "What happened to the mutuals that spun out last year, in their own words.",
    "description": "A look back at the first year of three staff-owned mutuals.",
    "venue": "Meeting Room 2, Conference Centre",
    "address": "Riverside Conference Centre, 1 Quay Street, Manchester M3 3JE",
    "capacity": 40,
    "organiser_email": DEMO_ORGANISER_EMAIL,
}


def _at(day_offset: int, hour: int, minute: int) -> datetime:
    tz = ZoneInfo(DEFAULT_TIMEZONE)
    day = utcnow().astimezone(tz).date() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def _upsert(model, slug: str, values: dict):
    """Create the row with this slug, or leave the existing one as it is."""
    row = db.session.scalar(sa.select(model).where(model.slug == slug))
    if row is None:
        row = model(**values)
        db.session.add(row)
        db.session.flush()
    return row


def load_demo() -> tuple[Organiser, str | None]:
    """Create the demo content that is missing; leave what is there alone. Returns the
    demo organiser and, when it was created just now, its password."""
    speakers = {}
    for values in SPEAKERS:
        row = _upsert(Speaker, values["slug"], {**values, "bio": values["bio"] + EXAMPLE_NOTE})
        speakers[row.slug] = row

    upcoming = _upsert(
        Event,
        UPCOMING["slug"],
        {**UPCOMING, "starts_at": _at(21, 12, 30), "ends_at": _at(21, 14, 0), "published": True},
    )
    past = _upsert(
        Event,
        PAST["slug"],
        {**PAST, "starts_at": _at(-340, 12, 30), "ends_at": _at(-340, 14, 0), "published": True},
    )
    if not upcoming.speaker_links:
        roles = ["chair", "speaker", "speaker", "panellist"]
        for position, (slug, role) in enumerate(zip(speakers, roles)):
            upcoming.speaker_links.append(
                EventSpeaker(speaker=speakers[slug], position=position, role=role)
            )
    if not past.speaker_links:
        past.speaker_links.append(
            EventSpeaker(speaker=speakers["tom-whitaker"], position=0, role="chair")
        )
    if not past.resources:
        past.resources.append(
            Resource(
                title="Mutuals one year on: summary report (example link)",
                url="https://example.org/mutuals-one-year-on-report",
                published=True,
                position=0,
            )
        )

    return add_demo_organiser()


def add_demo_organiser() -> tuple[Organiser, str | None]:
    """The demo organiser and, if it is new, its random password (never stored in clear)."""
    organiser = db.session.scalar(
        sa.select(Organiser).where(Organiser.email == DEMO_ORGANISER_EMAIL)
    )
    if organiser is not None:
        return organiser, None
    password = secrets.token_urlsafe(18)
    organiser = Organiser(email=DEMO_ORGANISER_EMAIL, name="Demo Organiser")
    organiser.set_password(password)
    db.session.add(organiser)
    db.session.flush()
    return organiser, password


@click.command("demo")
@click.option("--force", is_flag=True,
              help="Load the demo content outside debug mode, on a site people can reach.")
@with_appcontext
def demo_command(force: bool):
    """Load the demo event, speakers and organiser (safe to run again)."""
    if not (current_app.debug or force):
        raise click.ClickException(
            "flask demo adds an organiser login and invented events, so it runs only in "
            "debug mode (FLASK_DEBUG=1, as `make run` does). To load it here anyway, run "
            "`flask demo --force`."
        )
    organiser, password = load_demo()
    db.session.commit()
    click.echo("Demo content is loaded.")
    if password is None:
        click.echo(f"The demo organiser {organiser.email} already exists: its password was "
                   "shown when it was created. To set a new one, run "
                   f"`flask organiser password {organiser.email}`.")
    else:
        click.echo(f"Demo organiser login: {organiser.email} / {password}")
        click.echo("This password is shown only now; keep it.")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_command)
