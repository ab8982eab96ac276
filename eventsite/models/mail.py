"""The outbox: every email, written in the transaction that caused it; suppressed addresses."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db

# Where an email stands: due, in a worker's hands, accepted by the relay, or given up.
# Each value is the name in lower case, as stored.
__all__ = ["OutboxStatus", "OutboxMessage", "SuppressionReason", "Suppression"]

OutboxStatus = enum.StrEnum("OutboxStatus", "PENDING SENDING SENT FAILED BOUNCED SUPPRESSED")


class OutboxMessage(db.Model):
    """An email waiting to be sent, written in the transaction that caused it.

    Its content lives in one place, `raw`; recipient, subject, text, HTML and headers
    are kept beside it, small, for the mail log and for erasing a person's data.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    recipient: Mapped[str] = mapped_column(sa.String(400))
    subject: Mapped[str] = mapped_column(sa.String(400))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    headers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    # Its own limit on attempts (one, for booking mail to a suppressed address); None
    # means OUTBOX_MAX_ATTEMPTS.
    max_attempts: Mapped[int | None]
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id"), index=True)
    # The email itself, built once when queued (MIME, CRLF lines, attachments and all):
    # what every attempt sends, byte for byte, and what the .eml download serves. The
    # columns above are its summary for the mail log; deferred, so lists never load it.
    raw: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    # True while `raw` still holds a link meant for the recipient alone (a manage link):
    # the text and HTML columns never hold it, and `raw` loses it once the message has
    # been sent or has finally failed (outbox.services.forget_private_links).
    holds_private_links: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'bounced', 'suppressed')",
            name="status_known"
        ),
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )


# Why an address gets no more bulk mail; each value is the name in lower case, as stored.
SuppressionReason = enum.StrEnum("SuppressionReason", "HARD_BOUNCE REFUSED COMPLAINT")


class Suppression(db.Model):
    """An address that gets no follow-ups, reminders or attendee lists: its mail bounced
    hard, the receiving server refused it (550), or its owner reported it as spam.

    Booking emails to it are still tried once: the booking matters more.
    """

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(320), unique=True)  # lower case
    reason: Mapped[str] = mapped_column(sa.String(16))
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox_messages.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("reason IN ('hard_bounce', 'refused', 'complaint')",
                           name="reason_known"),
    )
