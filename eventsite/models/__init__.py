"""The entities of eventsite, one module per domain; everything is importable from here."""
from .bookings import Booking, BookingLink, BookingStatus
from .events import (
    DEFAULT_TIMEZONE,
    ContentVersion,
    Event,
    EventSpeaker,
    FollowUp,
    FollowUpAudience,
    Resource,
    Speaker,
    SpeakerRole,
    follow_up_resources,
)
from .mail import OutboxMessage, OutboxStatus, Suppression, SuppressionReason
from .people import AuditEntry, Organiser

__all__ = [
    "DEFAULT_TIMEZONE", "AuditEntry", "Booking", "BookingLink", "BookingStatus",
    "ContentVersion", "Event", "EventSpeaker", "FollowUp", "FollowUpAudience",
    "Organiser", "OutboxMessage", "OutboxStatus", "Resource", "Speaker", "SpeakerRole",
    "Suppression", "SuppressionReason", "follow_up_resources",
]
