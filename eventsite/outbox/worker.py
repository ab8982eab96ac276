"""The outbox worker: claim due messages, send them, record what happened to each.

Delivery is at least once. A message is claimed with a lease before it is sent, and its
outcome is committed straight after it is sent, before the next message on that
connection is started, so a worker that is killed loses nothing: its leased messages
become due again when the lease runs out, and only the message each of its connections
was sending at that moment can reach its recipient twice.

`drain` sends over one SMTP connection, or several at once (`connections`), each in a
thread of its own that claims and sends its own batches, as separate workers would.
Claims go through the session, a batch at a time; the outcome of each message goes
through `OutcomeLog`, which keeps that one commit per message cheap.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..database import UTCDateTime, begin_write_transaction, utcnow
from ..extensions import db
from ..models import OutboxMessage, OutboxStatus, SuppressionReason
from . import delivery
from .delivery import DeliveryFailure, QueuedEmail
from .services import ERASED_MESSAGE_NOTE, forget_private_links
from .suppressions import suppress

log = logging.getLogger(__name__)

BATCH_SIZE = 50
CONNECTIONS = 4  # SMTP connections `flask outbox run` opens at once unless told otherwise
MAX_CONNECTIONS = 8  # each uses up to two database connections; the pool holds 15
Clock = Callable[[], datetime]


@dataclass
class Tally:
    """What one pass of the worker did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, status: str) -> None:
        if status == OutboxStatus.SENT:
            self.sent += 1
        elif status == OutboxStatus.PENDING:
            self.retrying += 1
        else:
            self.failed += 1

    def merge(self, other: Tally) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed


@dataclass
class Batch:
    """Messages this worker holds the lease on, in the order they are to be sent."""

    messages: list[QueuedEmail]
    lease_expires_at: datetime


def is_due(now: datetime):
    """Pending and due, or stuck in sending because the worker holding it stopped."""
    return sa.or_(
        sa.and_(OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.lease_expires_at <= now),
    )


def count_due(now: datetime | None = None) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(is_due(now or utcnow()))
    )


def attempts_allowed(max_attempts: int | None) -> int:
    """The message's own limit (one, for booking mail to a suppressed address), else
    OUTBOX_MAX_ATTEMPTS."""
    return max_attempts or current_app.config["OUTBOX_MAX_ATTEMPTS"]


def retry_delay(attempts: int) -> timedelta:
    """OUTBOX_RETRY_BASE seconds after the first attempt, doubling after each one."""
    return timedelta(seconds=current_app.config["OUTBOX_RETRY_BASE"] * 2 ** (attempts - 1))


def lease_length() -> timedelta:
    return timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])


def claim_batch(limit: int, now: datetime) -> Batch | None:
    """Lease up to `limit` due messages to this worker, atomically, and commit.

    PostgreSQL: the due rows are locked with FOR UPDATE SKIP LOCKED, so concurrent
    workers each take different ones without waiting. SQLite: BEGIN IMMEDIATE makes the
    claim one writer at a time. A message abandoned by dead workers as many times as
    it allows (attempts_allowed) is marked failed instead of being tried again.
    """
    lease_expires_at = now + lease_length()
    begin_write_transaction(db.session())  # the Session itself, not the scoped proxy
    query = (
        sa.select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts,
                  OutboxMessage.max_attempts)
        .where(is_due(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = db.session.execute(query).all()
    abandoned = [r.id for r in rows
                 if r.status == OutboxStatus.SENDING
                 and r.attempts >= attempts_allowed(r.max_attempts)]
    claimed = [r.id for r in rows if r.id not in abandoned]
    if abandoned:
        _update(abandoned, status=OutboxStatus.FAILED, lease_expires_at=None, last_error=(
            "Sending was interrupted because the worker stopped, too many times to try "
            "again; the message may or may not have been delivered."
        ))
    if claimed:
        _update(claimed, status=OutboxStatus.SENDING, lease_expires_at=lease_expires_at,
                attempts=OutboxMessage.attempts + 1)
    messages = _queued(claimed)
    db.session.commit()
    if not rows:
        return None
    return Batch(messages=messages, lease_expires_at=lease_expires_at)


def _queued(ids: list[int]) -> list[QueuedEmail]:
    """The claimed rows as plain values, in claim order, each with its email's bytes."""
    if not ids:
        return []
    columns = (OutboxMessage.id, OutboxMessage.kind, OutboxMessage.recipient,
               OutboxMessage.attempts, OutboxMessage.max_attempts,
               OutboxMessage.holds_private_links, OutboxMessage.raw)
    rows = {row.id: row for row in db.session.execute(
        sa.select(*columns).where(OutboxMessage.id.in_(ids)))}
    return [QueuedEmail(**rows[i]._asdict()) for i in ids]


def _update(ids: list[int], **values) -> None:
    # A Core UPDATE on the table: the worker holds no ORM objects to keep in step.
    table = OutboxMessage.__table__
    db.session.execute(table.update().where(table.c.id.in_(ids)).values(**values))


class OutcomeLog:
    """Records what happened to each message, one commit each, as soon as it is known.

    That commit, made before the next message on the connection is started, is what
    limits a re-send after the worker is killed to the message in hand, so it is made
    cheap rather than rare: one UPDATE by primary key, from statements built once, on a
    connection of its own held for the whole pass (no session, no ORM objects). On
    PostgreSQL each UPDATE commits itself (no BEGIN round trip) and does not wait for the
    disk flush (synchronous_commit off, on this connection only): a killed worker loses
    nothing by it, since the server already holds the commit; a crash of the database
    server itself can forget the outcomes of its last fraction of a second, never more
    than the worker's current batches (each claim is a synchronous commit, which makes
    everything before it durable), and those messages are sent again: duplicates, never
    a loss.
    """

    _table = OutboxMessage.__table__
    _by_id = _table.c.id == sa.bindparam("outbox_id")
    _sent = _table.update().where(_by_id).values(
        status=OutboxStatus.SENT, sent_at=sa.bindparam("at", type_=UTCDateTime()),
        lease_expires_at=None, last_error=None)
    _retry = _table.update().where(_by_id).values(
        status=OutboxStatus.PENDING, next_attempt_at=sa.bindparam("at", type_=UTCDateTime()),
        lease_expires_at=None, last_error=sa.bindparam("reason"))
    _failed = _table.update().where(_by_id).values(
        status=OutboxStatus.FAILED, lease_expires_at=None, last_error=sa.bindparam("reason"))

    def __init__(self) -> None:
        self.connection = db.engine.connect()
        self.postgresql = self.connection.dialect.name == "postgresql"
        if self.postgresql:
            self.connection.execution_options(isolation_level="AUTOCOMMIT")
            self.connection.exec_driver_sql("SET synchronous_commit TO OFF")

    def _commit(self, statement: sa.Update, **params) -> None:
        self.connection.execute(statement, params)
        self.connection.commit()

    def sent(self, queued: QueuedEmail, now: datetime) -> str:
        self._commit(self._sent, outbox_id=queued.id, at=now)
        return OutboxStatus.SENT

    def failed(self, queued: QueuedEmail, failure: DeliveryFailure, now: datetime) -> str:
        """Transient failures wait and try again, up to the attempts allowed; others fail."""
        if failure.transient and queued.attempts < attempts_allowed(queued.max_attempts):
            self._commit(self._retry, outbox_id=queued.id, reason=failure.reason,
                         at=now + retry_delay(queued.attempts))
            status = OutboxStatus.PENDING
        else:
            reason = failure.reason
            if failure.transient:
                tries = queued.attempts
                reason += f" (gave up after {tries} attempt{'' if tries == 1 else 's'})"
            self._commit(self._failed, outbox_id=queued.id, reason=reason)
            status = OutboxStatus.FAILED
        log.warning("Outbox message %s (%s): %s", queued.id, status, failure.reason)
        return status

    def close(self) -> None:
        if self.postgresql:
            self.connection.invalidate()  # its settings must never reach a pooled request
        self.connection.close()


def release(messages: list[QueuedEmail]) -> None:
    """Hand back messages this worker claimed but never tried: they are due at once."""
    if messages:
        _update([m.id for m in messages], status=OutboxStatus.PENDING, lease_expires_at=None,
                attempts=OutboxMessage.attempts - 1)
        db.session.commit()


def renew_lease(batch: Batch, remaining: list[QueuedEmail], now: datetime) -> None:
    """Keep the rest of a slow batch from being taken over while it is still being sent."""
    if not remaining or now < batch.lease_expires_at - lease_length() / 2:
        return
    new_expiry = now + lease_length()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_([m.id for m in remaining]),
               OutboxMessage.status == OutboxStatus.SENDING,
               OutboxMessage.lease_expires_at == batch.lease_expires_at)
        .values(lease_expires_at=new_expiry),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    batch.lease_expires_at = new_expiry


def attempt(queued: QueuedEmail, transport) -> DeliveryFailure | None:
    """Hand one message to the transport: None if it was accepted, else why not."""
    if not queued.raw:  # blanked when its recipient's data was erased: never sent empty
        return DeliveryFailure(ERASED_MESSAGE_NOTE, transient=False)
    try:
        transport.send(queued)
    except DeliveryFailure as failure:
        return failure
    except Exception as error:  # one faulty message must not stop the whole queue
        log.exception("Outbox message %s could not be sent", queued.id)
        return DeliveryFailure(f"Unexpected error: {error!r}", transient=False)
    return None


def send_one(queued: QueuedEmail, transport, outcomes: OutcomeLog,
             now: Clock) -> tuple[str, DeliveryFailure | None]:
    """Send one message and commit its outcome; if that commit fails, it raises."""
    failure = attempt(queued, transport)
    if failure is None:
        return outcomes.sent(queued, now()), None
    status = outcomes.failed(queued, failure, now())
    if failure.recipient_refused:
        suppress_refused(queued, failure)
    return status, failure


def suppress_refused(queued: QueuedEmail, failure: DeliveryFailure) -> None:
    """The server refused the recipient for good (5xx at RCPT): no more bulk mail to them."""
    try:
        begin_write_transaction(db.session())
        suppress(delivery.envelope_address(queued.recipient), SuppressionReason.REFUSED,
                 failure.reason, db.session.get(OutboxMessage, queued.id))
        db.session.commit()
    except sa.exc.SQLAlchemyError:  # the message's own outcome is already recorded
        db.session.rollback()
        log.exception("Could not put %s on the suppression list", queued.recipient)


def send_batch(
    batch: Batch,
    transport: delivery.SmtpTransport | delivery.FileTransport,
    outcomes: OutcomeLog,
    *,
    clock: Clock = utcnow,
    should_stop: Callable[[], bool] = lambda: False,
    on_done: Callable[[QueuedEmail, str], None] | None = None,
) -> Tally:
    """Send a claimed batch over one transport, committing the outcome of each message.

    If the mail server cannot be reached at all, the rest of the batch is put back to
    retry with the same reason instead of each waiting for its own refusal. Asked to
    stop, it finishes the message in hand and releases the others.
    """
    tally = Tally()
    remaining = list(batch.messages)
    while remaining:
        if should_stop():
            release(remaining)
            break
        queued = remaining.pop(0)
        status, failure = send_one(queued, transport, outcomes, clock)
        settled = [(queued, status)]
        if failure is not None and failure.server_unavailable:
            settled += [(other, outcomes.failed(other, failure, clock())) for other in remaining]
            remaining = []
        for message, message_status in settled:
            tally.add(message_status)
            if on_done:
                on_done(message, message_status)
        renew_lease(batch, remaining, clock())
    forget_private_links([m.id for m in batch.messages if m.holds_private_links])
    return tally


def drain_one_connection(
    *,
    batch_size: int = BATCH_SIZE,
    clock: Clock = utcnow,
    should_stop: Callable[[], bool] = lambda: False,
    on_done: Callable[[QueuedEmail, str], None] | None = None,
) -> Tally:
    """Send every message that is due, batch after batch over one connection."""
    tally = Tally()
    transport = delivery.open_transport()
    outcomes = None
    try:
        while not should_stop():
            batch = claim_batch(batch_size, clock())
            if batch is None:
                break
            outcomes = outcomes or OutcomeLog()
            tally.merge(send_batch(batch, transport, outcomes, clock=clock,
                                   should_stop=should_stop, on_done=on_done))
    finally:
        transport.close()
        if outcomes is not None:
            outcomes.close()
    return tally


def drain(
    *,
    connections: int = 1,
    batch_size: int = BATCH_SIZE,
    clock: Clock = utcnow,
    should_stop: Callable[[], bool] = lambda: False,
    on_done: Callable[[QueuedEmail, str], None] | None = None,
) -> Tally:
    """Send every message that is due, over `connections` SMTP connections at once.

    One connection runs in the calling thread. Otherwise each connection is a thread with
    an app context of its own (so its own session and database connections) that claims
    and sends batches until nothing is due; claims keep the threads off each other's
    messages just as they keep workers apart. If one thread raises, the others finish the
    message in hand and hand back the rest of their batch, and the error is raised here.
    `on_done` is called from one thread at a time.
    """
    options = {"batch_size": batch_size, "clock": clock}
    if connections == 1:
        return drain_one_connection(**options, should_stop=should_stop, on_done=on_done)
    new_app_context = current_app.app_context  # the app itself, to use in other threads
    a_thread_failed = threading.Event()
    lock = threading.Lock()

    def report(message: QueuedEmail, status: str) -> None:
        with lock:
            on_done(message, status)

    def one_connection() -> Tally:
        with new_app_context():
            try:
                return drain_one_connection(
                    **options, on_done=report if on_done else None,
                    should_stop=lambda: a_thread_failed.is_set() or should_stop())
            except BaseException:
                a_thread_failed.set()
                raise

    with ThreadPoolExecutor(connections, thread_name_prefix="outbox-smtp") as threads:
        running = [threads.submit(one_connection) for _ in range(connections)]
    tally = Tally()
    for finished in running:
        tally.merge(finished.result())
    return tally
