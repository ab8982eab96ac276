"""Limits on emails that anyone can cause by typing an address into the booking form.

Booking again with an address that has a live booking re-sends that booking's email
(`services.create_booking`). So that nobody can use the form to flood someone's inbox,
a re-send goes out at most once an hour for one booking, and at most
`RESENDS_PER_DAY` times a day to one address across all events. Both are counted in the
database, from the outbox rows of earlier re-sends (their dedupe keys start with
`RESEND_PREFIX`), so every app server sees the same count. Beyond a limit nothing is
sent, and the booker sees the same page as ever.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..database import utcnow
from ..extensions import db
from ..models import Booking, OutboxMessage

RESEND_PREFIX = "resend:"
RESEND_INTERVAL = timedelta(hours=1)
RESENDS_PER_DAY = 5
# Any fixed 63-bit number: the key of the PostgreSQL advisory lock mixed with an address.
ADVISORY_LOCK_SPACE = 0x7265_7365_6E64


def _resends_since(since, *conditions) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id))
        .join(Booking, Booking.id == OutboxMessage.booking_id)
        .where(OutboxMessage.dedupe_key.startswith(RESEND_PREFIX, autoescape=True),
               OutboxMessage.created_at > since, *conditions)
    )


def _lock_address(email_normalised: str) -> None:
    """Serialise re-sends to one address across events (whose locks differ) on PostgreSQL.

    SQLite needs nothing more: every booking already holds its one write lock.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(
        sa.select(sa.func.pg_advisory_xact_lock(
            sa.literal(ADVISORY_LOCK_SPACE, sa.BigInteger)
            + sa.func.hashtext(email_normalised)))
    )


def resend_allowed(booking: Booking) -> bool:
    """Whether this booking's email may be sent again now (call under the event's lock).

    Holds a lock on the address until the transaction ends, so two concurrent re-sends to
    one address for different events are counted one after the other.
    """
    _lock_address(booking.email_normalised)
    now = utcnow()
    if _resends_since(now - RESEND_INTERVAL, OutboxMessage.booking_id == booking.id):
        return False
    return _resends_since(now - timedelta(days=1),
                          Booking.email_normalised == booking.email_normalised
                          ) < RESENDS_PER_DAY
