"""`flask mail ...`: the sending domain's keys and DNS, as receivers see them."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from . import dns_check
from .dkim_keys import (
    configured_key,
    domain_of,
    key_from_pem,
    new_key_pem,
    write_new_key,
    zone_file_line,
)

mail_cli = AppGroup("mail", help="Email authentication and deliverability.")


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
