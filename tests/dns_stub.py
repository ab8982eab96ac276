"""A tiny DNS server on loopback (UDP, dnspython), answering from a dict of records.

    def test_something(dns_stub):
        dns_stub.records[("example.org", "TXT")] = ['"v=spf1 mx -all"']
        dns_stub.records[("example.org", "MX")] = ["10 mail.example.org."]
        resolver at dns_stub.address ("127.0.0.1:PORT")

A name with no records of any type is NXDOMAIN; a known name without the type asked for
answers with no records.
"""
from __future__ import annotations

import socket
import threading

import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

HOST = "127.0.0.1"


class DnsStub:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind((HOST, 0))
        self.socket.settimeout(0.1)  # so the thread sees `stopped` soon after it is set
        self.stopped = threading.Event()
        self.port = self.socket.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def _answer(self, wire: bytes) -> bytes:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        kind = dns.rdatatype.to_text(question.rdtype)
        texts = self.records.get((name, kind), [])
        if texts:
            response.answer.append(dns.rrset.from_text_list(
                question.name, 300, dns.rdataclass.IN, question.rdtype, texts))
        elif not any(known == name for known, _ in self.records):
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response.to_wire()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                wire, client = self.socket.recvfrom(4096)
            except TimeoutError:
                continue
            self.socket.sendto(self._answer(wire), client)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.socket.close()


def txt(value: str) -> str:
    """A TXT record's text as zone-file strings of at most 255 characters each."""
    return " ".join(f'"{value[i:i + 255]}"' for i in range(0, len(value), 255))


@pytest.fixture
def dns_stub():
    stub = DnsStub()
    stub.start()
    yield stub
    stub.stop()
