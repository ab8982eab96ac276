"""The entities of eventsite: events, speakers, bookings, resources, organisers, mail, audit."""
from __future__ import annotations

import enum
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .database import UTCDateTime, utcnow
from .extensions import db

DEFAULT_TIMEZONE = "Europe/London"


class Event(db.Model):
    """A fringe event with a fixed number of places."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    host_conference: Mapped[str] = mapped_column(sa.String(200), default="")
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(sa.String(64), default=DEFAULT_TIMEZONE)
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(500), default="")
    capacity: Mapped[int] = mapped_column(default=0)
    waiting_list: Mapped[bool] = mapped_column(default=True)
    # The booking form then tells people the venue sees their access and dietary needs,
    # and only then may the emailed attendee list carry them.
    share_access_needs_with_venue: Mapped[bool] = mapped_column(default=False)
    booking_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booking_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    organiser_email: Mapped[str] = mapped_column(sa.String(320), default="")
    published: Mapped[bool] = mapped_column(default=False, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    speaker_links: Mapped[list[EventSpeaker]] = relationship(
        back_populates="event", order_by="EventSpeaker.position", cascade="all, delete-orphan"
    )
    resources: Mapped[list[Resource]] = relationship(
        back_populates="event", order_by="Resource.position", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(self.tz)

    @property
    def local_ends_at(self) -> datetime:
        return self.ends_at.astimezone(self.tz)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def bookings_close_at(self) -> datetime:
        """Booking closes at the set time, or when the event starts."""
        return self.booking_closes_at or self.starts_at

    def has_started(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.starts_at

    def has_ended(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.ends_at

    @property
    def speakers(self) -> list[Speaker]:
        return [link.speaker for link in self.speaker_links]

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class Speaker(db.Model):
    """A speaker's public profile; the email address is for organisers only."""

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    email: Mapped[str] = mapped_column(sa.String(320), default="")
    photo_filename: Mapped[str | None] = mapped_column(sa.String(200))
    links: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event_links: Mapped[list[EventSpeaker]] = relationship(back_populates="speaker")

    def __repr__(self) -> str:
        return f"<Speaker {self.slug}>"


# What a speaker does on an event's programme; each value is the name in lower case, as stored.
SpeakerRole = enum.StrEnum("SpeakerRole", "CHAIR SPEAKER PANELLIST")


class EventSpeaker(db.Model):
    """A speaker on an event's programme, in order, with a role."""

    __tablename__ = "event_speakers"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), primary_key=True)
    speaker_id: Mapped[int] = mapped_column(sa.ForeignKey("speakers.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    role: Mapped[str] = mapped_column(sa.String(16), default=SpeakerRole.SPEAKER)

    event: Mapped[Event] = relationship(back_populates="speaker_links")
    speaker: Mapped[Speaker] = relationship(back_populates="event_links")


# Where a booking stands: a place, a place in line, or given up.
# Each value is the name in lower case, as stored.
BookingStatus = enum.StrEnum("BookingStatus", "CONFIRMED WAITING CANCELLED")


class Booking(db.Model):
    """One person's place (or place in line) at an event."""

    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=BookingStatus.CONFIRMED)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(320))
    email_normalised: Mapped[str] = mapped_column(sa.String(320))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    access_needs: Mapped[str] = mapped_column(sa.Text, default="")
    wants_followup: Mapped[bool] = mapped_column(default=True)
    followup_unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    manage_links: Mapped[list[BookingLink]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('confirmed', 'waiting', 'cancelled')", name="status_known"
        ),
        # One live booking per address per event; cancelled ones do not count.
        sa.Index(
            "uq_bookings_live_email",
            "event_id",
            "email_normalised",
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        ),
        sa.Index("ix_bookings_event_status", "event_id", "status", "created_at"),
    )

    def __repr__(self) -> str:
        return f"<Booking {self.reference} {self.status}>"


class BookingLink(db.Model):
    """One manage link emailed for a booking; only the SHA-256 of its token is kept.

    A booking gains a link with every email that carries one, and every link keeps
    working until the booking's personal data is anonymised or erased.
    """

    __tablename__ = "booking_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="manage_links")


class Resource(db.Model):
    """Slides, a report or a link published for an event's attendees."""

    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    stored_name: Mapped[str | None] = mapped_column(sa.String(255))
    content_type: Mapped[str | None] = mapped_column(sa.String(200))
    size: Mapped[int | None]
    published: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="resources")

    @property
    def is_file(self) -> bool:
        return self.stored_name is not None


class Organiser(UserMixin, db.Model):
    """Someone who runs events and may see attendee data."""

    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Named in every session cookie; bumping it ends every session issued before.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the session version."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Log this organiser out everywhere: no session issued before counts any more."""
        self.session_version = (self.session_version or 1) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


# Where an email stands: due, in a worker's hands, accepted by the relay, or given up.
# Each value is the name in lower case, as stored.
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


class AuditEntry(db.Model):
    """A record of an organiser action that exported, sent or changed data."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    organiser_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisers.id"))
    actor: Mapped[str] = mapped_column(sa.String(320), default="")
    action: Mapped[str] = mapped_column(sa.String(64))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id"))
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id"))
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    # The client's address (behind a proxy, as TRUSTED_PROXIES lets the app see it).
    address: Mapped[str | None] = mapped_column(sa.String(45))

    organiser: Mapped[Organiser | None] = relationship()
    event: Mapped[Event | None] = relationship()


class ContentVersion(db.Model):
    """One counter, bumped in every transaction that changes what public pages show.

    Cached public pages are valid only while this number stays the same.
    """

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


sa.event.listen(
    ContentVersion.__table__,
    "after_create",
    sa.DDL("INSERT INTO content_version (id, version) VALUES (1, 0)"),
)


# Who a follow-up goes to; each value is the name in lower case, as stored.
FollowUpAudience = enum.StrEnum("FollowUpAudience", "CHECKED_IN CONFIRMED")


follow_up_resources = sa.Table(
    "follow_up_resources",
    db.metadata,
    sa.Column("follow_up_id", sa.ForeignKey("follow_ups.id", ondelete="CASCADE"),
              primary_key=True),
    # A resource deleted later simply drops out of the follow-ups that chose it.
    sa.Column("resource_id", sa.ForeignKey("resources.id", ondelete="CASCADE"),
              primary_key=True),
)


class FollowUp(db.Model):
    """Slides, links and a message for an event's attendees after it.

    Sent one email per person; each person gets a given follow-up at most once, so
    sending it again reaches only people who joined the audience since.
    """

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    audience: Mapped[str] = mapped_column(sa.String(16),
                                          default=FollowUpAudience.CHECKED_IN)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisers.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    created_by: Mapped[Organiser | None] = relationship()
    resources: Mapped[list[Resource]] = relationship(
        secondary=follow_up_resources, order_by=[Resource.position, Resource.id]
    )

    __table_args__ = (
        sa.CheckConstraint("audience IN ('checked_in', 'confirmed')", name="audience_known"),
    )

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


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
