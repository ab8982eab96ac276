"""Booking questions an event asks, the answers given, and attendees' changes of needs
waiting for the organiser's daily digest."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from .bookings import Booking
    from .events import Event


__all__ = ["QuestionKind", "BookingQuestion", "BookingAnswer", "NeedsChange"]

# What kind of answer a question takes; each value is the name in lower case, as stored.
QuestionKind = enum.StrEnum(
    "QuestionKind", "SHORT_TEXT LONG_TEXT ONE_CHOICE SEVERAL_CHOICES YES_NO"
)
CHOICE_KINDS = frozenset({QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES})


class BookingQuestion(db.Model):
    """One question an event's booking form asks after the standard fields.

    Choices are a list of labels; an answer stores the labels chosen, so renaming or
    removing a choice never changes what an earlier answer said. A question that has
    answers is never deleted: it is retired (hidden from new bookings, kept in the CSV
    and the booking's detail).
    """

    __tablename__ = "booking_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default=QuestionKind.SHORT_TEXT)
    # Short: it labels the field, heads the CSV column and names the question in lists.
    label: Mapped[str] = mapped_column(sa.String(200))
    help_text: Mapped[str] = mapped_column(sa.Text, default="")
    choices: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    # Speakers see shared answers in the emailed attendee list; private is the default.
    shared: Mapped[bool] = mapped_column(default=False)
    # Personal answers are erased with the booking's other personal data.
    personal: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('short_text', 'long_text', 'one_choice', 'several_choices', 'yes_no')",
            name="kind_known",
        ),
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def field_name(self) -> str:
        """The name of its field on the booking forms."""
        return f"question_{self.id}"

    def __repr__(self) -> str:
        return f"<BookingQuestion {self.id} {self.kind}>"


class BookingAnswer(db.Model):
    """One booking's answer to one question: text (or the one choice, or yes/no), or for
    several choices the labels chosen."""

    __tablename__ = "booking_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("booking_questions.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    chosen: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    booking: Mapped[Booking] = relationship()
    question: Mapped[BookingQuestion] = relationship()

    __table_args__ = (sa.UniqueConstraint("booking_id", "question_id"),)

    @property
    def shown(self) -> str:
        """The answer in words, as the CSV and the pages show it."""
        return "; ".join(self.chosen) if self.chosen else self.text


class NeedsChange(db.Model):
    """An attendee changed their access or dietary needs; the organiser hears of it in
    the event's next daily digest, which sets `reported_at`."""

    __tablename__ = "needs_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    booking_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship()
