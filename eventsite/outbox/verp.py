"""VERP: each message's envelope sender names the message, so its bounce finds its way back.

With MAIL_BOUNCE_ADDRESS=bounces@example.org, outbox message 42 goes out with the envelope
sender `bounces+42-<mac>@example.org`; the mail server that gives up on it sends the bounce
there. The mac (an HMAC of the id under SECRET_KEY) keeps anyone else from making a bounce
that marks a message of their choosing: a token that does not check out is ignored, and
the bounce is matched by the original's Message-ID instead (as it is after a key change).
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping

MAC_LENGTH = 10


def _mac(outbox_id: int, secret_key: str) -> str:
    digest = hmac.new(secret_key.encode(), f"verp:{outbox_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:MAC_LENGTH]


def verp_address(outbox_id: int, config: Mapping) -> str | None:
    """The envelope sender for one message, or None when MAIL_BOUNCE_ADDRESS is not set."""
    bounce_address = config.get("MAIL_BOUNCE_ADDRESS")
    if not bounce_address:
        return None
    local, domain = bounce_address.rsplit("@", 1)
    return f"{local}+{outbox_id}-{_mac(outbox_id, config['SECRET_KEY'])}@{domain}"


def _pattern(bounce_address: str) -> re.Pattern:
    local, domain = bounce_address.rsplit("@", 1)
    return re.compile(rf"{re.escape(local)}\+(\d+)-([0-9a-f]{{{MAC_LENGTH}}})@{re.escape(domain)}",
                      re.IGNORECASE)


def outbox_id_in(texts: Iterable[str], config: Mapping) -> int | None:
    """The id of the message the first genuine VERP address in these texts names."""
    bounce_address = config.get("MAIL_BOUNCE_ADDRESS")
    if not bounce_address:
        return None
    pattern = _pattern(bounce_address)
    for text in texts:
        for found in pattern.finditer(text or ""):
            outbox_id = int(found.group(1))
            if hmac.compare_digest(found.group(2).lower(), _mac(outbox_id, config["SECRET_KEY"])):
                return outbox_id
    return None
