"""Outbox test helpers: an app that mails the test SMTP server, queued rows, worker processes."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from eventsite.extensions import mail
from tests.conftest import ROOT


@pytest.fixture
def smtp_app(app, smtp_server):
    """The app, sending through the outbox to the test SMTP server."""
    app.config.update(
        MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
        OUTBOX_RETRY_BASE=30, OUTBOX_MAX_ATTEMPTS=3, OUTBOX_LEASE_SECONDS=300,
    )
    mail.init_app(app)  # Flask-Mail reads its settings when initialised
    return app


def worker_env(app, smtp_server, **settings) -> dict:
    """The environment of a `flask outbox run` process on the test's database and server."""
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SITE_URL": app.config["SITE_URL"],
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "MAIL_DEFAULT_SENDER": app.config["MAIL_DEFAULT_SENDER"],
        "MAIL_FOLDER": app.config["MAIL_FOLDER"],
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "RATELIMIT_ENABLED": "false",
        "FLASK_DEBUG": "0",
        **{key: str(value) for key, value in settings.items()},
    }


def start_worker(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "run", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
