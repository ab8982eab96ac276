"""Stopping follow-up emails: signed links, RFC 8058 one-click, and a confirmation page.

Every follow-up and reminder carries `List-Unsubscribe: <https://.../unsubscribe/TOKEN>`
and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. A mail program POSTs to that
address with no cookies and no form token, so the POST needs neither a login nor CSRF
protection: the signed token alone says whose follow-ups stop. A GET never changes
anything (link checkers fetch links), it shows a page with the button that POSTs.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from itsdangerous import BadSignature, URLSafeSerializer

from .calendar import site_url
from .database import utcnow
from .extensions import csrf, db
from .models import Booking

bp = Blueprint("unsubscribe", __name__)

TOKEN_SALT = "follow-up-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def unsubscribe_url(booking: Booking) -> str:
    """The absolute, signed link that stops follow-ups for this booking's address."""
    return site_url(f"/unsubscribe/{_serializer().dumps(booking.id)}")


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


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def followups(token: str):
    booking = booking_for_token(token)
    if booking is None:
        return render_template("unsubscribe/invalid.html"), 404
    if request.method == "POST":
        unsubscribe_from_followups(booking)
        db.session.commit()
        # Answered directly rather than redirected: one-click senders expect a 2xx.
        return render_template("unsubscribe/done.html", booking=booking)
    return render_template(
        "unsubscribe/confirm.html",
        booking=booking,
        already=booking.followup_unsubscribed_at is not None,
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
