"""The signed link that stops follow-up emails to a booking's address.

Every follow-up and reminder carries `List-Unsubscribe: <https://.../unsubscribe/TOKEN>`
and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 2369, RFC 8058). The token
is the booking's id signed with SECRET_KEY, so the link needs no login and no form token;
the page that honours it is in `eventsite.followups.views`.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..database import utcnow
from ..extensions import db
from ..models import Booking
from ..web.urls import absolute_url

TOKEN_SALT = "follow-up-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def unsubscribe_url(booking: Booking) -> str:
    """The absolute, signed link that stops follow-ups for this booking's address."""
    return absolute_url("followups.unsubscribe", token=_serializer().dumps(booking.id))


def list_unsubscribe_headers(booking: Booking) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers for a message sent about this booking."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(booking)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def booking_for_token(token: str) -> Booking | None:
    """The booking a genuine token was made for; None for anything else."""
    try:
        booking_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(booking_id, int):
        return None
    return db.session.get(Booking, booking_id)


def unsubscribe_from_followups(booking: Booking) -> bool:
    """No more follow-ups to this address for this event, whichever booking it made.

    Idempotent: returns False if the address had already unsubscribed. Flushes; the
    caller commits.
    """
    result = db.session.execute(
        sa.update(Booking)
        .where(Booking.event_id == booking.event_id,
               Booking.email_normalised == booking.email_normalised,
               Booking.followup_unsubscribed_at.is_(None))
        .values(followup_unsubscribed_at=utcnow()),
        execution_options={"synchronize_session": "fetch"},
    )
    return result.rowcount > 0
