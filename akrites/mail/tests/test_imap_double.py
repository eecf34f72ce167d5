"""The IMAP double against Python's own IMAP client and the raw RFC 3501 bytes, so that what
the poller is tested on (``test_imap``) is the protocol."""

from __future__ import annotations

import imaplib
import socket
import ssl

import pytest

from akrites.mail.tests.imap_double import ImapServer, Mailbox, imap_server
from akrites.mail.tests.imap_setup import SEEN, _client, _mail
from conftest import TEST_PASSWORD

# --- the double, checked against imaplib (a real client) and raw bytes -------------------


def test_the_double_greets_and_answers_capability_and_noop_to_imaplib(server):
    with _client(server) as client:
        assert "IMAP4REV1" in client.capabilities
        assert client.capability() == ("OK", [b"IMAP4rev1"])
        assert client.noop()[0] == "OK"
        assert client.logout()[0] == "BYE"


def test_the_double_refuses_a_wrong_password_with_no(server, mailbox):
    with _client(server) as client:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login("intake", "not-the-password")
        with pytest.raises(imaplib.IMAP4.error):
            client.login("someone", TEST_PASSWORD)
    # imaplib asks CAPABILITY first; on leaving the block it logs out (allowed in any state)
    assert mailbox.commands == ["CAPABILITY", "LOGIN", "LOGIN", "LOGOUT"]


def test_the_double_reads_a_quoted_password_with_quote_and_backslash():
    box = Mailbox(user="intake", password='pa"ss\\word (x)')
    with imap_server(box) as server, _client(server) as client:
        assert client.login("intake", 'pa"ss\\word (x)')[0] == "OK"


def test_select_answers_exists_flags_and_uidvalidity(server, mailbox):
    mailbox.add(_mail(subject="one"), seen=True)
    mailbox.add(_mail(subject="two"))
    with _client(server) as client:
        client.login("intake", TEST_PASSWORD)
        assert client.select("INBOX") == ("OK", [b"2"])
        assert client.response("UIDVALIDITY") == ("UIDVALIDITY", [b"1700000000"])
        assert client.response("UIDNEXT") == ("UIDNEXT", [b"3"])
        assert client.response("UNSEEN") == ("UNSEEN", [b"2"])
        assert b"\\Seen" in client.response("FLAGS")[1][0]
        assert client.select("Nowhere")[0] == "NO"


def test_fetch_returns_the_exact_bytes_and_peek_keeps_the_mail_unseen(server, mailbox):
    raw = _mail(subject="bytes") + b"\xff\x00 binary tail )\r\n"
    uid = mailbox.add(raw)
    with _client(server) as client:
        client.login("intake", TEST_PASSWORD)
        client.select("INBOX")
        status, parts = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        assert status == "OK"
        assert parts[0] == (f"1 (UID {uid} BODY[] {{{len(raw)}}}".encode(), raw)
        assert parts[1] == b")"
        assert client.uid("SEARCH", "UNSEEN") == ("OK", [str(uid).encode()])
        assert mailbox.flags(uid) == set()
        status, parts = client.uid("FETCH", str(uid), "(BODY[])")  # no PEEK: sets \Seen
        assert parts[0][1] == raw and b"FLAGS (\\Seen)" in parts[1]
        assert mailbox.flags(uid) == {SEEN}
        assert client.uid("SEARCH", "UNSEEN") == ("OK", [b""])


def test_store_and_search_round_trip_the_seen_flag(server, mailbox):
    first, second = mailbox.add(_mail(subject="a")), mailbox.add(_mail(subject="b"))
    with _client(server) as client:
        client.login("intake", TEST_PASSWORD)
        client.select("INBOX")
        assert client.uid("SEARCH", "ALL") == ("OK", [f"{first} {second}".encode()])
        status, data = client.uid("STORE", str(second), "+FLAGS", "(\\Seen)")
        assert (status, data) == ("OK", [f"2 (UID {second} FLAGS (\\Seen))".encode()])
        assert client.uid("SEARCH", "UNSEEN") == ("OK", [str(first).encode()])
        assert client.uid("SEARCH", "SEEN") == ("OK", [str(second).encode()])
        status, data = client.uid("FETCH", f"{first}:*", "(FLAGS)")
        assert data == [
            f"1 (UID {first} FLAGS ())".encode(),
            f"2 (UID {second} FLAGS (\\Seen))".encode(),
        ]
        client.uid("STORE", str(second), "-FLAGS.SILENT", "(\\Seen)")
        assert client.uid("SEARCH", "UNSEEN") == ("OK", [f"{first} {second}".encode()])
        assert client.uid("FETCH", "99", "(BODY.PEEK[])") == ("OK", [None])  # no such UID
    assert mailbox.flags(second) == set()


def test_noop_tells_of_mail_delivered_after_select(server, mailbox):
    mailbox.add(_mail(subject="early"))
    with _client(server) as client:
        client.login("intake", TEST_PASSWORD)
        client.select("INBOX")
        late = mailbox.add(_mail(subject="late"))
        assert client.uid("SEARCH", "ALL") == ("OK", [b"1"])  # not told of it yet
        client.noop()
        assert client.response("EXISTS")[1][-1] == b"2"
        assert client.uid("SEARCH", "ALL") == ("OK", [f"1 {late}".encode()])


def _raw_session(server: ImapServer, *lines: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        for line in lines:
            sock.sendall(line)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_the_wire_format_is_rfc_3501(server, mailbox):
    """Literal syntax both ways, the tagged answers, BAD in the wrong state, BYE."""
    raw = _mail(subject="wire")
    mailbox.add(raw)
    password = TEST_PASSWORD.encode()
    answer = _raw_session(
        server,
        b"a0 SELECT INBOX\r\n",
        b"a1 LOGIN intake {%d}\r\n" % len(password) + password + b"\r\n",
        b'a2a SELECT "INBOX"\r\n',
        b"a2 UID FETCH 1 (BODY.PEEK[])\r\n",
        b"a3 FROB\r\n",
        b"a4 LOGOUT\r\n",
    )
    assert answer.startswith(b"* OK [CAPABILITY IMAP4rev1]")
    assert b"\r\na0 BAD " in answer  # SELECT before LOGIN
    assert b"\r\n+ Ready for literal data\r\na1 OK " in answer
    fetched = b"* 1 FETCH (UID 1 BODY[] {%d}\r\n" % len(raw) + raw + b")\r\na2 OK "
    assert fetched in answer
    assert b"\r\na3 BAD " in answer
    assert answer.endswith(b"* BYE IMAP4rev1 double logging out\r\na4 OK LOGOUT completed\r\n")


def test_the_double_speaks_implicit_tls_to_imaplib(tls_server, mailbox, certificate):
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    with imaplib.IMAP4_SSL("localhost", tls_server.port, ssl_context=trusting) as client:
        assert client.login("intake", TEST_PASSWORD)[0] == "OK"
    assert mailbox.commands == ["CAPABILITY", "LOGIN", "LOGOUT"]
