"""Change notices waiting for an organiser's burst of edits to end."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime
from ..extensions import db

__all__ = ["PendingChangeNotice"]


class PendingChangeNotice(db.Model):
    """An event's change of time or place, not yet told to its attendees.

    One per event. Every edit that moves the event adds to `edits` (when it was made, and
    what the event said about time and place just before, as the change email words it)
    and puts `due_at` back to CHANGE_NOTICE_DELAY_SECONDS after it. When `due_at` passes,
    the outbox worker tells each attendee the net change from what they were last told,
    or nothing if the edits undid each other, and deletes the row.
    """

    __tablename__ = "pending_change_notices"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    # [{"at": ISO 8601 UTC, "before": {"When": ..., "Venue": ..., "Address": ...}}, ...]
    edits: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
