"""DKIM: the signing key, a new key and its DNS record, and signing an email's bytes.

A key is a PEM file (RSA of 2048 bits or more, or Ed25519) named by
`DKIM_PRIVATE_KEY_FILE`; with `DKIM_DOMAIN` and `DKIM_SELECTOR` set, every email is
signed when it is queued, over its final bytes, so nothing can refold a signed header.
"""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from pathlib import Path

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from flask import Flask, current_app

from config import ConfigError

MIN_RSA_BITS = 2048
SETTINGS = ("DKIM_DOMAIN", "DKIM_SELECTOR", "DKIM_PRIVATE_KEY_FILE")
# What the signature covers when present. RFC 8058 §4: List-Unsubscribe and
# List-Unsubscribe-Post must be covered for one-click unsubscribe to be trusted.
SIGNED_HEADERS = (
    "From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version",
    "Content-Type", "Content-Transfer-Encoding", "List-Unsubscribe",
    "List-Unsubscribe-Post", "List-Id", "Auto-Submitted", "In-Reply-To", "References",
)
EXTENSION = "eventsite_dkim"


@dataclass(frozen=True)
class DkimKey:
    """A signing key as dkimpy takes it, and its public half as DNS publishes it."""

    domain: str
    selector: str
    algorithm: str  # rsa-sha256 or ed25519-sha256
    private_key: bytes  # PKCS#1 PEM for RSA, the base64 seed for Ed25519
    public_key: str  # the p= value of the DNS record

    @property
    def key_type(self) -> str:
        return "ed25519" if self.algorithm == "ed25519-sha256" else "rsa"

    @property
    def record_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def record(self) -> str:
        return f"v=DKIM1; k={self.key_type}; p={self.public_key}"


def key_from_pem(pem: bytes, domain: str, selector: str) -> DkimKey:
    """The key in a PEM file; ConfigError if it is not RSA 2048+ or Ed25519."""
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise ConfigError(f"DKIM_PRIVATE_KEY_FILE does not hold an unencrypted PEM "
                          f"private key: {error}") from None
    if isinstance(private, ed25519.Ed25519PrivateKey):
        raw = private.private_bytes(serialization.Encoding.Raw,
                                    serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
        public = private.public_key().public_bytes(serialization.Encoding.Raw,
                                                   serialization.PublicFormat.Raw)
        return DkimKey(domain, selector, "ed25519-sha256", base64.b64encode(raw),
                       base64.b64encode(public).decode())
    if isinstance(private, rsa.RSAPrivateKey):
        if private.key_size < MIN_RSA_BITS:
            raise ConfigError(f"The DKIM key is RSA of {private.key_size} bits; receivers "
                              f"want {MIN_RSA_BITS} or more (`flask mail dkim-keygen`).")
        pkcs1 = private.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.TraditionalOpenSSL,
                                      serialization.NoEncryption())
        public = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return DkimKey(domain, selector, "rsa-sha256", pkcs1, base64.b64encode(public).decode())
    raise ConfigError("The DKIM key must be RSA (2048 bits or more) or Ed25519.")


def new_key_pem(*, use_ed25519: bool = False) -> bytes:
    """A new private key as PKCS#8 PEM: RSA 2048, or Ed25519."""
    private = (ed25519.Ed25519PrivateKey.generate() if use_ed25519
               else rsa.generate_private_key(public_exponent=65537, key_size=MIN_RSA_BITS))
    return private.private_bytes(serialization.Encoding.PEM,
                                 serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())


def write_new_key(path: Path, pem: bytes) -> None:
    """Write the key readable by its owner only; FileExistsError if the file exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)


def zone_file_line(key: DkimKey) -> str:
    """The TXT record as a zone file line, split into strings of at most 255 characters."""
    record = key.record
    strings = " ".join(f'"{record[i:i + 255]}"' for i in range(0, len(record), 255))
    return f"{key.record_name}. IN TXT ( {strings} )"


def domain_of(mailbox: str) -> str:
    return parseaddr(mailbox)[1].rpartition("@")[2].lower().rstrip(".")


def aligned(sender_domain: str, dkim_domain: str) -> bool:
    """Whether DMARC would count a signature by dkim_domain for mail from sender_domain
    (relaxed alignment: the same domain, or the sender's is beneath it)."""
    dkim_domain = dkim_domain.lower().rstrip(".")
    return sender_domain == dkim_domain or sender_domain.endswith("." + dkim_domain)


def load_configured_key(config) -> DkimKey | None:
    """The key the DKIM_* settings describe, or None if none is set.

    Raises ConfigError, saying what to do, if only some are set, the key cannot be read,
    or the From address (MAIL_DEFAULT_SENDER) is not of DKIM_DOMAIN.
    """
    given = [name for name in SETTINGS if config.get(name)]
    if not given:
        return None
    if len(given) < len(SETTINGS):
        missing = ", ".join(name for name in SETTINGS if name not in given)
        raise ConfigError(f"DKIM signing needs {', '.join(SETTINGS)}; {missing} not set.")
    domain, selector = config["DKIM_DOMAIN"].lower().rstrip("."), config["DKIM_SELECTOR"]
    sender_domain = domain_of(config.get("MAIL_DEFAULT_SENDER") or "")
    if not aligned(sender_domain, domain):
        raise ConfigError(
            f"MAIL_DEFAULT_SENDER is from {sender_domain or 'no domain'}, but DKIM_DOMAIN "
            f"is {domain}: receivers would not count the signature for that From address. "
            "Send from an address at DKIM_DOMAIN, or set DKIM_DOMAIN to the sender's domain."
        )
    try:
        pem = Path(config["DKIM_PRIVATE_KEY_FILE"]).read_bytes()
    except OSError as error:
        raise ConfigError(f"DKIM_PRIVATE_KEY_FILE cannot be read: {error}") from None
    return key_from_pem(pem, domain, selector)


def init_app(app: Flask) -> None:
    """Read and check the DKIM key once, at start: a wrong setting stops the app."""
    app.extensions[EXTENSION] = load_configured_key(app.config)


def configured_key() -> DkimKey | None:
    return current_app.extensions.get(EXTENSION)


def signed(raw: bytes, key: DkimKey | None = None) -> bytes:
    """The email with a DKIM-Signature (relaxed/relaxed) on top, if a key is configured.

    From is signed once more than it appears, so a second From cannot be added.
    """
    key = key or configured_key()
    if key is None:
        return raw
    present = {name.lower() for name in BytesHeaderParser().parsebytes(raw).keys()}
    headers = [name for name in SIGNED_HEADERS if name.lower() in present] + ["From"]
    signature = dkim.sign(
        raw, key.selector.encode(), key.domain.encode(), key.private_key,
        canonicalize=(b"relaxed", b"relaxed"), signature_algorithm=key.algorithm.encode(),
        include_headers=[name.encode() for name in headers], linesep=b"\r\n",
    )
    return signature + raw
