"""Manage-link tokens and booking references.

A manage token is `secrets.token_urlsafe(32)`: 256 random bits, sent only by email. A
booking has one per email that carried a link (`BookingLink`), and the database keeps only
their SHA-256, so the booking tables cannot be turned into working links.
A reference (`FR-7K3Q`) is for people: short, read aloud at the door, typed into a search.

A check-in code is each manage link's companion for the door: 22 characters (132 bits) of
SHA-256("check-in:" + token), so it is as unguessable as the token, yet nobody who sees it
(on a phone held up at the door) can work the manage link back out of it. The database
keeps its SHA-256 beside the token's (`BookingLink.check_in_hash`).
"""
from __future__ import annotations

import base64
import hashlib
import secrets

import sqlalchemy as sa

from ..extensions import db
from ..models import Booking, BookingLink

# No 0/O, 1/I/L or U/V: easy to read out and to copy from a printed sheet.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REFERENCE_PREFIX = "FR-"
REFERENCE_LENGTH = 4
LONGEST_TOKEN = 128  # anything longer cannot be one of ours; not worth hashing
CHECK_IN_CODE_LENGTH = 22


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def check_in_code(token: str) -> str:
    """The check-in code that goes with a manage token: derived one way from it."""
    digest = hashlib.sha256(b"check-in:" + token.encode("utf-8", "surrogatepass")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:CHECK_IN_CODE_LENGTH]


def could_be_token(token: str | None) -> bool:
    return bool(token) and len(token) <= LONGEST_TOKEN


def new_reference(length: int = REFERENCE_LENGTH) -> str:
    return REFERENCE_PREFIX + "".join(
        secrets.choice(REFERENCE_ALPHABET) for _ in range(length)
    )


def issue_manage_token(booking: Booking, token: str | None = None) -> str:
    """Add a manage link (and its check-in code) to the booking and return its token, to
    be emailed at once.

    The raw token exists only in the returned value (and the email that carries it); the
    database keeps its SHA-256. Links issued earlier keep working: every email about a
    booking leads to it, whichever one the attendee opens. A `token` drawn earlier
    (`new_token`, for an email built before the booking was inserted) is the one recorded.
    """
    token = token or new_token()
    db.session.add(BookingLink(booking_id=booking.id, token_hash=hash_token(token),
                               check_in_hash=hash_token(check_in_code(token))))
    db.session.flush()
    return token


def forget_manage_links(booking: Booking) -> None:
    """Make every manage link of this booking stop working (its data is being forgotten)."""
    db.session.execute(sa.delete(BookingLink).where(BookingLink.booking_id == booking.id))


def booking_by_token(token: str | None) -> Booking | None:
    """The booking any of whose emailed manage links carries this token, or None.

    An anonymised booking is never found, even by a link that somehow survived.
    """
    if not could_be_token(token):
        return None
    return db.session.scalar(
        sa.select(Booking)
        .join(BookingLink, BookingLink.booking_id == Booking.id)
        .where(BookingLink.token_hash == hash_token(token), Booking.anonymised_at.is_(None))
    )
