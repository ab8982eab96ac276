"""The stored copy of a sent email, rewritten to forget what was for the recipient alone:
its text and HTML replaced by the versions kept for the mail log (which never held a
private link), its inline images (a check-in QR code) left out."""
from __future__ import annotations

import email

from .delivery import GENERATOR_POLICY, QUOTED_PRINTABLE_UTF8
from .inline_images import leave_out_images


def with_bodies(raw: bytes, text: str, html: str) -> bytes:
    """The email with its text and HTML parts replaced and its inline images left out: the
    same headers and attachments."""
    message = email.message_from_bytes(raw)
    for part in message.walk():
        leave_out_images(part)
        if part.is_multipart() or part.get_filename():
            continue
        content = {"text/plain": text, "text/html": html}.get(part.get_content_type())
        if content is not None:
            del part["Content-Transfer-Encoding"]
            part.set_payload(content, QUOTED_PRINTABLE_UTF8)
    return message.as_bytes(policy=GENERATOR_POLICY)
