"""`flask mail ...`: bounces and complaints coming home.

`flask mail bounce` is run by the mail server with one email on standard input. Its exit
code is what the mail server acts on: 0 whenever the email was read, recorded or not (an
email that is not a bounce, or a bounce about mail this site did not send, is explained on
stderr and dropped: a non-zero code would make the mail server bounce the bounce), and 75
(EX_TEMPFAIL) only when it could not be recorded for a reason that may pass, the database
being unreachable, so that the mail server keeps it and tries again later.
"""
from __future__ import annotations

import imaplib
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from .bounce_mailbox import fetch_bounces
from .bounce_records import BounceResult, Outcome, process_bounce

mail_cli = AppGroup("mail", help="Bounces, complaints and the mail domain's set-up.")

EX_TEMPFAIL = 75  # sysexits.h: a temporary failure, the mail server retries


def record_bounce(raw: bytes, envelope_recipient: str | None = None) -> BounceResult:
    """Process one email in a transaction of its own, committed before the next."""
    try:
        result = process_bounce(raw, envelope_recipient)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


@mail_cli.command("bounce")
@click.option("--recipient", metavar="ADDRESS",
              help="The address the mail server delivered it to (Postfix: "
              "${original_recipient}), where the VERP token is.")
def bounce_command(recipient: str | None):
    """Record the bounce or spam complaint on standard input (run by the mail server).

    Exits 0 when the email was read, whether or not it was a bounce (the reason goes to
    stderr), and 75 (EX_TEMPFAIL) when the database could not be reached, so the mail
    server tries again later.
    """
    raw = sys.stdin.buffer.read()
    try:
        result = record_bounce(raw, recipient)
    except sa.exc.SQLAlchemyError as error:
        click.echo(f"Could not record it, the database is unavailable: {error}", err=True)
        sys.exit(EX_TEMPFAIL)
    click.echo(result.description, err=result.outcome != Outcome.RECORDED)


@mail_cli.command("fetch-bounces")
def fetch_bounces_command():
    """Record the bounces and complaints waiting in BOUNCE_IMAP_URL, deleting each one.

    Emails that are not bounces are left in the mailbox, marked read.
    """
    url = current_app.config.get("BOUNCE_IMAP_URL")
    if not url:
        raise click.ClickException("Set BOUNCE_IMAP_URL (imaps://user:password@host/INBOX).")
    try:
        tally = fetch_bounces(url, record_bounce)
    except (OSError, imaplib.IMAP4.error, sa.exc.SQLAlchemyError) as error:
        click.echo(f"Could not fetch bounces: {error}", err=True)
        sys.exit(EX_TEMPFAIL)
    for result in tally.results:
        click.echo(result.description, err=result.outcome != Outcome.RECORDED)
    recorded = sum(result.outcome == Outcome.RECORDED for result in tally.results)
    click.echo(f"Recorded {recorded}, deleted {len(tally.results) - tally.left}, "
               f"left {tally.left} that were not bounces.")
