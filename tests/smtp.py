"""A real SMTP server on loopback (aiosmtpd), with faults to order.

    def test_something(smtp_server):
        smtp_server.reject_recipient("gone@example.org")   # 550 at RCPT
        smtp_server.fail_next(2)                           # 451 to the next two DATA
        smtp_server.hang_up_next(1)                        # close the connection mid-message
        smtp_server.delay = 0.2                            # a slow server
        smtp_server.stop_listening()                       # connections refused
        smtp_server.start_listening()
        smtp_server.on_data = check                        # check(peer, raw) at each DATA
        smtp_server.messages                               # EmailMessage objects received
        smtp_server.raw_messages                           # the same, as bytes
        smtp_server.peers                                  # the connection each came over
"""
from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections.abc import Callable
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


class RecordingHandler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        if address.lower() in self.server.rejected_recipients:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        server = self.server
        if server.on_data is not None:  # runs before the server answers DATA
            server.on_data(session.peer, envelope.content)
        if server.delay:
            await asyncio.sleep(server.delay)
        if server.take_fault("hang_ups"):
            smtp.transport.close()
            return "421 4.4.2 Connection dropped"
        if server.take_fault("temporary_failures"):
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        if server.take_fault("permanent_failures"):
            return "554 5.6.0 Message content rejected"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with server.lock:
            server.messages.append(message)
            server.raw_messages.append(envelope.content)
            server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            server.peers.append(session.peer)
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server that records what it receives and fails when told to."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.raw_messages: list[bytes] = []  # as received, byte for byte
        self.envelopes: list[tuple[str, list[str]]] = []
        self.peers: list[tuple[str, int]] = []  # (host, port) of the client connection
        self.on_data: Callable[[tuple[str, int], bytes], None] | None = None
        self.rejected_recipients: set[str] = set()
        self.faults = {"hang_ups": 0, "temporary_failures": 0, "permanent_failures": 0}
        self.delay = 0.0
        self.controller: Controller | None = None

    def take_fault(self, name: str) -> bool:
        with self.lock:
            if self.faults[name] > 0:
                self.faults[name] -= 1
                return True
            return False

    def reject_recipient(self, address: str) -> None:
        self.rejected_recipients.add(address.lower())

    def fail_next(self, count: int = 1, *, permanent: bool = False) -> None:
        with self.lock:
            self.faults["permanent_failures" if permanent else "temporary_failures"] += count

    def hang_up_next(self, count: int = 1) -> None:
        with self.lock:
            self.faults["hang_ups"] += count

    def start_listening(self) -> None:
        from tests.conftest import free_port

        self.port = self.port or free_port()
        controller = Controller(RecordingHandler(self), hostname=HOST, port=self.port)
        controller.start()
        self.controller = controller

    def stop_listening(self) -> None:
        """From now until start_listening(), connections to the port are refused."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(message["Message-ID"]) for message in self.messages]

    def received(self, to: str | None = None) -> list[EmailMessage]:
        """The messages received so far (those to one address, if given), in order."""
        with self.lock:
            return [m for m in self.messages if to is None or to in str(m["To"])]

    def wait_for(self, count: int, timeout: float = 20, *, to: str | None = None
                 ) -> list[EmailMessage]:
        """Wait until at least `count` messages (to one address, if given) have arrived and
        return them; fail saying what was awaited when `timeout` seconds pass first."""
        from tests.conftest import wait_until

        def arrived():
            found = self.received(to)
            return found if len(found) >= count else None

        return wait_until(arrived, f"{count} message(s){f' to {to}' if to else ''}", timeout,
                          interval=0.02)


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start_listening()
    yield server
    server.stop_listening()
