"""One organiser POST is one write transaction: the /admin guard takes the write lock first
(SQLite: BEGIN IMMEDIATE) and the services join that transaction instead of beginning another."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import Booking
from tests.conftest import load, log_in
from tests.factories import make_booking, make_event

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def transactions_seen(app):
    """Yields a list that fills with one list per transaction the app's engine begins
    meanwhile: the SQL statements sent in it (on SQLite, starting with its BEGIN)."""
    transactions: list[list[str]] = []
    sent_begin = False  # SQLite: the app's own begin listener has just sent BEGIN

    def on_begin(_connection):
        nonlocal sent_begin
        if not sent_begin:
            transactions.append([])
        sent_begin = False

    def on_execute(_connection, _cursor, statement, *_args):
        nonlocal sent_begin
        statement = statement.strip()
        sent_begin = statement.upper().startswith("BEGIN")
        if sent_begin or not transactions:
            transactions.append([])
        transactions[-1].append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "begin", on_begin)
    sa.event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield transactions
    finally:
        sa.event.remove(engine, "begin", on_begin)
        sa.event.remove(engine, "before_cursor_execute", on_execute)


def writes_in(transaction: list[str]) -> list[str]:
    return [s for s in transaction if s.upper().startswith(WRITES)]


ACTIONS = [
    ("check-in", lambda booking: booking.checked_in_at is not None),
    ("cancel", lambda booking: booking.status == "cancelled"),
]


def post_action(app, client, action):
    log_in(client, app)
    event = make_event(app)
    booking = make_booking(app, event)
    with transactions_seen(app) as transactions:
        response = client.post(f"/admin/events/{event.slug}/bookings/{booking.id}/{action}")
    assert response.status_code in (302, 303), response.status_code
    return booking, transactions


@pytest.mark.parametrize(("action", "done"), ACTIONS, ids=[a for a, _ in ACTIONS])
def test_one_organiser_post_writes_in_one_transaction_begun_once(app, client, action, done):
    booking, transactions = post_action(app, client, action)

    assert done(load(app, Booking, booking.id))
    writing = [t for t in transactions if writes_in(t)]
    assert len(writing) == 1, transactions  # every write, the audit entry too, in one
    assert writing[0] is transactions[0]  # the first transaction, begun by the guard
    begins = [s for t in transactions for s in t if s.upper().startswith("BEGIN")]
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # the write lock is taken once, up front; no service begins a second writer
        assert writing[0][0] == "BEGIN IMMEDIATE"
        assert begins.count("BEGIN IMMEDIATE") == 1


@pytest.mark.parametrize(("action", "done"), ACTIONS, ids=[a for a, _ in ACTIONS])
def test_one_organiser_post_issues_one_begin(app, client, action, done):
    booking, transactions = post_action(app, client, action)

    assert done(load(app, Booking, booking.id))
    assert len(transactions) == 1, transactions
