"""Building an email once, and handing its bytes to SMTP or to a file.

An email is built when it is queued (`email_bytes`: the standard library's MIME classes,
headers encoded by Flask-Mail's sanitize functions), and its bytes are kept in the outbox
row (`raw`): every attempt sends exactly those bytes, with the one Message-ID and Date.

The worker sends through a transport: `SmtpTransport` (one SMTP connection reused from
message to message, reopened after the server drops it) or `FileTransport` (one `.eml`
file per message, for development and the demo). Either raises `DeliveryFailure`, which
says whether trying again later could help.
"""
from __future__ import annotations

import email.charset
import email.policy
import itertools
import os
import smtplib
import time
from dataclasses import dataclass
from email.encoders import encode_base64
from email.header import Header, decode_header, make_header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, parseaddr
from pathlib import Path

from flask import current_app
from flask_mail import BadHeaderError, sanitize_address, sanitize_subject

from .inline_images import InlineImage, with_images
from .verp import verp_address

SMTP_TIMEOUT_SECONDS = 30
MAX_LINE = 998  # RFC 5322's limit for any line, header or body


class EncodedHeaders(email.policy.Compat32):
    """Writes headers exactly as build_email encoded them.

    policy.SMTP folds at 78 columns, turning a long List-Unsubscribe URL into encoded
    words that mail clients cannot follow, and parses every header again on the way out.
    The headers build_email sets are already ASCII (non-ASCII text is encoded as RFC 2047
    words and folded), so they go out as they are: one plain line up to 998 characters.
    """

    def fold_binary(self, name, value):
        if isinstance(value, str) and value.isascii():
            lines = value.splitlines()
            if all(len(line) + len(name) + 2 <= MAX_LINE for line in lines):
                return (f"{name}: " + self.linesep.join(lines) + self.linesep).encode("ascii")
        return super().fold_binary(name, value)


GENERATOR_POLICY = EncodedHeaders(linesep="\r\n", max_line_length=MAX_LINE)
QUOTED_PRINTABLE_UTF8 = email.charset.Charset("utf-8")
QUOTED_PRINTABLE_UTF8.body_encoding = email.charset.QP
DEFAULT_DISPLAY_NAME = "eventsite"


@dataclass(frozen=True)
class Attachment:
    """A file an email carries."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class CalendarInvitation:
    """An iMIP message (RFC 6047): an iTIP method (REQUEST, CANCEL) and its calendar.

    It goes out twice: as a `text/calendar; method=...` part beside the text and HTML,
    which Outlook and Gmail act on, and as `invite.ics`, for other clients.
    """

    method: str
    data: bytes
    filename: str = "invite.ics"

    @property
    def content_type(self) -> str:
        return f"text/calendar; method={self.method}"


@dataclass(frozen=True)
class OutgoingEmail:
    """An email to build (`build_email`): its content, as queued or for a preview."""

    message_id: str
    recipient: str
    subject: str
    body_text: str
    body_html: str
    headers: dict
    attachments: tuple[Attachment, ...] = ()
    calendar: CalendarInvitation | None = None
    inline_images: tuple[InlineImage, ...] = ()


@dataclass(frozen=True)
class QueuedEmail:
    """What the worker needs of an outbox row, read once so commits never reload it."""

    id: int
    kind: str
    recipient: str
    attempts: int
    max_attempts: int | None  # its own limit, if it has one
    holds_private_links: bool  # to be forgotten once it is sent or has finally failed
    raw: bytes  # the email as built when queued, sent byte for byte


class DeliveryFailure(Exception):
    """Sending failed. `transient`: the same message may well go through later.

    `server_unavailable` means no connection could be made at all, so every other
    message waiting in the batch would fail the same way.
    `recipient_refused` means the server refused the recipient for good (5xx at RCPT).
    """

    def __init__(self, reason: str, *, transient: bool, server_unavailable: bool = False,
                 recipient_refused: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.server_unavailable = server_unavailable
        self.recipient_refused = recipient_refused  # a 5xx at RCPT: the address is no good


def name_and_address(mailbox_header: str) -> tuple[str, str]:
    """('Zoë', 'zoe@example.org') from a stored mailbox, its name decoded.

    Flask-Mail's sanitize_address encodes a display name itself; handed one already
    encoded (as `mailbox()` stores it), it would encode it a second time.
    """
    name, address = parseaddr(mailbox_header)
    return str(make_header(decode_header(name))), address


def sender() -> tuple[str, str]:
    """MAIL_DEFAULT_SENDER, given a display name if it has none."""
    name, address = name_and_address(current_app.config["MAIL_DEFAULT_SENDER"])
    return name or DEFAULT_DISPLAY_NAME, address


def build_email(outgoing: OutgoingEmail) -> Message:
    """The email as the recipient gets it: text and HTML, attachments, fixed Message-ID.

    Raises BadHeaderError if a header could still end a line (the values queue_email
    passes never can), or whatever building it raises: a fault in the code that queued
    it, never something to retry.
    """
    headers = dict(outgoing.headers)
    reply_to = headers.pop("Reply-To", None)
    mailboxes = [sender(), name_and_address(outgoing.recipient)]
    if reply_to:
        mailboxes.append(name_and_address(reply_to))
    if any(_breaks_line(text) for text in [outgoing.subject, *itertools.chain(*mailboxes)]):
        raise BadHeaderError("a header holds a line break")
    message = _body(outgoing)
    if outgoing.subject:
        message["Subject"] = sanitize_subject(outgoing.subject)
    message["From"] = sanitize_address(mailboxes[0])
    message["To"] = sanitize_address(mailboxes[1])
    message["Date"] = formatdate(time.time(), localtime=True)
    message["Message-ID"] = outgoing.message_id  # the same on every retry, set when queued
    if reply_to:
        message["Reply-To"] = sanitize_address(mailboxes[2])
    for name, value in headers.items():
        message[name] = _encoded(value)
    attachments = list(outgoing.attachments)
    if outgoing.calendar is not None:
        invitation = outgoing.calendar
        attachments.append(Attachment(invitation.filename, invitation.content_type,
                                      invitation.data))
    for attachment in attachments:
        message.attach(_attachment_part(attachment))
    return message


def email_bytes(outgoing: OutgoingEmail) -> bytes:
    """The email exactly as it is to be sent, every time: MIME with CRLF line ends."""
    return build_email(outgoing).as_bytes(policy=GENERATOR_POLICY)


def _body(outgoing: OutgoingEmail) -> Message:
    """The text, beside the HTML (with its inline images) and the calendar if there are
    any, in a mixed part if files are attached."""
    text = _text_part(outgoing.body_text, "plain")
    if outgoing.body_html or outgoing.calendar:
        alternative = MIMEMultipart("alternative")
        alternative.attach(text)
        if outgoing.body_html:
            html = _text_part(outgoing.body_html, "html")
            alternative.attach(with_images(html, outgoing.inline_images))
        if outgoing.calendar:
            alternative.attach(_calendar_part(outgoing.calendar))
        text = alternative
    if not outgoing.body_html and not outgoing.attachments and not outgoing.calendar:
        return text
    mixed = MIMEMultipart()
    mixed.attach(text)
    return mixed


def _text_part(text: str, subtype: str) -> MIMEText:
    """UTF-8 text, 8bit; quoted-printable if a line is longer than SMTP allows.

    A line over 998 bytes (a long Markdown paragraph) would break SMTP as it is.
    """
    text = text or ""
    if any(len(line.encode()) > MAX_LINE for line in text.splitlines()):
        return MIMEText(text, subtype, QUOTED_PRINTABLE_UTF8)
    return MIMEText(text, subtype, "utf-8")


def _calendar_part(invitation: CalendarInvitation) -> MIMEText:
    """The calendar as iMIP puts it in the body: its method= the same as its METHOD
    (RFC 5545 §8.1, RFC 6047 §2.4)."""
    part = _text_part(invitation.data.decode("utf-8"), "calendar")
    part.set_param("method", invitation.method)
    return part


def _attachment_part(attachment: Attachment) -> MIMEBase:
    """A file as base64, named in its Content-Disposition (RFC 2231 if not ASCII)."""
    content_type, *params = (item.strip() for item in attachment.content_type.split(";"))
    part = MIMEBase(*content_type.split("/"))
    for param in params:
        name, _, value = param.partition("=")
        part.set_param(name, value)
    part.set_payload(attachment.data)
    encode_base64(part)
    filename = attachment.filename
    if not filename.isascii():
        filename = ("UTF8", "", filename)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _breaks_line(text: str | None) -> bool:
    return bool(text) and ("\r" in text or "\n" in text)


def envelope_address(mailbox_header: str) -> str:
    """The bare address SMTP's MAIL FROM or RCPT TO takes, an international domain as IDNA."""
    address = parseaddr(mailbox_header)[1]
    return address if address.isascii() else sanitize_address(("", address))


def _encoded(value: str) -> str:
    """A header value as it may travel: ASCII as it is, anything else as encoded words."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def open_smtp(config) -> smtplib.SMTP:
    """An SMTP connection as the MAIL_* settings describe it, logged in if they say so.

    Opened with a timeout, so a server that stops answering cannot hang the worker.
    """
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    smtp = smtp_class(config.get("MAIL_SERVER", "localhost"), config.get("MAIL_PORT", 25),
                      timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


class SmtpTransport:
    """One SMTP connection for message after message, reopened after the server drops it.

    Each message goes to smtplib's `sendmail` as the bytes kept in the outbox: nothing is
    composed to send it.
    """

    def __init__(self) -> None:
        self.config = current_app.config
        self.smtp: smtplib.SMTP | None = None
        self.envelope_sender = envelope_address(self.config["MAIL_DEFAULT_SENDER"])

    def _connected(self) -> smtplib.SMTP:
        if self.smtp is None:
            try:
                self.smtp = open_smtp(self.config)
            except (OSError, smtplib.SMTPException) as error:
                raise DeliveryFailure(
                    f"Could not connect to the mail server {self.config.get('MAIL_SERVER')}:"
                    f"{self.config.get('MAIL_PORT')}: {describe(error)}",
                    transient=True, server_unavailable=True,
                ) from error
        return self.smtp

    def send(self, queued: QueuedEmail) -> None:
        """Send one message, or raise DeliveryFailure."""
        smtp = self._connected()
        try:
            smtp.sendmail(verp_address(queued.id, self.config) or self.envelope_sender,
                          [envelope_address(queued.recipient)], queued.raw)
        except smtplib.SMTPRecipientsRefused as error:
            # smtplib resets the transaction itself; the connection carries on unless
            # the server said it is closing it (421).
            codes = [code for code, _ in error.recipients.values()]
            if 421 in codes:
                self.close()
            transient = all(400 <= code < 500 for code in codes)
            raise DeliveryFailure(describe(error), transient=transient,
                                  recipient_refused=all(code >= 500 for code in codes)) from error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == 421:  # the server is closing this connection
                self.close()
            transient = 400 <= error.smtp_code < 500
            raise DeliveryFailure(describe(error), transient=transient) from error
        except OSError as error:  # includes SMTPServerDisconnected and timeouts
            self.close()
            raise DeliveryFailure(describe(error), transient=True) from error
        except ValueError as error:  # e.g. an address smtplib cannot put in an envelope
            raise DeliveryFailure(f"The message cannot be sent as it is: {error!r}",
                                  transient=False) from error

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


class FileTransport:
    """Each message as `<MAIL_FOLDER>/<id>-<kind>.eml`, readable by its owner only; sending
    again overwrites it."""

    def __init__(self) -> None:
        self.folder = Path(current_app.config["MAIL_FOLDER"])

    def send(self, queued: QueuedEmail) -> None:
        path = self.folder / f"{queued.id:07d}-{queued.kind}.eml"
        partial = path.with_suffix(".eml.partial")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(queued.raw)
            os.replace(partial, path)
        except OSError as error:
            raise DeliveryFailure(f"Could not write {path}: {error}", transient=True) from error

    def close(self) -> None:
        pass


def open_transport() -> SmtpTransport | FileTransport:
    """The transport MAIL_BACKEND names: smtp or file."""
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "smtp":
        return SmtpTransport()
    if backend == "file":
        return FileTransport()
    raise ValueError(f"MAIL_BACKEND must be smtp or file, not {backend!r}")


def describe(error: BaseException) -> str:
    """A mail server's answer, or a network error, in one readable line."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address} refused: {code} {_text(reply)}"
            for address, (code, reply) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return f"The mail server closed the connection ({error})"
    return f"{type(error).__name__}: {error}"


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join(reply.split())
