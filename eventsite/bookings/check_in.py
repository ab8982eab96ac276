"""Check-in codes at the door: the QR code an attendee shows, and finding their booking.

Each manage link has a check-in code (`tokens.check_in_code`), so every email that carries
a link, and the attendee's page, can show a QR code holding the absolute address
`SITE_URL/admin/check-in/<code>`. A phone's camera app opens it; the organiser area asks
whoever is not logged in to log in first. The code opens nothing by itself.

The QR codes are made with segno: a PNG for email (attached inline, as mail clients drop
SVG and data: images), SVG on the page. The PNG's pixels are written by Pillow, whose
encoder is C: segno's own is pure Python and cost a booking several milliseconds.
"""
from __future__ import annotations

import io
import re

import segno
import sqlalchemy as sa
from markupsafe import Markup
from PIL import Image

from ..extensions import db
from ..models import Booking, BookingLink, BookingStatus
from ..outbox.inline_images import InlineImage
from ..web.urls import absolute_url, site_host
from .tokens import check_in_code, hash_token

CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")
QR_ERROR_LEVEL = "m"  # survives a scratched screen or a thumb over a corner


def check_in_url(token: str) -> str:
    """The absolute address the QR code of this manage link holds."""
    return absolute_url("door.check_in_page", code=check_in_code(token))


def booking_by_check_in_code(code: str) -> Booking | None:
    """The booking with this check-in code, or None (anonymised bookings are never found)."""
    if not CODE_PATTERN.fullmatch(code or ""):
        return None
    return db.session.scalar(
        sa.select(Booking)
        .join(BookingLink, BookingLink.booking_id == Booking.id)
        .where(BookingLink.check_in_hash == hash_token(code), Booking.anonymised_at.is_(None))
    )


def record_check_in_code(token: str) -> bool:
    """Give a manage link issued before check-in codes existed its code, now that its
    token is in hand (the attendee opened it). True if it had none; the caller commits."""
    link = db.session.scalar(sa.select(BookingLink).where(
        BookingLink.token_hash == hash_token(token)))
    if link is None or link.check_in_hash is not None:
        return False
    link.check_in_hash = hash_token(check_in_code(token))
    db.session.flush()
    return True


def check_in_qr(booking: Booking, token: str) -> Markup | None:
    """The SVG QR code for the attendee's page while they may still come: a confirmed
    booking of an event that is neither cancelled nor over. Records the link's code first
    if it was issued before codes existed (the caller commits)."""
    event = booking.event
    if booking.status != BookingStatus.CONFIRMED or event.is_cancelled or event.has_ended():
        return None
    record_check_in_code(token)
    return qr_svg(check_in_url(token), f"QR code for checking in: {booking.reference}")


def _qr(url: str) -> segno.QRCode:
    return segno.make_qr(url, error=QR_ERROR_LEVEL)


def qr_png(url: str, scale: int = 6) -> bytes:
    """The QR code as a PNG: black on white with the standard quiet zone, `scale` pixels
    to a module."""
    qr = _qr(url)
    side, _ = qr.symbol_size(scale=1, border=4)
    pixels = b"".join(bytes(0 if dark else 255 for dark in row)
                      for row in qr.matrix_iter(scale=1, border=4))
    image = Image.frombytes("L", (side, side), pixels).convert("1", dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.resize((side * scale, side * scale), Image.Resampling.NEAREST).save(buffer, "PNG")
    return buffer.getvalue()


def qr_svg(url: str, title: str) -> Markup:
    """The QR code as inline SVG that scales with its box; `title` names it for screen
    readers."""
    svg = _qr(url).svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff",
                              title=title, svgclass="qr-code", lineclass=None)
    # segno writes the SVG and escapes the title itself; nothing else in it is text.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # nosec B704


def check_in_image(booking: Booking, token: str) -> InlineImage:
    """The QR code for an email, to show where its HTML says `cid:<content_id>`."""
    return InlineImage(content_id=f"check-in-{booking.reference}@{site_host()}",
                       filename=f"check-in-{booking.reference}.png", content_type="image/png",
                       data=qr_png(check_in_url(token)))
