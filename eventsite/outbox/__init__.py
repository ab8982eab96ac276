"""The mail engine: messages queued in the caller's transaction, a worker that sends them,
scheduled mail registered by the areas that own it. It imports no area."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import cli, mail_cli

    cli.init_app(app)
    app.cli.add_command(mail_cli.mail_cli)
