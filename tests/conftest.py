"""Fixtures that build the real thing: a real database file or server, a real app."""
from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from email import message_from_bytes
from email.policy import default as default_policy
from email.utils import getaddresses
from pathlib import Path
from urllib.request import urlopen

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from config import normalise_database_url
from eventsite import create_app
from eventsite.extensions import db
from eventsite.models import AuditEntry, Booking, OutboxMessage

pytest_plugins = ["tests.smtp", "tests.outbox_fixtures", "tests.dns_stub"]  # their fixtures

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def require(condition: object, reason: str) -> None:
    """Skip for want of a service; under CI=true a skip is a failure instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true, so this cannot be skipped)")
    pytest.skip(reason)


def wait_until(condition, what: str, timeout: float = 30, interval: float = 0.05):
    """Poll `condition` until it returns something true and return that; when `timeout`
    seconds pass first, fail saying what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'eventsite.db'}"
        return
    require(POSTGRES_URL, "TEST_DATABASE_URL is not set, so PostgreSQL is not tested")
    server_url = make_url(normalise_database_url(POSTGRES_URL))
    name = f"eventsite_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield server_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_config(database_url: str, tmp_path: Path, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_hex(16),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SITE_URL": "https://events.example.org",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "file",
        "MAIL_FOLDER": str(tmp_path / "mail"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "MAIL_DEFAULT_SENDER": "Fringe Events <events@example.org>",
        "PAGE_CACHE_CHECK_SECONDS": 0,  # pages always reflect the database the test just changed
        **overrides,
    }


test_config.__test__ = False  # a helper, not a test


@pytest.fixture
def app(request, database_url, tmp_path):
    """The app on a fresh database with the schema created.

    CSRF and rate limits are off unless the test is marked @pytest.mark.csrf or
    @pytest.mark.ratelimit, so the tests that check them run with them on.
    """
    overrides = {}
    if request.node.get_closest_marker("csrf"):
        overrides["WTF_CSRF_ENABLED"] = True
    if request.node.get_closest_marker("ratelimit"):
        overrides["RATELIMIT_ENABLED"] = True
    with running_app(test_config(database_url, tmp_path, **overrides)) as app:
        yield app


@contextmanager
def running_app(config: dict):
    """The app with these settings on its fresh database, the schema created; its
    connections closed afterwards."""
    app = create_app(config)
    with app.app_context():
        db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@contextmanager
def gunicorn_server(app, *, workers: int = 4, threads: int = 4, **settings):
    """The app under gunicorn on a free port, on the app's database; yields the base URL.

    `settings` become environment variables of the server (RATELIMIT_ENABLED="true", ...).
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SITE_URL": base_url,
        "RATELIMIT_ENABLED": "false",
        "MAIL_BACKEND": "file",
        "MAIL_FOLDER": app.config["MAIL_FOLDER"],
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "FLASK_DEBUG": "0",
        "PAGE_CACHE_CHECK_SECONDS": "0",
        **settings,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "wsgi:app", "--workers", str(workers),
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urlopen(base_url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def live_server(app):
    """The app under gunicorn (4 workers x 4 threads) on the test's database."""
    with gunicorn_server(app) as base_url:
        yield base_url


# --- helpers shared by the test modules ------------------------------------------------

PASSWORD = "correct horse battery"


def log_in(client, app, email: str = "organiser@example.org"):
    """Make an organiser and log in through the login form, as a person would.

    The login itself writes a "logged in" audit entry.
    """
    from tests.factories import make_organiser

    organiser = make_organiser(app, email=email, password=PASSWORD)
    response = client.post("/admin/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return organiser


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def load(app, model, ident):
    with app.app_context():
        row = db.session.get(model, ident)
        db.session.expunge_all()
        return row


def outbox(app, kind: str | None = None) -> list[OutboxMessage]:
    """The queued emails (of one kind), oldest first, detached to read after the session."""
    with app.app_context():
        query = (sa.select(OutboxMessage).options(sa.orm.undefer(OutboxMessage.raw))
                 .order_by(OutboxMessage.id))
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return list(rows)


def by_id(rows) -> dict:
    return {row.id: row for row in rows}


def attached_files(raw: bytes) -> list[tuple[str, str, bytes]]:
    """(filename, type, content) of each file in the email, as its recipient gets it."""
    message = message_from_bytes(raw, policy=default_policy)
    return [(part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            for part in message.iter_attachments()]


def deliver(app):
    """Run the outbox worker once, as `flask outbox run --once` does."""
    from eventsite.outbox.worker import drain

    with app.app_context():
        return drain()


# --- booking through the public form ---------------------------------------------------

VALID = {
    "name": "Ada Lovelace",
    "email": "ada@example.org",
    "organisation": "Analytical Engines Ltd",
    "job_title": "Analyst",
    "access_needs": "Step-free access, please",
    "wants_followup": "y",
}
MANAGE_LINK = re.compile(r"https://events\.example\.org/bookings/([A-Za-z0-9_-]{43})")


def book(client, event, **fields):
    return client.post(f"/events/{event.slug}/book", data={**VALID, **fields})


def stored_bookings(app, event=None) -> list[Booking]:
    with app.app_context():
        query = sa.select(Booking).order_by(Booking.id)
        if event is not None:
            query = query.where(Booking.event_id == event.id)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return list(rows)


def manage_token(message: OutboxMessage) -> str:
    """The manage token in a queued email, as its recipient gets it (the text kept for
    the mail log never holds it)."""
    parsed = message_from_bytes(message.raw, policy=default_policy)
    return MANAGE_LINK.search(parsed.get_body(("plain",)).get_content()).group(1)


def only_address(recipient: str) -> str:
    assert "\r" not in recipient and "\n" not in recipient
    addresses = getaddresses([recipient])
    assert len(addresses) == 1, recipient
    return addresses[0][1]
