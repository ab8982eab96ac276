"""Addresses that get no bulk mail: hard bounces, 550 refusals and spam complaints.

The areas say which of their mail is bulk (follow-ups, reminders, attendee lists); booking
emails are not, and are still tried once. Each service flushes; the caller commits.
"""
from __future__ import annotations

import sqlalchemy as sa

from .. import audit
from ..extensions import db
from ..models import OutboxMessage, Suppression, SuppressionReason


def normalised(address: str) -> str:
    return address.strip().lower()


def suppress(address: str, reason: SuppressionReason, detail: str = "",
             message: OutboxMessage | None = None) -> Suppression:
    """Put the address on the suppression list (once: a second report keeps the first)."""
    existing = suppression_of(address)
    if existing is not None:
        return existing
    suppression = Suppression(address=normalised(address), reason=reason, detail=detail,
                              message_id=message.id if message is not None else None)
    db.session.add(suppression)
    db.session.flush()
    return suppression


def lift(address: str) -> bool:
    """Take the address off the list; False if it was not on it."""
    result = db.session.execute(
        sa.delete(Suppression).where(Suppression.address == normalised(address)))
    return result.rowcount > 0


def suppression_of(address: str) -> Suppression | None:
    return db.session.scalar(
        sa.select(Suppression).where(Suppression.address == normalised(address)))


def suppressed_among(addresses: list[str]) -> dict[str, Suppression]:
    """The suppressions of these addresses, by lower-cased address, in one query."""
    wanted = {normalised(address) for address in addresses}
    if not wanted:
        return {}
    return {s.address: s for s in db.session.scalars(
        sa.select(Suppression).where(Suppression.address.in_(wanted)))}


def all_suppressions() -> list[Suppression]:
    """Every suppressed address, newest first."""
    return list(db.session.scalars(
        sa.select(Suppression).order_by(Suppression.created_at.desc(), Suppression.id.desc())))


def lift_suppression(address: str) -> bool:
    """An organiser takes the address off the list, audited; False if it was not on it.

    Bulk mail queued from now on goes to it again; what was held back stays unsent."""
    suppression = suppression_of(address)
    if suppression is None:
        return False
    lift(address)
    audit.record("suppression lifted", detail=f"{suppression.address} "
                                              f"(was {suppression.reason.replace('_', ' ')})")
    return True
