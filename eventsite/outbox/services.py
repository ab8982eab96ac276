"""What operators and organisers do with the outbox: the mail log, where mail stands,
retrying failures, and blanking the stored emails of people whose data is erased."""
from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass

import sqlalchemy as sa

from .. import audit
from ..database import begin_write_transaction, utcnow
from ..extensions import db
from ..models import Event, OutboxMessage, OutboxStatus
from .stored_copies import with_bodies

ERASED_MESSAGE_NOTE = "Not sent: the recipient's data was erased."


def outbox_counts(event_id: int | None = None) -> dict[str, int]:
    """Messages by status, every status present (zero when none); optionally for one event."""
    query = sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    if event_id is not None:
        query = query.where(OutboxMessage.event_id == event_id)
    counts = dict.fromkeys(OutboxStatus, 0)
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
    """Queue a failed message to be sent again as soon as a worker runs, and audit it.

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
    audit.record("email retried", event=message_event(message),
                 detail=f"#{message.id} {message.kind}: {message.subject}")
    return True


def retry_failed_messages() -> int:
    """Queue every failed message again (see retry_message); returns how many."""
    return sum(retry_message(message) for message in failed_messages())


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
        message.holds_private_links = False
    db.session.flush()


def forget_private_links(message_ids: list[int]) -> None:
    """Of these messages, those sent or finally failed keep no private link: their stored
    email is rewritten from the text and HTML kept for the mail log, which never held one.

    Then nothing in the database, or a backup of it, opens a booking. Commits.
    """
    if not message_ids:
        return  # no write transaction for a batch that holds no private link
    table = OutboxMessage.__table__
    begin_write_transaction()
    rows = db.session.execute(
        sa.select(table.c.id, table.c.raw, table.c.body_text, table.c.body_html).where(
            table.c.id.in_(message_ids), table.c.holds_private_links.is_(True),
            table.c.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)))
    ).all()
    if rows:
        db.session.execute(
            table.update().where(table.c.id == sa.bindparam("outbox_id"))
            .values(raw=sa.bindparam("new_raw"), holds_private_links=False),
            [{"outbox_id": row.id, "new_raw": with_bodies(row.raw, row.body_text,
                                                           row.body_html)} for row in rows],
        )
    db.session.commit()


# --- the mail log -------------------------------------------------------------------

PAGE_SIZE = 50


@dataclass(frozen=True)
class AttachedFile:
    """A file an email carries, as its recipient's mail program lists it."""

    filename: str
    content_type: str
    size: int  # bytes, decoded


@dataclass(frozen=True)
class MailLogPage:
    messages: list[OutboxMessage]
    page: int
    has_more: bool


def list_messages(*, status: str = "", event_id: int | None = None,
                  page: int = 1) -> MailLogPage:
    """Messages newest first, PAGE_SIZE at a time, optionally of one status or event."""
    query = sa.select(OutboxMessage)
    if status in set(OutboxStatus):
        query = query.where(OutboxMessage.status == status)
    if event_id is not None:
        query = query.where(OutboxMessage.event_id == event_id)
    rows = list(db.session.scalars(
        query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ))
    return MailLogPage(messages=rows[:PAGE_SIZE], page=page, has_more=len(rows) > PAGE_SIZE)


def messages_with_key_prefix(prefix: str) -> list[OutboxMessage]:
    """The messages one action queued, found by the start of their de-duplication keys."""
    return list(db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.dedupe_key.startswith(prefix, autoescape=True))
        .order_by(OutboxMessage.id)
    ))


def status_counts(messages: list[OutboxMessage]) -> dict[str, int]:
    counts = dict.fromkeys(OutboxStatus, 0)
    for message in messages:
        counts[message.status] += 1
    return counts


def message_event(message: OutboxMessage) -> Event | None:
    return db.session.get(Event, message.event_id) if message.event_id else None


def events_of(messages: list[OutboxMessage]) -> dict[int, Event]:
    """The events the messages are about, by id, in one query."""
    ids = {m.event_id for m in messages if m.event_id}
    if not ids:
        return {}
    return {e.id: e for e in db.session.scalars(sa.select(Event).where(Event.id.in_(ids)))}


def attached_files(message: OutboxMessage) -> list[AttachedFile]:
    """The files in the email as queued, read from its bytes (none once erased)."""
    parsed = email.message_from_bytes(message.raw or b"", policy=email.policy.default)
    return [
        AttachedFile(part.get_filename() or "(no name)", part.get_content_type(),
                     len(part.get_payload(decode=True) or b""))
        for part in parsed.iter_attachments()
    ]
