"""Bounces collected from an IMAP mailbox (BOUNCE_IMAP_URL), for sites whose mail server
cannot hand them to `flask mail bounce` itself."""
from __future__ import annotations

import imaplib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from .bounce_records import BounceResult, Outcome

IMAP_TIMEOUT_SECONDS = 30


@dataclass
class MailboxTally:
    """What one visit to the mailbox did: what was recorded, and what was left there."""

    results: list[BounceResult] = field(default_factory=list)
    left: int = 0


def open_mailbox(url: str) -> tuple[imaplib.IMAP4, str]:
    """A logged-in IMAP connection as `imap[s]://user:password@host[:port]/MAILBOX` says."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps"):
        raise ValueError(f"BOUNCE_IMAP_URL must start imap:// or imaps://, not {parts.scheme}://")
    imap_class = imaplib.IMAP4_SSL if parts.scheme == "imaps" else imaplib.IMAP4
    default_port = imaplib.IMAP4_SSL_PORT if parts.scheme == "imaps" else imaplib.IMAP4_PORT
    client = imap_class(parts.hostname, parts.port or default_port, timeout=IMAP_TIMEOUT_SECONDS)
    try:
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
    except BaseException:
        client.shutdown()
        raise
    return client, unquote(parts.path.lstrip("/")) or "INBOX"


def fetch_bounces(url: str, process: Callable[[bytes], BounceResult]) -> MailboxTally:
    """Process each unread email in the mailbox, deleting each bounce and complaint once
    `process` has recorded it; anything else stays, read, for a person to look at.

    If `process` raises (the database is down), that email is marked unread again, what was
    done so far is deleted, and the error is raised.
    """
    client, mailbox = open_mailbox(url)
    tally = MailboxTally()
    try:
        _checked(client.select(_quoted(mailbox)), f"select {mailbox}")
        numbers = _checked(client.search(None, "UNSEEN"), "search")[0].split()
        try:
            for number in numbers:
                raw = _message_bytes(_checked(client.fetch(number, "(RFC822)"), "fetch"))
                try:
                    result = process(raw)
                except BaseException:
                    client.store(number, "-FLAGS", "(\\Seen)")
                    raise
                tally.results.append(result)
                if result.outcome == Outcome.NOT_A_REPORT:
                    tally.left += 1
                else:
                    client.store(number, "+FLAGS", "(\\Deleted)")
        finally:
            client.expunge()
    finally:
        client.logout()
    return tally


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _checked(response: tuple[str, list], what: str) -> list:
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"The IMAP server refused to {what}: {data!r}")
    return data


def _message_bytes(data: list) -> bytes:
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    raise imaplib.IMAP4.error("The IMAP server sent no message")
