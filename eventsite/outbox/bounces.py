"""Reading bounces and spam complaints: what a report says, not yet what to do about it.

`read_report(raw)` understands a delivery status notification (RFC 3464
`multipart/report; report-type=delivery-status`, as Postfix, Microsoft Exchange and
Outlook.com, and Gmail send), the plain-text form Exim and older servers send ("Mail
delivery failed"), and a spam complaint (an ARF `report-type=feedback-report`). Anything
else, an out-of-office reply or a person writing back, is not a report: None.
"""
from __future__ import annotations

import email
import enum
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses, parseaddr

ReportKind = enum.StrEnum("ReportKind", "HARD SOFT COMPLAINT")

STATUS_CODE = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
SMTP_REPLY = re.compile(r"(?<![\d.])([45])\d\d(?:[ -]|$)", re.MULTILINE)
MESSAGE_ID_LINE = re.compile(r"^Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "mailer_daemon")
BOUNCE_SUBJECTS = re.compile(
    r"undeliver|undelivered|delivery (status notification|failure|has failed)|"
    r"mail delivery failed|returned mail|failure notice|could not be delivered|"
    r"delivery incomplete|non[- ]?delivery", re.IGNORECASE)
PERMANENT_WORDS = re.compile(r"permanent|failed permanently|does not exist|no such user|"
                             r"user unknown|could not be delivered", re.IGNORECASE)
TEMPORARY_WORDS = re.compile(r"temporar|delayed|still trying|will (keep )?retry|"
                             r"will try again", re.IGNORECASE)
# Where the report was delivered: the VERP address is in one of these.
DELIVERY_HEADERS = ("To", "X-Original-To", "Delivered-To", "Envelope-To", "X-Envelope-To")
DIAGNOSTIC_LENGTH = 300


@dataclass
class Report:
    """A bounce or complaint about one message that was sent."""

    kind: ReportKind
    status: str = ""  # the enhanced status code, 5.1.1
    diagnostic: str = ""  # the receiving server's words
    recipient: str = ""  # the address the report names, if it names one
    original_message_id: str | None = None
    delivered_to: list[str] = field(default_factory=list)  # where the report itself went

    def describe(self) -> str:
        if self.kind == ReportKind.COMPLAINT:
            return f"Reported as spam by its recipient{self._words()}"
        if self.kind == ReportKind.HARD:
            return f"Bounced {self.status}{self._words()}"
        return f"Delivery delayed {self.status} (the receiving server retries){self._words()}"

    def _words(self) -> str:
        return f": {self.diagnostic}" if self.diagnostic else ""


def read_report(raw: bytes) -> Report | None:
    """The bounce or complaint this email is, or None if it is neither."""
    message = email.message_from_bytes(raw)
    if _part(message, "message/feedback-report") is not None:
        report = _complaint(message)
    elif (status_part := _part(message, "message/delivery-status",
                               "message/global-delivery-status")) is not None:
        report = _delivery_status(status_part)
    elif _looks_like_bounce(message):
        report = _text_bounce(message)
    else:
        report = None
    if report is not None:
        report.original_message_id = report.original_message_id or _original_message_id(message)
        report.delivered_to = [value for name in DELIVERY_HEADERS
                               for value in message.get_all(name, [])]
    return report


def _part(message: Message, *content_types: str) -> Message | None:
    return next((part for part in message.walk()
                 if part.get_content_type() in content_types), None)


def _fields(part: Message) -> list[Message]:
    """The header blocks of a delivery-status or feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    return [email.message_from_string(block) for block in str(payload).split("\n\n")
            if block.strip()]


def _delivery_status(part: Message) -> Report | None:
    """The first recipient that failed, else the first delayed one; None if all arrived."""
    recipients = [block for block in _fields(part)[1:] if block.get("Action")]
    for action, kind in (("failed", ReportKind.HARD), ("delayed", ReportKind.SOFT)):
        for block in recipients:
            if block["Action"].strip().lower() != action:
                continue
            status = _status_code(str(block.get("Status", ""))) or (
                "5.0.0" if kind == ReportKind.HARD else "4.0.0")
            return Report(
                kind=ReportKind.HARD if status.startswith("5") else ReportKind.SOFT,
                status=status,
                diagnostic=_after_type(block.get("Diagnostic-Code", "")),
                recipient=_after_type(block.get("Final-Recipient")
                                      or block.get("Original-Recipient", "")),
            )
    return None


def _complaint(message: Message) -> Report:
    feedback = _fields(_part(message, "message/feedback-report"))[0]
    recipient = _after_type(feedback.get("Original-Rcpt-To", ""))
    feedback_type = str(feedback.get("Feedback-Type", "abuse")).strip()
    return Report(kind=ReportKind.COMPLAINT, recipient=recipient,
                  diagnostic=f"feedback type {feedback_type}")


def _looks_like_bounce(message: Message) -> bool:
    """From a mailer daemon, or naming failed recipients, or titled as a bounce, but not
    an out-of-office reply (bounces are auto-replied too, so that alone says nothing)."""
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    if sender.split("@")[0] in BOUNCE_SENDERS or message.get("X-Failed-Recipients"):
        return True
    if str(message.get("Auto-Submitted", "")).lower().startswith("auto-replied"):
        return False
    return bool(BOUNCE_SUBJECTS.search(str(message.get("Subject", ""))))


def _text_bounce(message: Message) -> Report | None:
    """Exim's "Mail delivery failed" and the like: the codes are in the words."""
    text = _readable_text(message)
    status = _status_code(text)
    reply = SMTP_REPLY.search(text)
    if status is None and reply is not None:
        status = f"{reply.group(1)}.0.0"
    if status is None and PERMANENT_WORDS.search(text):
        status = "5.0.0"
    if status is None and TEMPORARY_WORDS.search(text):
        status = "4.0.0"
    if status is None:
        return None
    failed = getaddresses(message.get_all("X-Failed-Recipients", []))
    return Report(
        kind=ReportKind.HARD if status.startswith("5") else ReportKind.SOFT,
        status=status,
        diagnostic=_line_with(text, status, reply),
        recipient=failed[0][1] if failed else "",
    )


def _readable_text(message: Message) -> str:
    """The report's own words: its text parts (HTML stripped of tags if there is no text)."""
    texts, htmls = [], []
    for part in message.walk():
        if part.get_content_maintype() != "text" or part.get_filename():
            continue
        target = htmls if part.get_content_subtype() == "html" else texts
        payload = part.get_payload(decode=True) or b""
        target.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    if texts:
        return "\n".join(texts)
    return re.sub(r"<[^>]+>", " ", "\n".join(htmls))


def _line_with(text: str, status: str, reply: re.Match | None) -> str:
    """The line that gave the status away, as the server's diagnostic."""
    needles = [status] + ([reply.group(0).strip()] if reply else [])
    for line in text.splitlines():
        if any(needle in line for needle in needles):
            return " ".join(line.split())[:DIAGNOSTIC_LENGTH]
    return ""


def _original_message_id(message: Message) -> str | None:
    """The Message-ID of the email the report is about, from its copy or its headers."""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message) and inner.get("Message-ID"):
                return str(inner["Message-ID"]).strip()
        elif content_type in ("text/rfc822-headers", "text/global-headers"):
            found = MESSAGE_ID_LINE.search(_decoded(part))
            if found:
                return found.group(1)
    # A copy pasted into the text (Exim's "This is a copy of the message").
    found = MESSAGE_ID_LINE.search(_readable_text(message))
    return found.group(1) if found else None


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    return payload.decode(part.get_content_charset() or "utf-8", "replace")


def _status_code(text: str) -> str | None:
    found = STATUS_CODE.search(text)
    return ".".join(found.groups()) if found else None


def _after_type(value) -> str:
    """`rfc822; ada@example.org` or `smtp; 550 5.1.1 ...` without the type, on one line."""
    text = " ".join(str(value or "").split())
    return (text.split(";", 1)[1].strip() if ";" in text else text)[:DIAGNOSTIC_LENGTH]
