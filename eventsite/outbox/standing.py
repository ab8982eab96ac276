"""Where each recipient's email stands, in words an organiser reads on the mail log and a
follow-up's page: queued, sent, bounced (and why), failed, or not sent (and why).

Everything here reads the stored status, so a bounce reported days later shows at once.
"""
from __future__ import annotations

import re

from ..models import OutboxMessage, OutboxStatus, Suppression, SuppressionReason

STATUS_WORDS = {
    OutboxStatus.PENDING: "Queued",
    OutboxStatus.SENDING: "Queued",
    OutboxStatus.SENT: "Sent",
    OutboxStatus.BOUNCED: "Bounced",
    OutboxStatus.FAILED: "Failed",
    OutboxStatus.SUPPRESSED: "Not sent",
}

# RFC 3463 enhanced status codes a receiving server commonly gives, in words.
BOUNCE_REASONS = {
    "5.1.1": "the address does not exist",
    "5.1.2": "the address's domain does not exist",
    "5.1.10": "the address does not exist",
    "5.2.1": "the mailbox is disabled",
    "5.2.2": "mailbox full",
    "4.2.2": "mailbox full",
    "5.2.3": "the email was too large",
    "5.4.1": "the receiving server refused it",
    "5.7.1": "refused as spam or by policy",
    "5.7.26": "refused: it failed the sender's authentication checks",
}
_ENHANCED_CODE = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")

_SUPPRESSION_REASONS = {
    SuppressionReason.HARD_BOUNCE: "this address bounced",
    SuppressionReason.REFUSED: "the receiving server refused this address",
    SuppressionReason.COMPLAINT: "this address reported our email as spam",
}


def status_words(message: OutboxMessage) -> str:
    """Queued, Sent, Bounced, Failed or Not sent."""
    return STATUS_WORDS.get(message.status, str(message.status).capitalize())


def bounce_in_words(last_error: str | None) -> str:
    """'5.1.1 <diagnostic>' as 'the address does not exist (5.1.1 <diagnostic>)'."""
    detail = (last_error or "").strip()
    match = _ENHANCED_CODE.search(detail)
    reason = BOUNCE_REASONS.get(match.group(1)) if match else None
    if reason is None:
        return detail or "the receiving server gave no reason"
    return f"{reason} ({detail})"


def status_reason(message: OutboxMessage) -> str:
    """Why a bounced, failed or unsent message did not arrive, or why a queued one is
    waiting (the last temporary refusal); empty once sent."""
    if message.status == OutboxStatus.BOUNCED:
        return bounce_in_words(message.last_error)
    if message.status == OutboxStatus.SENT:
        return ""
    if message.status == OutboxStatus.SUPPRESSED:  # shown beside "Not sent": say it once
        return (message.last_error or "").removeprefix(NOT_SENT)
    return message.last_error or ""


def suppression_in_words(suppression: Suppression) -> str:
    """'this address bounced on 3 Dec 2026 (5.1.1 user unknown)'."""
    reason = _SUPPRESSION_REASONS.get(suppression.reason, "this address is suppressed")
    when = f"{suppression.created_at.day} {suppression.created_at:%b %Y}"
    detail = f" ({suppression.detail})" if suppression.detail else ""
    return f"{reason} on {when}{detail}"


NOT_SENT = "Not sent: "


def not_sent_note(suppression: Suppression) -> str:
    """The last_error of a bulk email held back: 'Not sent: this address bounced on ...'."""
    return f"{NOT_SENT}{suppression_in_words(suppression)}"


def tried_once_note(suppression: Suppression) -> str:
    """What a booking email to a suppressed address says before its one attempt."""
    return f"Tried once only: {suppression_in_words(suppression)}"
