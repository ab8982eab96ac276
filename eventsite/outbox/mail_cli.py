"""`flask mail ...`: the sending domain's keys and DNS, as receivers see them."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .dkim_keys import (
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

