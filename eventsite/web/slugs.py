"""Web addresses of events and speakers: lower-case words joined by hyphens."""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp

from ..extensions import db

SLUG_MAX = 80
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MESSAGE = "Use lower-case letters, digits and single hyphens, like spin-out-mutuals."


def slug_field(description: str) -> StringField:
    """The optional "Web address" field of the event and speaker forms."""
    return StringField("Web address", [
        Optional(), Length(max=120), Regexp(SLUG_PATTERN, message=SLUG_MESSAGE),
    ], description=description)


def slugify(text: str, fallback: str) -> str:
    """Lower-case ASCII words joined by single hyphens: "Café & Co" -> "cafe-co"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or fallback


def slug_taken(model, slug: str, exclude_id: int | None = None) -> bool:
    query = sa.select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def unique_slug(model, base: str, exclude_id: int | None = None) -> str:
    """base, or base-2, base-3 … whichever no other row of `model` uses."""
    slug, n = base, 1
    while slug_taken(model, slug, exclude_id):
        n += 1
        slug = f"{base[:SLUG_MAX - len(str(n)) - 1]}-{n}"
    return slug
