"""The mail engine: messages queued in the caller's transaction, a worker that sends them,
scheduled mail registered by the areas that own it. It imports no area."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import cli, dkim_keys, mail_cli, standing

    dkim_keys.init_app(app)
    cli.init_app(app)
    app.cli.add_command(mail_cli.mail_cli)
    # Where an email stands, in words, for every page that lists emails.
    app.jinja_env.filters["mail_status"] = standing.status_words
    app.jinja_env.filters["mail_status_reason"] = standing.status_reason
    app.jinja_env.filters["suppression_reason"] = standing.suppression_in_words
