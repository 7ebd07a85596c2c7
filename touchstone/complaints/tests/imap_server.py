"""A small real IMAP4rev1 server for the poller's tests: a TCP socket on localhost speaking the handful of commands
imaplib sends (CAPABILITY, LOGIN, SELECT, UID SEARCH/FETCH/STORE/MOVE/COPY, EXPUNGE, NOOP, LOGOUT), over one
in-memory mailbox per folder."""

import re
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class StoredMessage:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailboxes:
    username: str
    password: str
    folders: dict[str, list[StoredMessage]] = field(default_factory=lambda: {"INBOX": []})
    next_uid: int = 1
    logins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, raw: bytes, folder: str = "INBOX") -> int:
        with self.lock:
            uid = self.next_uid
            self.next_uid += 1
            self.folders.setdefault(folder, []).append(StoredMessage(uid, raw))
            return uid

    def unseen(self, folder: str = "INBOX") -> list[int]:
        return [m.uid for m in self.folders.get(folder, []) if "\\Seen" not in m.flags]


def _unquote(word: str) -> str:
    if word.startswith('"') and word.endswith('"'):
        return re.sub(r"\\(.)", r"\1", word[1:-1])
    return word


class _Session(socketserver.StreamRequestHandler):
    server: "_Server"

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        boxes = self.server.mailboxes
        selected: str | None = None
        self.send("* OK [CAPABILITY IMAP4rev1 MOVE] test server ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            parts = re.findall(r'"(?:[^"\\]|\\.)*"|\([^)]*\)|\S+', line.decode().rstrip("\r\n"))
            if len(parts) < 2:
                continue
            tag, command, args = parts[0], parts[1].upper(), parts[2:]
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1 MOVE")
            elif command == "LOGIN":
                if _unquote(args[0]) != boxes.username or _unquote(args[1]) != boxes.password:
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] wrong password")
                    continue
                boxes.logins += 1
            elif command == "SELECT":
                selected = _unquote(args[0])
                if selected not in boxes.folders:
                    self.send(f"{tag} NO no such folder")
                    continue
                self.send(f"* {len(boxes.folders[selected])} EXISTS")
                self.send("* FLAGS (\\Seen \\Flagged \\Deleted)")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed")
                continue
            elif command == "UID" and selected is not None:
                self._uid(tag, args[0].upper(), args[1:], selected)
                continue
            elif command == "EXPUNGE" and selected is not None:
                with boxes.lock:
                    boxes.folders[selected] = [
                        m for m in boxes.folders[selected] if "\\Deleted" not in m.flags
                    ]
            elif command == "LOGOUT":
                self.send("* BYE")
                self.send(f"{tag} OK LOGOUT completed")
                return
            elif command != "NOOP":
                self.send(f"{tag} BAD unknown command")
                continue
            self.send(f"{tag} OK {command} completed")

    def _uid(self, tag: str, command: str, args: list[str], folder: str) -> None:
        boxes = self.server.mailboxes
        messages = boxes.folders[folder]
        if command == "SEARCH":
            self.send("* SEARCH " + " ".join(str(uid) for uid in boxes.unseen(folder)))
            self.send(f"{tag} OK SEARCH completed")
            return
        wanted = [m for m in messages if str(m.uid) == args[0]]
        if command == "FETCH":
            for message in wanted:
                sequence = messages.index(message) + 1
                self.send(f"* {sequence} FETCH (UID {message.uid} BODY[] {{{len(message.raw)}}}".encode())
                self.wfile.write(message.raw)
                self.send(")")
        elif command == "STORE":
            flags = set(args[2].strip("()").split())
            for message in wanted:
                message.flags |= flags
        elif command in {"MOVE", "COPY"}:
            target = _unquote(args[1])
            with boxes.lock:
                for message in wanted:
                    boxes.folders.setdefault(target, []).append(StoredMessage(message.uid, message.raw))
                    if command == "MOVE":
                        messages.remove(message)
        else:
            self.send(f"{tag} BAD unknown UID command")
            return
        self.send(f"{tag} OK UID {command} completed")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mailboxes: Mailboxes


@contextmanager
def imap_server(username: str, password: str) -> Iterator[tuple[int, Mailboxes]]:
    """Serve IMAP on a free localhost port while the block runs; yields (port, mailboxes)."""
    server = _Server(("127.0.0.1", 0), _Session)
    server.mailboxes = Mailboxes(username, password)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], server.mailboxes
    finally:
        server.shutdown()
        server.server_close()
