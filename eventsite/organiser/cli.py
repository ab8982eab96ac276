"""`flask organiser create`, `password` and `logout-all`: organiser logins from the
command line."""
from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup

from .. import audit
from ..extensions import db
from ..models import Organiser
from .passwords import WeakPassword, check_password_strength, personal_words

organiser_cli = AppGroup("organiser", help="Manage organiser logins.")

password_stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password as one line from standard input."
)


def find_organiser(email: str) -> Organiser | None:
    return db.session.scalar(
        sa.select(Organiser).where(sa.func.lower(Organiser.email) == email.strip().lower())
    )


def existing_organiser(email: str) -> Organiser:
    organiser = find_organiser(email)
    if organiser is None:
        raise click.ClickException(f"No organiser has the address {email}.")
    return organiser


def read_strong_password(password_stdin: bool, email: str, name: str = "") -> str:
    """A password from standard input or asked twice, refused (saying why) if weak."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        check_password_strength(password, personal_words(email, name))
    except WeakPassword as refusal:
        raise click.ClickException(str(refusal)) from None
    return password


@organiser_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="The organiser's name, shown in the audit log.")
@password_stdin_option
def create_organiser(email: str, name: str, password_stdin: bool):
    """Create an organiser who can log in at /admin/."""
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.ClickException(f"{email!r} is not a valid email address: {error}") from None
    if find_organiser(email) is not None:
        raise click.ClickException(f"An organiser with the address {email} already exists.")
    password = read_strong_password(password_stdin, email, name)
    organiser = Organiser(email=email, name=name)
    organiser.set_password(password)
    db.session.add(organiser)
    db.session.commit()
    click.echo(f"Organiser {email} created. They can log in at /admin/login.")


@organiser_cli.command("password")
@click.argument("email")
@password_stdin_option
def change_password(email: str, password_stdin: bool):
    """Set a new password for an organiser."""
    organiser = existing_organiser(email)
    password = read_strong_password(password_stdin, organiser.email, organiser.name)
    organiser.set_password(password)
    organiser.end_sessions()
    audit.record("password changed", detail=organiser.email)
    db.session.commit()
    click.echo(f"Password changed for {organiser.email}; every session they had has ended.")


@organiser_cli.command("logout-all")
@click.argument("email")
def logout_all(email: str):
    """End every session of an organiser: each browser must log in again."""
    organiser = existing_organiser(email)
    organiser.end_sessions()
    audit.record("logged out everywhere", detail=organiser.email)
    db.session.commit()
    click.echo(f"Every session of {organiser.email} has ended.")
