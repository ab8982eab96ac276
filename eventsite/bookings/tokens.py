"""Manage-link tokens and booking references.

A manage token is `secrets.token_urlsafe(32)`: 256 random bits, sent only by email. A
booking has one per email that carried a link (`BookingLink`), and the database keeps only
their SHA-256, so the booking tables cannot be turned into working links.
A reference (`FR-7K3Q`) is for people: short, read aloud at the door, typed into a search.
"""
from __future__ import annotations

import hashlib
import secrets

# No 0/O, 1/I/L or U/V: easy to read out and to copy from a printed sheet.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REFERENCE_PREFIX = "FR-"
REFERENCE_LENGTH = 4
LONGEST_TOKEN = 128  # anything longer cannot be one of ours; not worth hashing


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def could_be_token(token: str | None) -> bool:
    return bool(token) and len(token) <= LONGEST_TOKEN


def new_reference(length: int = REFERENCE_LENGTH) -> str:
    return REFERENCE_PREFIX + "".join(
        secrets.choice(REFERENCE_ALPHABET) for _ in range(length)
    )
