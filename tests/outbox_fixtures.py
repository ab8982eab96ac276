"""Outbox test helpers: an app that mails the test SMTP server, queued rows, worker processes."""
from __future__ import annotations

import os
import subprocess
import sys
from email.utils import make_msgid

import pytest
import sqlalchemy as sa

from eventsite.extensions import db, mail
from eventsite.models import OutboxMessage
from eventsite.outbox.delivery import OutgoingEmail, email_bytes
from tests.conftest import ROOT

CONFIRMATION_TEXT = (
    "Dear Alex,\n\nYou have a place at How local authorities can spin out mutuals.\n\n"
    + "When: Tuesday 20 October 2026, 18:30-20:00 BST\nWhere: Meeting Room 4\n" * 12
)
CONFIRMATION_HTML = "<p>" + CONFIRMATION_TEXT.replace("\n", "<br>\n") + "</p>"


@pytest.fixture
def smtp_app(app, smtp_server):
    """The app, sending through the outbox to the test SMTP server."""
    app.config.update(
        MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
        OUTBOX_RETRY_BASE=30, OUTBOX_MAX_ATTEMPTS=3, OUTBOX_LEASE_SECONDS=300,
    )
    mail.init_app(app)  # Flask-Mail reads its settings when initialised
    return app


def outbox_row(kind: str, dedupe_key: str, recipient: str, subject: str,
               body_text: str = CONFIRMATION_TEXT, body_html: str = CONFIRMATION_HTML,
               **columns) -> OutboxMessage:
    """An outbox row with its email built, as queue_email writes it (no template needed).

    Needs an app context (the sender comes from its config).
    """
    outgoing = OutgoingEmail(
        id=0, kind=kind, message_id=make_msgid(domain="events.example.org"),
        recipient=recipient, subject=subject, body_text=body_text, body_html=body_html,
        headers={}, attempts=0,
    )
    return OutboxMessage(
        kind=kind, dedupe_key=dedupe_key, message_id=outgoing.message_id,
        recipient=recipient, subject=subject, body_text=body_text, body_html=body_html,
        headers={}, raw=email_bytes(outgoing), **columns,
    )


def queue_messages(app, count: int, *, to: str = "attendee{n}@example.org",
                   kind: str = "booking_confirmed") -> list[int]:
    """`count` confirmation-sized rows, queued directly (no template needed)."""
    with app.app_context():
        messages = [
            outbox_row(kind, f"test:{make_msgid()}", to.format(n=n), f"Your place, number {n}")
            for n in range(count)
        ]
        db.session.add_all(messages)
        db.session.commit()
        return [message.id for message in messages]


def outbox_rows(app) -> dict[int, OutboxMessage]:
    """Every outbox row by id, detached, to read after the session closes."""
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return {row.id: row for row in rows}


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
