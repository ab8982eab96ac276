"""What operators and organisers do with the outbox: see where mail stands, retry failures."""
from __future__ import annotations

import sqlalchemy as sa

from ..database import utcnow
from ..extensions import db
from ..models import OutboxMessage, OutboxStatus

STATUSES = tuple(OutboxStatus)
ERASED_MESSAGE_NOTE = "Not sent: the recipient's data was erased."


def outbox_counts(event_id: int | None = None) -> dict[str, int]:
    """Messages by status, every status present (zero when none); optionally for one event."""
    query = sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    if event_id is not None:
        query = query.where(OutboxMessage.event_id == event_id)
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: count for status, count in db.session.execute(query)})
    return counts


def failed_messages() -> list[OutboxMessage]:
    """Every failed message, oldest first, each with its last_error."""
    return list(db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id)
    ))


def can_retry(message: OutboxMessage) -> bool:
    """Failed, and not a message held back because its recipient's data was erased."""
    return message.status == OutboxStatus.FAILED and message.last_error != ERASED_MESSAGE_NOTE


def retry_message(message: OutboxMessage) -> bool:
    """Queue a failed message to be sent again as soon as a worker runs.

    It keeps its Message-ID and gets a fresh set of attempts. Returns False, changing
    nothing, if the message has not failed or its recipient's data was erased. Flushes;
    the caller commits.
    """
    if not can_retry(message):
        return False
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.lease_expires_at = None
    db.session.flush()
    return True


def retry_failed_messages() -> int:
    """Queue every failed message again (see retry_message); returns how many."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .where(sa.or_(OutboxMessage.last_error.is_(None),
                      OutboxMessage.last_error != ERASED_MESSAGE_NOTE))
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow(), lease_expires_at=None),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount


def erase_messages(condition) -> None:
    """Emails about forgotten people keep nothing of them: address, text, headers and the
    email itself (its bytes, attachments and all) are blanked. Unsent ones stay unsent.

    One in the hands of a worker at that moment may still go out (the worker holds its
    bytes); its outcome is then recorded over the note. If the worker stops instead, the
    message is not taken up again. Flushes; the caller commits.
    """
    for message in db.session.scalars(sa.select(OutboxMessage).where(condition)):
        if message.status != OutboxStatus.SENT:
            message.status = OutboxStatus.FAILED
            message.last_error = ERASED_MESSAGE_NOTE
            message.lease_expires_at = None
        message.recipient = "anonymised@invalid"
        message.subject = "(erased)"
        message.body_text = ""
        message.body_html = ""
        message.headers = {}
        message.raw = b""
    db.session.flush()
