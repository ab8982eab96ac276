"""Images an email's HTML shows inline: `<img src="cid:...">` beside the HTML in
multipart/related (RFC 2387), since mail clients drop SVG and data: images.

Inline images hold what is for the recipient alone, such as a check-in QR code: the stored
email leaves them out when it forgets its private links (`stored_copies.with_bodies`).
"""
from __future__ import annotations

from dataclasses import dataclass
from email.encoders import encode_base64
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML shows as `cid:<content_id>`."""

    content_id: str
    filename: str
    content_type: str
    data: bytes


def with_images(html: Message, images: tuple[InlineImage, ...]) -> Message:
    """The HTML part, and its images beside it in multipart/related if there are any."""
    if not images:
        return html
    related = MIMEMultipart("related")
    related.attach(html)
    for image in images:
        part = MIMEBase(*image.content_type.split("/"))
        part.set_payload(image.data)
        encode_base64(part)
        part.add_header("Content-ID", f"<{image.content_id}>")
        part.add_header("Content-Disposition", "inline", filename=image.filename)
        related.attach(part)
    return related


def leave_out_images(part: Message) -> None:
    """Drop the inline images of a multipart/related part (the HTML stays)."""
    if part.get_content_type() == "multipart/related":
        part.set_payload([inner for inner in part.get_payload()
                          if inner.get_content_disposition() != "inline"])
