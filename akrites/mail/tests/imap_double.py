"""A small IMAP4rev1 server (RFC 3501) on loopback, for testing the poller against the
protocol rather than against a mock of imaplib.

It speaks the subset a mail fetcher uses, with RFC 3501's syntax: the ``* OK`` greeting,
tagged completions, CAPABILITY, NOOP, LOGOUT (``* BYE``), LOGIN (the password is checked;
a wrong one is ``NO``), SELECT and EXAMINE (FLAGS, EXISTS, RECENT, UIDVALIDITY, UIDNEXT),
SEARCH and UID SEARCH (ALL, SEEN, UNSEEN, UID), FETCH and UID FETCH (UID, FLAGS,
RFC822.SIZE, BODY[], BODY.PEEK[], RFC822; the message as a literal ``{n}\\r\\n<bytes>``;
BODY[] sets ``\\Seen``, BODY.PEEK[] does not), STORE and UID STORE (FLAGS, +FLAGS,
-FLAGS and their .SILENT forms). Arguments are atoms, quoted strings, parenthesised lists
or literals (``{n}`` answered with a ``+`` continuation). A command in the wrong state, or
one it does not know, is ``BAD``, as on a real server. With a server-side ``SSLContext`` it
speaks implicit TLS (as on port 993).
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

CAPABILITIES = "IMAP4rev1"
SYSTEM_FLAGS = ("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft")


class _Bad(Exception):
    """A command the server answers ``BAD`` (syntax, unknown, or wrong state)."""


@dataclass
class Mail:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    """One user's mailbox; every access holds ``lock`` (the server is threaded)."""

    user: str
    password: str
    folder: str = "INBOX"
    uidvalidity: int = 1700000000
    mails: list[Mail] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)  # command names, in order (no arguments)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, raw: bytes, *, seen: bool = False) -> int:
        """Deliver ``raw`` (CRLF line ends, as IMAP stores mail); returns its UID."""
        with self.lock:
            uid = (self.mails[-1].uid if self.mails else 0) + 1
            self.mails.append(Mail(uid, raw, {"\\Seen"} if seen else set()))
            return uid

    def flags(self, uid: int) -> set[str]:
        with self.lock:
            return set(next(m for m in self.mails if m.uid == uid).flags)


def _tokens(data: bytes) -> list[object]:
    """Parse command arguments: atoms (bytes), quoted strings and literals (str of the
    decoded content, marked by ``_Str``), parenthesised lists (list)."""
    stack: list[list[object]] = [[]]
    i = 0
    while i < len(data):
        c = data[i : i + 1]
        if c == b" ":
            i += 1
        elif c == b"(":
            stack.append([])
            i += 1
        elif c == b")":
            if len(stack) == 1:
                raise _Bad("unbalanced )")
            done = stack.pop()
            stack[-1].append(done)
            i += 1
        elif c == b'"':
            out = bytearray()
            i += 1
            while True:
                if i >= len(data):
                    raise _Bad("unterminated quoted string")
                ch = data[i : i + 1]
                if ch == b"\\":
                    nxt = data[i + 1 : i + 2]
                    if nxt not in (b"\\", b'"'):
                        raise _Bad("bad escape in quoted string")
                    out += nxt
                    i += 2
                elif ch == b'"':
                    i += 1
                    break
                elif ch in (b"\r", b"\n"):
                    raise _Bad("CR or LF in a quoted string")
                else:
                    out += ch
                    i += 1
            stack[-1].append(_Str(out))
        elif c == b"\x00":  # a literal, already read by the connection (see _read_command)
            end = data.index(b"\x00", i + 1)
            size = int(data[i + 1 : end])
            stack[-1].append(_Str(data[end + 1 : end + 1 + size]))
            i = end + 1 + size
        else:
            j = i
            # an atom; "[" … "]" may hold spaces (BODY[HEADER.FIELDS (FROM)])
            depth = 0
            while j < len(data):
                ch = data[j : j + 1]
                if ch == b"[":
                    depth += 1
                elif ch == b"]":
                    depth -= 1
                elif depth == 0 and ch in b" ()":
                    break
                j += 1
            stack[-1].append(data[i:j])
            i = j
    if len(stack) != 1:
        raise _Bad("unbalanced (")
    return stack[0]


class _Str(bytes):
    """A quoted string or literal: never a keyword, even when it spells one."""


def _text(token: object) -> str:
    if not isinstance(token, bytes):
        raise _Bad("expected a string")
    return token.decode("utf-8")


def _sequence(token: object, largest: int) -> set[int]:
    """A sequence set (``1``, ``2:4``, ``3:*``, ``1,5``) over numbers up to ``largest``.
    ``n:*`` always holds ``largest`` (RFC 3501 6.4.8), even when n is above it."""
    if not isinstance(token, bytes) or isinstance(token, _Str):
        raise _Bad("expected a sequence set")
    out: set[int] = set()
    for part in token.decode().split(","):
        ends = [largest if e == "*" else _number(e) for e in part.split(":")]
        if len(ends) == 1:
            out.add(ends[0])
        elif len(ends) == 2:
            low, high = sorted(ends)
            out.update(range(low, high + 1))
        else:
            raise _Bad("bad sequence set")
    return out


def _number(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise _Bad("bad number")
    return int(text)


def _flag_list(token: object) -> set[str]:
    items = token if isinstance(token, list) else [token]
    flags = {_text(f) for f in items}
    for flag in flags:
        if flag.startswith("\\") and flag.lower() not in {f.lower() for f in SYSTEM_FLAGS}:
            raise _Bad(f"unknown system flag {flag}")
    return {next((s for s in SYSTEM_FLAGS if s.lower() == f.lower()), f) for f in flags}


class _Session(socketserver.StreamRequestHandler):
    server: ImapServer
    timeout = 10

    def handle(self) -> None:
        self.box = self.server.mailbox
        self.state = "NOT AUTHENTICATED"
        self.readonly = False
        self.known = 0  # how many mails this session was told of (EXISTS)
        self._send(b"* OK [CAPABILITY " + CAPABILITIES.encode() + b"] IMAP4rev1 double ready")
        while self.state != "LOGOUT":
            line = self._read_command()
            if line is None:
                return
            tag, _, rest = line.partition(b" ")
            name, _, args = rest.partition(b" ")
            if not tag or not name or any(c in tag for c in b'+(){%*"\\'):
                self._send(b"* BAD malformed command")
                continue
            try:
                self._dispatch(tag, name.decode("ascii", "replace").upper(), args)
            except _Bad as bad:
                self._send(tag + b" BAD " + str(bad).encode())
            except (ValueError, UnicodeDecodeError):
                self._send(tag + b" BAD syntax error in arguments")

    def _send(self, data: bytes) -> None:
        self.wfile.write(data + b"\r\n")
        self.wfile.flush()

    def _read_command(self) -> bytes | None:
        """One command line, with every client literal ``{n}`` read in (a ``+`` continuation
        before each) and kept as ``\\0n\\0<bytes>`` for the tokenizer."""
        out = b""
        while True:
            line = self.rfile.readline(65536)
            if not line.endswith(b"\r\n"):
                return None  # closed (or a line without CRLF: not IMAP)
            line = line[:-2]
            if line.endswith(b"}") and b"{" in line:
                head, _, size = line[:-1].rpartition(b"{")
                if size.isdigit():
                    self._send(b"+ Ready for literal data")
                    data = self.rfile.read(int(size))
                    out += head + b"\x00" + size + b"\x00" + data
                    continue
            return out + line

    def _dispatch(self, tag: bytes, name: str, args: bytes) -> None:
        any_state = {"CAPABILITY": self._capability, "NOOP": self._noop, "LOGOUT": self._logout}
        authenticated = {"SELECT": self._select, "EXAMINE": self._select}
        selected = {"SEARCH": self._search, "FETCH": self._fetch, "STORE": self._store}
        tokens = _tokens(args)
        self.box.commands.append(name)
        if name in any_state:
            any_state[name](tag, name, tokens)
        elif name == "LOGIN" and self.state == "NOT AUTHENTICATED":
            self._login(tag, tokens)
        elif name in authenticated and self.state in ("AUTHENTICATED", "SELECTED"):
            authenticated[name](tag, name, tokens)
        elif name in selected and self.state == "SELECTED":
            selected[name](tag, name, tokens, uid=False)
        elif name == "UID" and self.state == "SELECTED" and tokens:
            sub = _text(tokens[0]).upper()
            if sub not in selected:
                raise _Bad(f"UID {sub} not supported")
            self.box.commands[-1] = f"UID {sub}"
            selected[sub](tag, f"UID {sub}", tokens[1:], uid=True)
        else:
            raise _Bad(f"{name} unknown or not allowed in state {self.state}")

    def _capability(self, tag: bytes, name: str, tokens: list[object]) -> None:
        self._send(b"* CAPABILITY " + CAPABILITIES.encode())
        self._send(tag + b" OK CAPABILITY completed")

    def _noop(self, tag: bytes, name: str, tokens: list[object]) -> None:
        if self.state == "SELECTED":
            with self.box.lock:
                count = len(self.box.mails)
            if count != self.known:  # new mail since: told as a real server tells it
                self.known = count
                self._send(f"* {count} EXISTS".encode())
        self._send(tag + b" OK NOOP completed")

    def _logout(self, tag: bytes, name: str, tokens: list[object]) -> None:
        self._send(b"* BYE IMAP4rev1 double logging out")
        self._send(tag + b" OK LOGOUT completed")
        self.state = "LOGOUT"

    def _login(self, tag: bytes, tokens: list[object]) -> None:
        if len(tokens) != 2:
            raise _Bad("LOGIN takes a user name and a password")
        user, password = _text(tokens[0]), _text(tokens[1])
        if user == self.box.user and password == self.box.password:
            self.state = "AUTHENTICATED"
            self._send(tag + b" OK [CAPABILITY " + CAPABILITIES.encode() + b"] LOGIN completed")
        else:
            self._send(tag + b" NO [AUTHENTICATIONFAILED] Authentication failed")

    def _select(self, tag: bytes, name: str, tokens: list[object]) -> None:
        if len(tokens) != 1:
            raise _Bad(f"{name} takes a mailbox name")
        folder = _text(tokens[0])
        self.state = "AUTHENTICATED"  # a failed SELECT leaves no mailbox selected
        if folder.upper() != self.box.folder.upper() and folder != self.box.folder:
            self._send(tag + b" NO [NONEXISTENT] No such mailbox")
            return
        with self.box.lock:
            mails = list(self.box.mails)
        self.known = len(mails)
        self.readonly = name == "EXAMINE"
        unseen = next((n for n, m in enumerate(mails, 1) if "\\Seen" not in m.flags), None)
        uidnext = (mails[-1].uid if mails else 0) + 1
        self._send(b"* FLAGS (" + " ".join(SYSTEM_FLAGS).encode() + b")")
        self._send(f"* {len(mails)} EXISTS".encode())
        self._send(b"* 0 RECENT")
        if unseen is not None:
            self._send(f"* OK [UNSEEN {unseen}] First unseen".encode())
        self._send(f"* OK [UIDVALIDITY {self.box.uidvalidity}] UIDs valid".encode())
        self._send(f"* OK [UIDNEXT {uidnext}] Predicted next UID".encode())
        permanent = "()" if self.readonly else "(" + " ".join(SYSTEM_FLAGS) + ")"
        self._send(f"* OK [PERMANENTFLAGS {permanent}] Limited".encode())
        self.state = "SELECTED"
        mode = b"READ-ONLY" if self.readonly else b"READ-WRITE"
        self._send(tag + b" OK [" + mode + b"] " + name.encode() + b" completed")

    def _numbered(self) -> list[tuple[int, Mail]]:
        return list(enumerate(self.box.mails[: self.known], 1))

    def _chosen(self, token: object, *, uid: bool) -> list[tuple[int, Mail]]:
        numbered = self._numbered()
        if uid:
            largest = numbered[-1][1].uid if numbered else 0
            wanted = _sequence(token, largest)
            return [(n, m) for n, m in numbered if m.uid in wanted]
        wanted = _sequence(token, len(numbered))
        if any(n > len(numbered) for n in wanted):
            raise _Bad("message sequence number out of range")
        return [(n, m) for n, m in numbered if n in wanted]

    def _search(self, tag: bytes, name: str, tokens: list[object], *, uid: bool) -> None:
        if tokens and isinstance(tokens[0], bytes) and tokens[0].upper() == b"CHARSET":
            if len(tokens) < 2 or _text(tokens[1]).upper() not in ("US-ASCII", "UTF-8"):
                self._send(tag + b" NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset")
                return
            tokens = tokens[2:]
        if not tokens:
            raise _Bad("SEARCH needs a search key")
        with self.box.lock:
            found = self._numbered()
            keys = list(tokens)
            while keys:
                key = keys.pop(0)
                word = _text(key).upper() if not isinstance(key, list) else ""
                if word == "ALL":
                    continue
                if word == "SEEN":
                    found = [(n, m) for n, m in found if "\\Seen" in m.flags]
                elif word == "UNSEEN":
                    found = [(n, m) for n, m in found if "\\Seen" not in m.flags]
                elif word == "UID" and keys:
                    uids = {m.uid for _, m in self._chosen(keys.pop(0), uid=True)}
                    found = [(n, m) for n, m in found if m.uid in uids]
                else:
                    raise _Bad(f"search key not supported: {word or 'list'}")
        hits = " ".join(str(m.uid if uid else n) for n, m in found)
        self._send(("* SEARCH " + hits).rstrip().encode())
        self._send(tag + b" OK " + name.encode() + b" completed")

    def _fetch(self, tag: bytes, name: str, tokens: list[object], *, uid: bool) -> None:
        if len(tokens) != 2:
            raise _Bad("FETCH takes a sequence set and data items")
        items = tokens[1] if isinstance(tokens[1], list) else [tokens[1]]
        wanted = [_text(i).upper() for i in items]
        if uid and "UID" not in wanted:
            wanted.insert(0, "UID")  # a UID FETCH always answers the UID (RFC 3501 6.4.8)
        known = {"UID", "FLAGS", "RFC822.SIZE", "BODY[]", "BODY.PEEK[]", "RFC822"}
        if not wanted or any(w not in known for w in wanted):
            raise _Bad("fetch data item not supported")
        with self.box.lock:
            for number, mail in self._chosen(tokens[0], uid=uid):
                parts: list[bytes] = []
                answer = list(wanted)
                sets_seen = any(w in ("BODY[]", "RFC822") for w in wanted) and not self.readonly
                if sets_seen and "\\Seen" not in mail.flags:
                    mail.flags.add("\\Seen")
                    if "FLAGS" not in answer:
                        answer.append("FLAGS")  # the changed flags go with the answer
                for item in answer:
                    if item == "UID":
                        parts.append(f"UID {mail.uid}".encode())
                    elif item == "FLAGS":
                        parts.append(b"FLAGS (" + " ".join(sorted(mail.flags)).encode() + b")")
                    elif item == "RFC822.SIZE":
                        parts.append(f"RFC822.SIZE {len(mail.raw)}".encode())
                    else:
                        label = b"RFC822" if item == "RFC822" else b"BODY[]"
                        parts.append(label + b" {%d}\r\n" % len(mail.raw) + mail.raw)
                self._send(b"* %d FETCH (" % number + b" ".join(parts) + b")")
        self._send(tag + b" OK " + name.encode() + b" completed")

    def _store(self, tag: bytes, name: str, tokens: list[object], *, uid: bool) -> None:
        if len(tokens) != 3:
            raise _Bad("STORE takes a sequence set, an item and flags")
        item = _text(tokens[1]).upper()
        silent = item.endswith(".SILENT")
        how = item.removesuffix(".SILENT")
        if how not in ("FLAGS", "+FLAGS", "-FLAGS"):
            raise _Bad("STORE item must be FLAGS, +FLAGS or -FLAGS")
        if self.readonly:
            self._send(tag + b" NO [READ-ONLY] Mailbox is read-only")
            return
        flags = _flag_list(tokens[2])
        with self.box.lock:
            for number, mail in self._chosen(tokens[0], uid=uid):
                if how == "FLAGS":
                    mail.flags = set(flags)
                elif how == "+FLAGS":
                    mail.flags |= flags
                else:
                    mail.flags -= flags
                if not silent:
                    shown = " ".join(sorted(mail.flags))
                    uid_part = f"UID {mail.uid} " if uid else ""
                    self._send(f"* {number} FETCH ({uid_part}FLAGS ({shown}))".encode())
        self._send(tag + b" OK " + name.encode() + b" completed")


class ImapServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, mailbox: Mailbox, tls: ssl.SSLContext | None = None) -> None:
        self.mailbox = mailbox
        self.tls = tls
        super().__init__(("127.0.0.1", 0), _Session)

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        # Implicit TLS (port 993 style): the handshake before the greeting. A client that
        # refuses the certificate fails it here, an OSError socketserver shrugs off.
        sock, address = self.socket.accept()
        if self.tls is None:
            return sock, address
        sock.settimeout(10)
        return self.tls.wrap_socket(sock, server_side=True), address

    @property
    def port(self) -> int:
        return int(self.server_address[1])


@contextmanager
def imap_server(mailbox: Mailbox, tls: ssl.SSLContext | None = None) -> Iterator[ImapServer]:
    """The double serving ``mailbox`` on a free loopback port (over TLS with ``tls``, a
    server-side context), for the ``with`` block."""
    server = ImapServer(mailbox, tls)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
