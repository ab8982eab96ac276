"""Recording bounces and complaints against the messages they are about.

A hard bounce (5.x.x) marks the message bounced and puts its recipient on the suppression
list; a complaint notes the message and suppresses its recipient too; a soft bounce (4.x.x)
is only noted, since the receiving server is still trying. However late a report arrives,
it updates the message. Each function flushes; the caller commits.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from ..database import begin_write_transaction
from ..extensions import db
from ..models import OutboxMessage, OutboxStatus, SuppressionReason
from .bounces import Report, ReportKind, read_report
from .delivery import envelope_address
from .suppressions import suppress
from .verp import outbox_id_in

Outcome = enum.StrEnum("Outcome", "RECORDED UNKNOWN_MESSAGE NOT_A_REPORT")


@dataclass
class BounceResult:
    outcome: Outcome
    description: str


def find_message(report: Report, raw: bytes, envelope_recipient: str | None
                 ) -> OutboxMessage | None:
    """The message the report is about: by its VERP address (where the report was
    delivered first, then anywhere in the report), else by the original's Message-ID."""
    places = [envelope_recipient or "", *report.delivered_to, raw.decode("latin-1")]
    outbox_id = outbox_id_in(places, current_app.config)
    message = db.session.get(OutboxMessage, outbox_id) if outbox_id is not None else None
    if message is None and report.original_message_id:
        message = db.session.scalar(sa.select(OutboxMessage).where(
            OutboxMessage.message_id == report.original_message_id))
    return message


def record_report(report: Report, message: OutboxMessage) -> None:
    """Note what happened to the message; suppress its recipient if the address is done."""
    note = report.describe()
    message.last_error = note
    recipient = envelope_address(message.recipient)
    if report.kind == ReportKind.HARD:
        message.status = OutboxStatus.BOUNCED
        suppress(recipient, SuppressionReason.HARD_BOUNCE, note, message)
    elif report.kind == ReportKind.COMPLAINT:
        suppress(recipient, SuppressionReason.COMPLAINT, note, message)
    db.session.flush()


def process_bounce(raw: bytes, envelope_recipient: str | None = None) -> BounceResult:
    """Read one email that came back and record it, in the caller's transaction."""
    report = read_report(raw)
    if report is None:
        return BounceResult(Outcome.NOT_A_REPORT,
                            "Not a bounce or complaint (an auto-reply or a person writing?); "
                            "nothing recorded.")
    begin_write_transaction(db.session())
    message = find_message(report, raw, envelope_recipient)
    if message is None:
        return BounceResult(Outcome.UNKNOWN_MESSAGE,
                            f"{report.describe()}, but not about any message sent from here "
                            f"(recipient {report.recipient or 'unknown'}); nothing recorded.")
    record_report(report, message)
    return BounceResult(Outcome.RECORDED, f"Message #{message.id} to {message.recipient}: "
                                          f"{report.describe()}")
