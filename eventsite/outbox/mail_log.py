"""The organiser's mail log: every outbox message, where it stands, and retrying failures."""
from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass

import sqlalchemy as sa

from .. import audit
from ..extensions import db
from ..models import Event, OutboxMessage
from .services import STATUSES, failed_messages, retry_message

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
    if status in STATUSES:
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
    counts = dict.fromkeys(STATUSES, 0)
    for message in messages:
        counts[message.status] += 1
    return counts


def requeue_message(message: OutboxMessage) -> bool:
    """Send a failed message again (same Message-ID), recorded in the audit log.

    Returns False, changing nothing, if it has not failed or its recipient was erased.
    """
    if not retry_message(message):
        return False
    audit.record("email retried", event=message_event(message),
                 detail=f"#{message.id} {message.kind}: {message.subject}")
    return True


def requeue_failed_messages() -> int:
    """Send every failed message again (see requeue_message); returns how many."""
    retried = [message for message in failed_messages() if requeue_message(message)]
    return len(retried)


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
