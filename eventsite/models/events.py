"""Events, speakers and their programmes, resources, follow-ups, and the public content
version."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from .people import Organiser


__all__ = [
    "DEFAULT_TIMEZONE", "Event", "Speaker", "SpeakerRole", "EventSpeaker", "Resource",
    "ContentVersion", "FollowUpAudience", "follow_up_resources", "FollowUp",
    "AttendanceMode", "ATTENDANCE_MODES",
]

DEFAULT_TIMEZONE = "Europe/London"

# How people attend an event; each value is the name in lower case, as stored.
AttendanceMode = enum.StrEnum("AttendanceMode", "IN_PERSON ONLINE MIXED")
ATTENDANCE_MODES = {
    AttendanceMode.IN_PERSON: "In person",
    AttendanceMode.ONLINE: "Online",
    AttendanceMode.MIXED: "Online and in person",
}


class Event(db.Model):
    """A fringe event with a fixed number of places."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    host_conference: Mapped[str] = mapped_column(sa.String(200), default="")
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # The description as the page shows it (Markdown, sanitised), rendered when saved, and
    # the fingerprint of the sanitiser's rules it was rendered under (web/stored_html.py).
    description_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    description_rules: Mapped[str] = mapped_column(sa.String(64), default="",
                                                   server_default="")
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
    attendance_mode: Mapped[str] = mapped_column(
        sa.String(16), default=AttendanceMode.IN_PERSON, server_default="in_person")
    # For confirmed attendees only, from JOIN_LINK_HOURS before the start: never public.
    online_link: Mapped[str] = mapped_column(sa.String(2000), default="", server_default="")
    # With a number, a place freed is offered to the first in line for that many hours;
    # without, it is given straight away.
    offer_hours: Mapped[int | None]
    # iTIP's SEQUENCE (RFC 5546 §2.1.4): one up for each change of time, place or status.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # One up in every transaction that changes this event's bookings: the cached pages
    # showing its places left are renewed (web/pagecache.py).
    places_version: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    speaker_links: Mapped[list[EventSpeaker]] = relationship(
        back_populates="event", order_by="EventSpeaker.position", cascade="all, delete-orphan"
    )
    resources: Mapped[list[Resource]] = relationship(
        back_populates="event", order_by="Resource.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("attendance_mode IN ('in_person', 'online', 'mixed')",
                           name="attendance_mode_known"),
        sa.CheckConstraint("offer_hours IS NULL OR offer_hours > 0", name="offer_hours_positive"),
    )

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
    def is_online(self) -> bool:
        """Attended online, wholly or in part."""
        return self.attendance_mode in (AttendanceMode.ONLINE, AttendanceMode.MIXED)

    @property
    def has_venue(self) -> bool:
        return self.attendance_mode != AttendanceMode.ONLINE

    @property
    def attendance_label(self) -> str:
        return ATTENDANCE_MODES.get(self.attendance_mode, "In person")

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
FollowUpAudience = enum.StrEnum("FollowUpAudience", "CHECKED_IN MISSED CONFIRMED")


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
        sa.CheckConstraint("audience IN ('checked_in', 'missed', 'confirmed')",
                           name="audience_known"),
    )

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
