"""Whether the DNS says what receivers need to trust the site's email: SPF, DKIM, DMARC
and MX of the sender's domain, each found in plain words, with what to publish if not."""
from __future__ import annotations

from dataclasses import dataclass

import dns.exception
import dns.resolver

from .dkim_keys import DkimKey, zone_file_line

LOOKUP_SECONDS = 5.0


@dataclass(frozen=True)
class Finding:
    """One record checked: whether it is right, and what to do if it is not."""

    record: str  # SPF, DKIM, DMARC or MX
    ok: bool
    text: str


class LookupFailed(Exception):
    """The resolver gave no answer either way (timeout, SERVFAIL)."""


def make_resolver(nameserver: str | None = None) -> dns.resolver.Resolver:
    """The system's resolver, or one asking only `IP[:PORT]`."""
    if not nameserver:
        resolver = dns.resolver.Resolver()
    else:
        resolver = dns.resolver.Resolver(configure=False)
        host, _, port = nameserver.rpartition(":") if nameserver.count(":") == 1 else (
            nameserver, "", "")
        resolver.nameservers = [host]
        resolver.port = int(port) if port else 53
    resolver.lifetime = LOOKUP_SECONDS
    return resolver


def lookup(resolver: dns.resolver.Resolver, name: str, rdtype: str) -> list:
    """The records of that name and type; an empty list if there are none."""
    try:
        return list(resolver.resolve(name, rdtype, search=False))
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as error:
        raise LookupFailed(f"{rdtype} {name}: {error}") from error


def txt_records(resolver, name: str, prefix: str) -> list[str]:
    """The TXT strings at `name` that start with `prefix` (each record's strings joined)."""
    texts = [b"".join(r.strings).decode("utf-8", "replace") for r in lookup(resolver, name, "TXT")]
    return [text for text in texts if text.lower().startswith(prefix.lower())]


def one_record(resolver, record: str, name: str, prefix: str, missing: str,
               several: str) -> Finding:
    """The one TXT record of this kind at `name`: missing, several, or there."""
    records = txt_records(resolver, name, prefix)
    if not records:
        return Finding(record, False, missing)
    if len(records) > 1:
        return Finding(record, False, f"{name} has {len(records)} {record} records; {several}")
    return Finding(record, True, f"{record} at {name}: {records[0]}")


def check_spf(resolver, domain: str) -> Finding:
    return one_record(
        resolver, "SPF", domain, "v=spf1",
        missing=f"No SPF record on {domain}. Publish a TXT record on {domain}, naming the "
                'servers that send its mail: "v=spf1 mx -all" (add '
                "include:your-mail-provider or ip4:ADDRESS for each other one).",
        several="receivers treat that as an error. Merge them into one TXT record.")


def dkim_tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, _, value = part.partition("=")
        tags[name.strip().lower()] = "".join(value.split())
    return tags


def check_dkim(resolver, domain: str, key: DkimKey | None) -> Finding:
    if key is None:
        return Finding("DKIM", False, "Email is not DKIM-signed: DKIM_DOMAIN, DKIM_SELECTOR "
                       "and DKIM_PRIVATE_KEY_FILE are not set. Make a key with "
                       f"`flask mail dkim-keygen {domain} SELECTOR` and set them.")
    records = txt_records(resolver, key.record_name, "v=DKIM1")
    publish = f"Publish this TXT record:\n    {zone_file_line(key)}"
    if not records:
        return Finding("DKIM", False, f"No DKIM record at {key.record_name}. {publish}")
    tags = dkim_tags(records[0])
    if tags.get("p") != key.public_key or tags.get("k", "rsa") != key.key_type:
        return Finding("DKIM", False, f"The DKIM record at {key.record_name} does not match "
                       "the key in DKIM_PRIVATE_KEY_FILE, so receivers cannot verify the "
                       f"signatures. Replace it. {publish}")
    return Finding("DKIM", True, f"DKIM at {key.record_name} matches the signing key "
                   f"({key.algorithm}).")


def check_dmarc(resolver, domain: str) -> Finding:
    name = f"_dmarc.{domain}"
    return one_record(
        resolver, "DMARC", name, "v=DMARC1",
        missing=f'No DMARC record at {name}. Publish a TXT record on {name}: "v=DMARC1; '
                f'p=none; rua=mailto:dmarc@{domain}" (move to p=quarantine once the reports '
                "show all mail passes).",
        several="receivers ignore them all. Keep one.")


def check_mx(resolver, domain: str) -> Finding:
    hosts = sorted(str(r.exchange).rstrip(".") for r in lookup(resolver, domain, "MX"))
    if not hosts or hosts == [""]:
        return Finding("MX", False, f"No MX record on {domain}, so replies and bounces to "
                       f"the From address cannot be delivered. Publish an MX record on "
                       f"{domain} naming the server that receives its mail.")
    return Finding("MX", True, f"MX on {domain}: {', '.join(hosts)}")


def check_dns(resolver, domain: str, key: DkimKey | None) -> list[Finding]:
    """Each record checked in turn; a lookup that fails says so instead."""
    checks = [("SPF", lambda: check_spf(resolver, domain)),
              ("DKIM", lambda: check_dkim(resolver, domain, key)),
              ("DMARC", lambda: check_dmarc(resolver, domain)),
              ("MX", lambda: check_mx(resolver, domain))]
    findings = []
    for record, check in checks:
        try:
            findings.append(check())
        except LookupFailed as error:
            findings.append(Finding(record, False, f"Could not look up {error}"))
    return findings
