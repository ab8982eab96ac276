"""`flask outbox run | status | retry`: send queued email, see where it stands, retry."""
from __future__ import annotations

import os
import select
import signal
import sys
import threading
from contextlib import contextmanager

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from ..extensions import db
from ..models import OutboxMessage
from .schedule import queue_scheduled_messages
from .services import failed_messages, outbox_counts, retry_failed_messages, retry_message
from .worker import BATCH_SIZE, CONNECTIONS, MAX_CONNECTIONS, Tally, count_due, drain

outbox_cli = AppGroup("outbox", help="Send queued email and look after the outbox.")


class StopRequest:
    """Set by SIGTERM or SIGINT: finish the message in hand, then stop.

    The signal handler runs between any two steps of the worker, inside a database call,
    a log write or a wait, so it only records the signal and writes a byte to a pipe
    that `wait` watches: it takes no lock (waking a threading.Event from there can
    deadlock on the lock its waiter holds) and writes no text (a reentrant write to a
    stream fails). The stop is announced by the worker itself when it notices, once,
    whichever of its connection threads notices first; the handler always runs in the
    main thread, and every thread sees the flag it sets.
    """

    def __init__(self) -> None:
        self.signal_number: int | None = None
        self._announced = False
        self._announcing = threading.Lock()  # never taken by the signal handler
        self._wake_read = self._wake_write = -1

    def __call__(self) -> bool:
        if self.signal_number is None:
            return False
        with self._announcing:
            if not self._announced:
                self._announced = True
                name = signal.Signals(self.signal_number).name
                click.echo(f"Stopping after the message in hand ({name}).", err=True)
        return True

    def wait(self, seconds: float) -> None:
        """Sleep up to `seconds` (while installed), waking at once when a stop is requested."""
        if not self():
            select.select([self._wake_read], [], [], seconds)

    def _request(self, signum, _frame) -> None:
        self.signal_number = signum
        try:
            os.write(self._wake_write, b"\0")
        except OSError:  # the pipe is full: a wake-up is already waiting
            pass

    @contextmanager
    def installed(self):
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)
        previous = {sig: signal.signal(sig, self._request)
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            os.close(self._wake_read)
            os.close(self._wake_write)


def run_pass(batch_size: int, connections: int, stop: StopRequest) -> Tally:
    """Queue what the schedule says is due, then send everything due."""
    try:
        queue_scheduled_messages()
        db.session.commit()
    except Exception:  # a scheduling fault must not hold up the mail already queued
        db.session.rollback()
        current_app.logger.exception("Could not queue the scheduled reminders and lists")
    options = {"batch_size": batch_size, "connections": connections, "should_stop": stop}
    if not sys.stdout.isatty():
        return drain(**options)
    due = count_due()
    db.session.rollback()
    if not due:
        return drain(**options)
    with click.progressbar(length=due, label="Sending", show_pos=True) as bar:
        return drain(**options, on_done=lambda _message, _status: bar.update(1))


def describe_tally(tally: Tally) -> str:
    return f"Sent {tally.sent}, to retry later {tally.retrying}, failed {tally.failed}."


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--batch-size", type=click.IntRange(1, 1000), default=BATCH_SIZE,
              show_default=True, help="Messages claimed (and sent over one connection) at a time.")
@click.option("--connections", type=click.IntRange(1, MAX_CONNECTIONS), default=CONNECTIONS,
              show_default=True, help="SMTP connections open at once, each sending its "
              "own batches in a thread of its own.")
@click.option("--poll-interval", type=click.FloatRange(0.05, 60), default=1.0,
              show_default=True, help="Seconds to wait when nothing is due.")
def run_command(once: bool, batch_size: int, connections: int, poll_interval: float):
    """Send queued email until stopped (SIGTERM or Ctrl-C stop it cleanly)."""
    stop = StopRequest()
    if not once:
        click.echo(f"Outbox worker started ({describe_backend(connections)}); "
                   "stop it with Ctrl-C or SIGTERM.")
    with stop.installed():
        while not stop():
            try:
                tally = run_pass(batch_size, connections, stop)
            except sa.exc.OperationalError:
                if once:
                    raise
                db.session.rollback()
                current_app.logger.exception("Database unavailable; trying again shortly")
                stop.wait(poll_interval * 5)
                continue
            if tally.total or once:
                click.echo(describe_tally(tally))
            if once:
                break
            if not tally.total:
                stop.wait(poll_interval)
    db.session.remove()
    if not once:
        click.echo("Outbox worker stopped.")


def describe_backend(connections: int) -> str:
    config = current_app.config
    if config["MAIL_BACKEND"] == "file":
        return f"writing .eml files to {config['MAIL_FOLDER']}"
    return (f"sending by SMTP to {config['MAIL_SERVER']}:{config['MAIL_PORT']} "
            f"over {connections} connection{'s' if connections != 1 else ''}")


@outbox_cli.command("status")
def status_command():
    """Counts by status, then every failed message with its reason."""
    counts = outbox_counts()
    for status, count in counts.items():
        click.echo(f"{status.capitalize():<8} {count:>7}")
    failed = failed_messages()
    if failed:
        click.echo("\nFailed messages (requeue with `flask outbox retry`):")
    for message in failed:
        click.echo(f"  #{message.id} {message.kind} to {message.recipient}: {message.subject}")
        click.echo(f"      after {message.attempts} attempt(s): {message.last_error}")


@outbox_cli.command("retry")
@click.option("--id", "ids", type=int, multiple=True,
              help="Requeue only this message (repeat for several). Default: every failed one.")
def retry_command(ids: tuple[int, ...]):
    """Queue failed messages to be sent again, keeping their Message-IDs."""
    if not ids:
        count = retry_failed_messages()
        db.session.commit()
        click.echo(f"Requeued {count} failed message(s).")
        return
    problems = []
    for message_id in ids:
        message = db.session.get(OutboxMessage, message_id)
        if message is None:
            problems.append(f"There is no message #{message_id}.")
        elif message.status != "failed":
            problems.append(f"Message #{message_id} has not failed (it is {message.status}).")
        elif not retry_message(message):
            problems.append(f"Message #{message_id} is held back: {message.last_error}")
        else:
            click.echo(f"Requeued message #{message_id} to {message.recipient}.")
    db.session.commit()
    if problems:
        raise click.ClickException(" ".join(problems))


def init_app(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
