"""A minimal IMAP4rev1 server on loopback, enough for imaplib to read and delete mail.

    def test_something(imap_server):
        imap_server.deliver(raw_bytes)       # a message arrives, unread
        imap_server.url                      # imap://user:password@127.0.0.1:port/INBOX
        imap_server.mailbox                  # [(raw, flags)] as it stands

LOGIN, SELECT, SEARCH ALL/UNSEEN, FETCH n (RFC822), STORE n +FLAGS/-FLAGS, EXPUNGE,
CAPABILITY, NOOP, CLOSE and LOGOUT; one mailbox, INBOX; sequence numbers only.
"""
from __future__ import annotations

import re
import socketserver
import threading

import pytest

HOST = "127.0.0.1"
USER, PASSWORD = "bounces", "s3cret pass"
ARGUMENT = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\S+)')


class Mail:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.flags: set[str] = set()


class ImapHandler(socketserver.StreamRequestHandler):
    server: ImapTcpServer

    def reply(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        self.logged_in = False
        self.reply("* OK [CAPABILITY IMAP4rev1] test server ready")
        while line := self.rfile.readline():
            tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
            command, _, arguments = rest.partition(b" ")
            words = [(m.group(1) if m.group(1) is not None else m.group(2)).decode()
                     for m in ARGUMENT.finditer(arguments)]
            with self.server.lock:
                done = self.dispatch(tag.decode(), command.decode().upper(), words)
            if done:
                break

    def dispatch(self, tag: str, command: str, words: list[str]) -> bool:
        if command == "LOGOUT":
            self.reply("* BYE logging out")
            self.reply(f"{tag} OK LOGOUT completed")
            return True
        if command == "CAPABILITY":
            self.reply("* CAPABILITY IMAP4rev1")
        elif command == "NOOP":
            pass
        elif command == "LOGIN":
            self.logged_in = words == [USER, PASSWORD]
            if not self.logged_in:
                self.reply(f"{tag} NO [AUTHENTICATIONFAILED] wrong user or password")
                return False
        elif not self.logged_in:
            self.reply(f"{tag} BAD log in first")
            return False
        else:
            handler = getattr(self, f"do_{command.lower()}", None)
            if handler is None:
                self.reply(f"{tag} BAD {command} is not supported here")
                return False
            handler(words)
        self.reply(f"{tag} OK {command} completed")
        return False

    @property
    def mailbox(self) -> list[Mail]:
        return self.server.mailbox

    def do_select(self, words: list[str]) -> None:
        self.reply(f"* {len(self.mailbox)} EXISTS")
        self.reply("* 0 RECENT")
        self.reply("* FLAGS (\\Seen \\Deleted)")

    def do_search(self, words: list[str]) -> None:
        unseen = [w.upper() for w in words] == ["UNSEEN"]
        numbers = [str(n) for n, mail in enumerate(self.mailbox, 1)
                   if not (unseen and "\\Seen" in mail.flags)]
        self.reply(" ".join(["* SEARCH", *numbers]))

    def do_fetch(self, words: list[str]) -> None:
        number = int(words[0])
        mail = self.mailbox[number - 1]
        mail.flags.add("\\Seen")
        self.reply(f"* {number} FETCH (RFC822 {{{len(mail.raw)}}}".encode() + b"\r\n"
                   + mail.raw + b")")

    def do_store(self, words: list[str]) -> None:
        number, action, flags = int(words[0]), words[1].upper(), " ".join(words[2:])
        mail = self.mailbox[number - 1]
        named = set(flags.strip("()").split())
        mail.flags = mail.flags | named if action.startswith("+") else mail.flags - named
        self.reply(f"* {number} FETCH (FLAGS ({' '.join(sorted(mail.flags))}))")

    def do_expunge(self, words: list[str]) -> None:
        for number in range(len(self.mailbox), 0, -1):
            if "\\Deleted" in self.mailbox[number - 1].flags:
                del self.mailbox[number - 1]
                self.reply(f"* {number} EXPUNGE")

    do_close = do_expunge


class ImapTcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__((HOST, 0), ImapHandler)
        self.lock = threading.Lock()
        self.mailbox: list[Mail] = []

    def deliver(self, raw: bytes) -> None:
        with self.lock:
            self.mailbox.append(Mail(raw))

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD.replace(' ', '%20')}@{HOST}:{self.server_address[1]}/INBOX"


@pytest.fixture
def imap_server():
    server = ImapTcpServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
