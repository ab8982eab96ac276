"""`flask organiser create`: an organiser login from the command line."""
from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup

from ..extensions import db
from ..models import Organiser

MIN_PASSWORD_LENGTH = 12

organiser_cli = AppGroup("organiser", help="Manage organiser logins.")


@organiser_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="The organiser's name, shown in the audit log.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password as one line from standard input."
)
def create_organiser(email: str, name: str, password_stdin: bool):
    """Create an organiser who can log in at /admin/."""
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.ClickException(f"{email!r} is not a valid email address: {error}") from None
    existing = db.session.scalar(
        sa.select(Organiser).where(sa.func.lower(Organiser.email) == email.lower())
    )
    if existing is not None:
        raise click.ClickException(f"An organiser with the address {email} already exists.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
        )
    organiser = Organiser(email=email, name=name)
    organiser.set_password(password)
    db.session.add(organiser)
    db.session.commit()
    click.echo(f"Organiser {email} created. They can log in at /admin/login.")
