"""The outbox worker against raw smtplib: messages per second to the same local SMTP server.

N booking confirmations are queued (text, HTML and the .ics, as attendees get them; each
email is built once, when queued, and kept in its outbox row), then the outbox worker
drains them as `flask outbox run` does: over --connections SMTP connections at once (4 by
default), each a thread claiming its own batches, sending each email's bytes and
committing each outcome before its next message. Raw smtplib sends the same number of
messages of the same size (the first confirmation's bytes, exactly as the outbox sends
them) over ONE connection, with no database at all. That is the comparison the goal is
about, and it is not like for like: the outbox wins back its database work by keeping
several connections busy, as mail servers do, while the smtplib loop uses one. For
context it also times the outbox over one connection, smtplib composing each email with
the standard library (EmailMessage: text, HTML, the .ics) before sending it, which is what
code that sends directly has to do, and prints what queueing cost per confirmation
(rendering the templates and building the email, in the booking's transaction). The
server is aiosmtpd in its own process, accepting and discarding. The order of the runs
alternates from round to round; the figures are median ratios (outbox / smtplib). Goal:
at least 0.6 against ready-made bytes.

    .venv/bin/python bench/outbox_vs_smtplib.py [--count 500] [--rounds 5] [--connections 4]
        [--server postgresql://postgres@127.0.0.1:5432/postgres]   (default: SQLite)
"""
from __future__ import annotations

import argparse
import email
import email.policy
import email.utils
import multiprocessing
import smtplib
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa
from common import free_port, machine

from config import normalise_database_url
from eventsite import create_app
from eventsite.bookings.notices import queue_booking_confirmation
from eventsite.bookings.tokens import issue_manage_token
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Booking, Event, OutboxMessage, OutboxStatus
from eventsite.outbox.worker import CONNECTIONS, drain


def serve_smtp(port: int, ready) -> None:
    from aiosmtpd.controller import Controller

    class Discard:
        async def handle_DATA(self, server, session, envelope):
            return "250 2.0.0 Accepted"

    controller = Controller(Discard(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def make_app(database_url: str, tmp: Path, port: int):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "benchmark-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SITE_URL": "https://events.example.org",
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
        "MAIL_DEFAULT_SENDER": "Fringe Events <events@example.org>",
        "MAIL_FOLDER": str(tmp / "mail"), "UPLOAD_FOLDER": str(tmp / "uploads"),
        "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        db.create_all()
    return app


def queue_confirmations(app, count: int) -> float:
    """Queue `count` confirmations, as booking does; returns the seconds queueing took."""
    with app.app_context():
        for table in ("outbox_messages", "bookings"):
            db.session.execute(db.metadata.tables[table].delete())
        event = db.session.query(Event).first()
        if event is None:
            starts = utcnow() + timedelta(days=14)
            event = Event(slug="spinning-out-mutuals", capacity=count,
                          title="How local authorities can spin out mutuals",
                          host_conference="National Children and Adult Services Conference",
                          summary="Three councils on what worked.", venue="Meeting Room 4",
                          address="Manchester Central, Windmill Street, Manchester M2 3GX",
                          starts_at=starts, ends_at=starts + timedelta(hours=1, minutes=30),
                          organiser_email="organiser@example.org", published=True)
            db.session.add(event)
            db.session.flush()
        queueing = 0.0
        for n in range(count):
            booking = Booking(event=event, reference=f"FR-B{n:04d}",
                              name=f"Alex Attendee {n}", email=f"alex{n}@example.org",
                              email_normalised=f"alex{n}@example.org",
                              organisation="Example Council", confirmed_at=utcnow())
            db.session.add(booking)
            db.session.flush()
            token = issue_manage_token(booking)
            start = time.perf_counter()
            queue_booking_confirmation(booking, token)
            queueing += time.perf_counter() - start
        db.session.commit()
    return queueing


def sample_bytes(app) -> bytes:
    """The first queued confirmation exactly as the worker sends it."""
    with app.app_context():
        first_id = db.session.scalar(sa.select(sa.func.min(OutboxMessage.id)))
        raw = db.session.get(OutboxMessage, first_id).raw
    if not raw:
        raise RuntimeError("the confirmation was queued without its email built")
    return raw


def time_outbox(app, count: int, connections: int) -> float:
    """Every queued confirmation made due again (not timed), then drained and timed."""
    with app.app_context():
        db.session.execute(sa.update(OutboxMessage).values(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow(),
            lease_expires_at=None, sent_at=None, last_error=None))
        db.session.commit()
        start = time.perf_counter()
        tally = drain(connections=connections)
        elapsed = time.perf_counter() - start
    if tally.sent != count:
        raise RuntimeError(f"the outbox sent {tally.sent} of {count}")
    return count / elapsed


def time_smtplib(port: int, message: bytes, count: int) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(count):
            smtp.sendmail("events@example.org", [f"alex{n}@example.org"], message)
    return count / (time.perf_counter() - start)


def time_smtplib_composing(port: int, message: bytes, count: int) -> float:
    """For context: smtplib composing each email with the standard library, then sending."""
    sample = email.message_from_bytes(message, policy=email.policy.SMTP)
    text = sample.get_body(("plain",)).get_content()
    html = sample.get_body(("html",)).get_content()
    [invite] = list(sample.iter_attachments())
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(count):
            composed = EmailMessage()
            composed["From"] = "Fringe Events <events@example.org>"
            composed["To"] = f"Alex Attendee {n} <alex{n}@example.org>"
            composed["Subject"] = sample["Subject"]
            composed["Date"] = email.utils.formatdate()
            composed["Message-ID"] = email.utils.make_msgid(domain="events.example.org")
            composed.set_content(text)
            composed.add_alternative(html, subtype="html")
            composed.add_attachment(invite.get_payload(decode=True), "text", "calendar",
                                    filename="invite.ics")
            smtp.send_message(composed)
    return count / (time.perf_counter() - start)


@contextmanager
def fresh_database(server_url: str | None, tmp: str):
    """A new, empty database: a SQLite file, or one created (and dropped) on the server."""
    if not server_url:
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    url = sa.engine.make_url(normalise_database_url(server_url))
    name = f"eventsite_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=CONNECTIONS,
                        help="SMTP connections the outbox opens at once (raw smtplib: one)")
    parser.add_argument("--server", help="a PostgreSQL server URL: the benchmark creates "
                        "and drops its own database there (default: a fresh SQLite file)")
    args = parser.parse_args()

    port = free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve_smtp, args=(port, ready), daemon=True)
    server.start()
    ready.wait(10)
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.server, tmp) as database:
        app = make_app(database, Path(tmp), port)
        ratios = {"outbox": [], "outbox, one connection": [], "outbox / composing": []}
        queueing = []
        for round_number in range(1, args.rounds + 1):
            queueing.append(queue_confirmations(app, args.count) / args.count)
            message = sample_bytes(app)
            rate = run_round(app, port, message, args, reverse=round_number % 2 == 0)
            ratios["outbox"].append(rate["outbox"] / rate["raw"])
            ratios["outbox, one connection"].append(rate["one connection"] / rate["raw"])
            ratios["outbox / composing"].append(rate["outbox"] / rate["composing"])
            print(f"round {round_number}: outbox, {args.connections} connections "
                  f"{rate['outbox']:5.0f} msg/s   smtplib, one connection, bytes ready "
                  f"{rate['raw']:5.0f} msg/s (ratio {ratios['outbox'][-1]:.2f})   outbox, "
                  f"one connection {rate['one connection']:5.0f} msg/s (ratio "
                  f"{ratios['outbox, one connection'][-1]:.2f})   smtplib composing "
                  f"{rate['composing']:5.0f} msg/s   {len(message)} bytes each; "
                  f"queueing {queueing[-1] * 1000:.2f} ms each", flush=True)
        with app.app_context():
            db.engine.dispose()
    server.terminate()
    report(args, ratios, queueing)


def run_round(app, port: int, message: bytes, args, *, reverse: bool) -> dict[str, float]:
    """Messages per second of each way of sending, run one after another."""
    runs = [
        ("raw", lambda: time_smtplib(port, message, args.count)),
        ("composing", lambda: time_smtplib_composing(port, message, args.count)),
        ("one connection", lambda: time_outbox(app, args.count, 1)),
        ("outbox", lambda: time_outbox(app, args.count, args.connections)),
    ]
    if reverse:
        runs.reverse()
    return {name: run() for name, run in runs}


def report(args, ratios: dict[str, list[float]], queueing: list[float]) -> None:
    backend = "PostgreSQL" if args.server else "SQLite"
    median = {name: statistics.median(values) for name, values in ratios.items()}
    print(f"{args.count} confirmations, {backend}; {machine()}")
    print(f"median ratio outbox over {args.connections} SMTP connections / smtplib over one "
          f"connection sending ready-made bytes: {median['outbox']:.2f} (goal: at least 0.6)")
    print(f"for context, the outbox over one connection / smtplib over one: "
          f"{median['outbox, one connection']:.2f}")
    print(f"median ratio outbox over {args.connections} SMTP connections / smtplib over one "
          f"connection composing each email: {median['outbox / composing']:.2f}")
    print(f"median time to queue one confirmation (templates and email, in the booking's "
          f"transaction): {statistics.median(queueing) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
