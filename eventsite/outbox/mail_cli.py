"""`flask mail ...`: the sending domain's keys and DNS as receivers see them, and bounces
and complaints coming home.

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
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from . import dns_check
from .bounce_mailbox import fetch_bounces
from .bounce_records import BounceResult, Outcome, process_bounce
from .dkim_keys import (
    configured_key,
    domain_of,
    key_from_pem,
    new_key_pem,
    write_new_key,
    zone_file_line,
)

mail_cli = AppGroup("mail", help="Email authentication, deliverability, bounces.")

EX_TEMPFAIL = 75  # sysexits.h: a temporary failure, the mail server retries


@mail_cli.command("dkim-keygen")
@click.argument("domain")
@click.argument("selector")
@click.option("--ed25519", "use_ed25519", is_flag=True,
              help="An Ed25519 key instead of RSA 2048 (not every receiver checks these).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the key [instance/dkim/SELECTOR.DOMAIN.pem].")
def dkim_keygen(domain: str, selector: str, use_ed25519: bool, output: Path | None) -> None:
    """Write a new DKIM key for DOMAIN and print the DNS record to publish."""
    domain = domain.lower().rstrip(".")
    path = output or Path(current_app.instance_path) / "dkim" / f"{selector}.{domain}.pem"
    pem = new_key_pem(use_ed25519=use_ed25519)
    try:
        write_new_key(path, pem)
    except FileExistsError:
        raise click.ClickException(f"{path} exists already; it is not overwritten.") from None
    key = key_from_pem(pem, domain, selector)
    click.echo(f"Wrote {key.algorithm} key to {path} (readable by you only).\n")
    click.echo("Publish this DNS TXT record:\n")
    click.echo(f"    {zone_file_line(key)}\n")
    click.echo("Then set:\n")
    click.echo(f"    DKIM_DOMAIN={domain}\n    DKIM_SELECTOR={selector}\n"
               f"    DKIM_PRIVATE_KEY_FILE={path.resolve()}\n")
    click.echo("and check with `flask mail check-dns`.")


@mail_cli.command("check-dns")
@click.option("--nameserver", metavar="IP[:PORT]", default=None,
              help="Ask this resolver instead of the system's.")
def check_dns(nameserver: str | None) -> None:
    """Check the SPF, DKIM, DMARC and MX records of the sender's domain."""
    domain = domain_of(current_app.config["MAIL_DEFAULT_SENDER"])
    resolver = dns_check.make_resolver(nameserver)
    findings = dns_check.check_dns(resolver, domain, configured_key())
    for finding in findings:
        click.echo(f"{'ok' if finding.ok else 'PROBLEM'}  {finding.record}: {finding.text}")
    problems = [finding.record for finding in findings if not finding.ok]
    if problems:
        click.echo(f"\nTo fix for {domain}: {', '.join(problems)}.")
        sys.exit(1)
    click.echo(f"\nAll is well: {domain} publishes SPF, DKIM, DMARC and MX records that "
               "match this site's mail.")


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
