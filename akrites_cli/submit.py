"""``akrites submit FILE…``: report files → /api/v1/ requests → one summary.

Each file is sent as what it is (auto-detected, see ``plan_file``): an NDJSON stream or a JSON
array goes to ``POST /api/v1/reports/bulk`` in batches; one JSON document (Akrites, OSV,
SARIF) or a text file goes to ``POST /api/v1/reports`` with an ``Idempotency-Key`` derived from
what is sent, so running the command again after a failure never files a report twice.

Output: a summary table on stdout (or, with ``--json``, one JSON document); a progress bar and
failures on stderr. Nothing printed ever contains report content: rejections name the file,
the item, the field and the server's reason, and every server string is cleaned first.

Exit status: 0 when every report was accepted (unrouted, duplicate and already-public ones
included), 1 when any was rejected, 2 on a usage, connection, authentication or server
failure (the run stops there; what was already answered is still summarised).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TextIO

from akrites_cli.client import (
    AkritesClient,
    ApiError,
    AuthError,
    ClientError,
    ErrorInfo,
    ProtocolError,
    RateLimited,
    RejectedError,
    ReportReceipt,
    RetryPolicy,
    TransportFailed,
    clean,
    is_loopback,
)

EXIT_OK, EXIT_REJECTED, EXIT_FAILURE = 0, 1, 2
FORMATS = ("akrites", "osv", "sarif", "text")
NDJSON_SUFFIXES = frozenset({".ndjson", ".jsonl"})
JSON_SUFFIXES = frozenset({".json", ".sarif", ".osv"})
MAX_BATCH_BYTES = 8 * 1024 * 1024  # well under the server's default 64 MiB request limit
MAX_LISTED_REPORTS = 20
TEXT_TYPE = "text/plain; charset=utf-8"


class UsageError(Exception):
    """A bad command line or environment; nothing was sent."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="akrites submit", description="Submit vulnerability reports to Akrites.")
    p.add_argument("files", nargs="+", metavar="FILE", help="report files; - reads stdin")
    p.add_argument(
        "--server", default=os.environ.get("AKRITES_SERVER", "http://127.0.0.1:8000"),
        help="site root URL (default: $AKRITES_SERVER or http://127.0.0.1:8000)",
    )  # fmt: skip
    p.add_argument("--token", default=None, help="API token (default: $AKRITES_TOKEN)")
    p.add_argument("--insecure", action="store_true", help="allow a token over remote http://")
    p.add_argument("--format", choices=FORMATS, default=None, help="declare the format")
    p.add_argument("--purl", default=None, help="package for reports that name none")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--batch-size", type=int, default=500, help="bulk items per request")
    p.add_argument("--idempotency-key-prefix", default="akrites-cli-", metavar="P")
    p.add_argument("--progress", action="store_true", help="show progress even without a TTY")
    p.add_argument("--max-wait", type=float, default=120.0, help="seconds of retry per request")
    return p


# --- planning: what to send for one file ---------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One bulk item: its 0-based ``index`` in the file, its 1-based ``line``, its bytes."""

    index: int
    line: int
    body: bytes


@dataclass(frozen=True)
class Plan:
    """One document (``items`` is None), bulk ``items``, or a ``refusal`` made locally."""

    content_type: str
    body: bytes = b""
    items: tuple[Item, ...] | None = None
    refusal: ErrorInfo | None = None


def _ndjson_items(data: bytes) -> tuple[Item, ...]:
    lines = enumerate(data.split(b"\n"), start=1)
    numbered = [(n, line.rstrip(b"\r")) for n, line in lines if line.strip()]
    return tuple(Item(i, n, line) for i, (n, line) in enumerate(numbered))


def _array_items(text: str) -> tuple[Item, ...]:
    """The elements of a JSON array, each as one line of its original text (so the server's
    strict parser still sees duplicate keys and the like). Raises ValueError if malformed."""
    decoder = json.JSONDecoder(object_pairs_hook=lambda pairs: None)
    pos = text.index("[") + 1
    items: list[Item] = []
    line, counted = 1, 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("]", pos) and not items:
            break
        _, end = decoder.raw_decode(text, pos)
        # Raw newlines in valid JSON are whitespace between tokens, never inside strings.
        raw = text[pos:end].replace("\r", " ").replace("\n", " ").encode()
        line, counted = line + text.count("\n", counted, pos), pos
        items.append(Item(len(items), line, raw))
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("]", pos):
            break
        if not text.startswith(",", pos):
            raise ValueError("expected , or ]")
        pos += 1
    if text[pos + 1 :].strip():
        raise ValueError("text after the array")
    return tuple(items)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _looks_like_ndjson(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) > 1 and lines[0].lstrip().startswith("{") and _is_json(lines[0])


def plan_file(name: str, data: bytes, declared_format: str | None) -> Plan:
    """Decide how ``data`` (the bytes of file ``name``) is sent.

    ``--format text`` → one text document. ``.ndjson``/``.jsonl``, or several lines of JSON
    objects → bulk, one item per non-blank line. A JSON array → bulk, one item per element
    (a malformed array is refused locally: its items cannot be told apart). One JSON
    document, or a ``.json``/``.sarif`` file → one JSON document (the server judges it).
    Anything else → one text document.
    """
    if declared_format == "text":
        return Plan(TEXT_TYPE, body=data)
    suffix = Path(name).suffix.lower()
    data = data.removeprefix(b"\xef\xbb\xbf")
    if suffix in NDJSON_SUFFIXES:
        items = _ndjson_items(data)
        if not items:
            return Plan("", refusal=ErrorInfo("invalid_input", "no reports in the file", "body"))
        return Plan("application/x-ndjson", items=items)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # the server refuses it with its own reason
        return Plan("application/json" if suffix in JSON_SUFFIXES else TEXT_TYPE, body=data)
    head = text.lstrip()[:1]
    if head == "[":
        try:
            items = _array_items(text)
        except ValueError:
            if suffix not in JSON_SUFFIXES:
                return Plan(TEXT_TYPE, body=data)  # prose that starts with "["
            return Plan("", refusal=ErrorInfo("invalid_input", "malformed JSON array", "body"))
        if not items:
            return Plan("", refusal=ErrorInfo("invalid_input", "no reports in the array", "body"))
        return Plan("application/json", items=items)
    if head == "{" and not _is_json(text) and _looks_like_ndjson(text):
        return Plan("application/x-ndjson", items=_ndjson_items(data))
    if head == "{" or suffix in JSON_SUFFIXES:
        return Plan("application/json", body=data)
    return Plan(TEXT_TYPE, body=data)


def idempotency_key(prefix: str, *parts: bytes | str | None) -> str:
    """``prefix`` + SHA-256 over everything that makes up the request, so the same file sent
    the same way gets the same key and a changed ``--purl`` or ``--format`` gets another."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else (part or b"")
        h.update(len(data).to_bytes(8, "big") + data)
    return prefix + h.hexdigest()


def _batches(items: Sequence[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    nbytes = 0
    for item in items:
        if batch and (len(batch) >= size or nbytes + len(item.body) > MAX_BATCH_BYTES):
            yield batch
            batch, nbytes = [], 0
        batch.append(item)
        nbytes += len(item.body) + 1
    if batch:
        yield batch


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """The answer for one file (``index`` None) or one bulk item of it."""

    file: str
    index: int | None
    line: int | None
    reports: tuple[ReportReceipt, ...] = ()
    error: ErrorInfo | None = None


# How a report was answered. "unrouted": accepted, but its package is not registered (or it
# names none); it waits for the SIRT to route it to a project.
CATEGORIES = ("accepted", "unrouted", "duplicate", "already_public", "rejected")


def category(report: ReportReceipt) -> str:
    if report.status == "already_public":
        return "already_public"
    if report.status == "duplicate" or report.duplicate_of:
        return "duplicate"
    if report.status == "unrouted":  # accepted, waiting for the SIRT to route it
        return "unrouted"
    return "accepted"


@dataclass
class Summary:
    server: str
    entries: list[Entry] = field(default_factory=list)
    failure: ErrorInfo | None = None
    # Files the run stopped before finishing, with how many bulk items were answered
    # (re-sending those would file them again: the bulk endpoint keeps no idempotency key).
    not_submitted: list[tuple[str, int]] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        totals = dict.fromkeys(CATEGORIES, 0)
        for entry in self.entries:
            if entry.error is not None:
                totals["rejected"] += 1
            for report in entry.reports:
                totals[category(report)] += 1
        return totals

    def exit_code(self) -> int:
        if self.failure is not None:
            return EXIT_FAILURE
        return EXIT_REJECTED if any(e.error for e in self.entries) else EXIT_OK


class Progress:
    """A one-line progress bar on ``stream``; silent unless enabled."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream, self.enabled = stream, enabled
        self.label, self.total, self.done = "", 0, 0

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done = clean(label, 30), total, 0
        self._draw()

    def advance(self, n: int) -> None:
        self.done += n
        self._draw()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        if not self.enabled:
            return
        filled = 30 * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (30 - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
        self.stream.flush()


# --- running -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    files: list[str]
    server: str
    token: str
    declared_format: str | None
    purl: str | None
    as_json: bool
    batch_size: int
    key_prefix: str
    progress: bool
    max_wait: float


def parse_options(argv: Sequence[str], env: dict[str, str]) -> Options:
    """Parse and check the command line; raises ``UsageError`` (never echoing the token)."""
    a = build_parser().parse_args(list(argv))
    token = a.token if a.token is not None else env.get("AKRITES_TOKEN", "")
    server = a.server.strip().rstrip("/")
    if not server.startswith(("http://", "https://")) or not server.split("://", 1)[1]:
        raise UsageError("--server must be an http:// or https:// URL")
    if not token:
        raise UsageError("no API token: set AKRITES_TOKEN or pass --token")
    if server.startswith("http://") and not is_loopback(server) and not a.insecure:
        raise UsageError("refusing to send a token over plain http:// to another host "
                         "(use https://, or --insecure if you must)")  # fmt: skip
    if not 1 <= a.batch_size <= 10_000:
        raise UsageError("--batch-size must be between 1 and 10000")
    prefix = a.idempotency_key_prefix
    if len(prefix) > 100 or not prefix.isprintable():
        raise UsageError("--idempotency-key-prefix must be at most 100 printable characters")
    if a.files.count("-") > 1:
        raise UsageError("- (stdin) can be given once")
    for name in a.files:
        if name != "-" and not Path(name).is_file():
            raise UsageError(f"not a readable file: {clean(name)}")
    return Options(a.files, server, token, a.format, a.purl, a.json, a.batch_size, prefix,
                   a.progress, a.max_wait)  # fmt: skip


def _read(name: str) -> bytes:
    return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()


def submit_file(
    client: AkritesClient, opts: Options, name: str, summary: Summary, progress: Progress
) -> None:
    """Send one file and record its answers in ``summary``. A refused document or batch is
    recorded; any other ``ClientError`` propagates and ends the run."""
    shown = "<stdin>" if name == "-" else clean(name, 200)
    data = _read(name)
    plan = plan_file(name, data, opts.declared_format)
    if plan.refusal is not None:
        summary.entries.append(Entry(shown, None, None, error=plan.refusal))
        return
    fmt, purl = opts.declared_format, opts.purl
    if plan.items is None:
        key = idempotency_key(opts.key_prefix, plan.body, plan.content_type, fmt, purl)
        try:
            reports = client.submit(
                plan.body, content_type=plan.content_type, idempotency_key=key,
                declared_format=fmt, purl=purl,
            )  # fmt: skip
        except RejectedError as exc:
            summary.entries.append(Entry(shown, None, None, error=exc.error))
            return
        summary.entries.append(Entry(shown, None, None, reports=tuple(reports)))
        return
    progress.start(shown, len(plan.items))
    try:
        for batch in _batches(plan.items, opts.batch_size):
            body = b"\n".join(item.body for item in batch) + b"\n"
            try:
                answer = client.submit_bulk(body, declared_format=fmt, purl=purl)
            except RejectedError as exc:  # the request as a whole (too large, …)
                summary.entries.extend(
                    Entry(shown, i.index, i.line, error=exc.error) for i in batch
                )
            else:
                if sorted(r.index for r in answer.items) != list(range(len(batch))):
                    raise ProtocolError("the bulk answer does not match the items sent")
                for result in answer.items:
                    item = batch[result.index]
                    summary.entries.append(
                        Entry(shown, item.index, item.line, result.reports, result.error)
                    )
            progress.advance(len(batch))
    finally:
        progress.finish()


def _failure(exc: ClientError) -> ErrorInfo:
    # 403 permission_denied: a valid token without the submit scope. A bad token may also
    # come back as 403 (the API falls back to session auth and fails its CSRF check).
    if isinstance(exc, AuthError) and exc.error.code == "permission_denied":
        return ErrorInfo("forbidden", f"the token may not submit reports ({exc}); "
                         "it needs the submit scope")  # fmt: skip
    if isinstance(exc, AuthError):
        return ErrorInfo("unauthenticated", f"the server refused the token ({exc}); check "
                         "AKRITES_TOKEN or --token (missing, revoked or expired)")  # fmt: skip
    if isinstance(exc, RateLimited):
        after = f"; retry after {exc.retry_after:.0f} s" if exc.retry_after is not None else ""
        return ErrorInfo("rate_limited", f"rate limited{after} (try a smaller --batch-size)")
    if isinstance(exc, ApiError):
        return ErrorInfo("server_error", f"server error HTTP {exc.status} ({exc})")
    code = "connection_failed" if isinstance(exc, TransportFailed) else "client_error"
    return ErrorInfo("protocol_error" if isinstance(exc, ProtocolError) else code, clean(exc))


def run(argv: Sequence[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run ``akrites submit`` with ``argv`` (without the command name); the exit status."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        opts = parse_options(argv, dict(os.environ))
    except UsageError as exc:
        err.write(f"akrites submit: error: {clean(exc)}\n")
        return EXIT_FAILURE
    summary = Summary(server=clean(opts.server))
    progress = Progress(err, opts.progress or err.isatty())
    retry = RetryPolicy(max_total_wait=max(0.0, opts.max_wait))
    pending = list(opts.files)
    try:
        with AkritesClient(opts.server, opts.token, retry=retry) as client:
            while pending:
                submit_file(client, opts, pending[0], summary, progress)
                pending.pop(0)
    except ClientError as exc:
        summary.failure = _failure(exc)
    except OSError as exc:
        summary.failure = ErrorInfo("read_error", f"cannot read {clean(pending[0])}: "
                                    f"{clean(exc.strerror or exc)}")  # fmt: skip
    shown = ["<stdin>" if name == "-" else clean(name, 200) for name in pending]
    summary.not_submitted = [
        (name, sum(1 for e in summary.entries if e.file == name and e.index is not None))
        for name in shown
    ]
    if opts.as_json:
        out.write(json.dumps(summary_json(summary), indent=2) + "\n")
    else:
        out.write(summary_table(summary))
    if summary.failure is not None:
        err.write(f"akrites submit: error: {summary.failure.message}\n")
    return summary.exit_code()


# --- rendering -------------------------------------------------------------------------------


def _receipt_json(r: ReportReceipt) -> dict[str, Any]:
    return {"id": r.id, "status": r.status, "category": category(r), "case": r.case,
            "duplicate_of": r.duplicate_of, "receipt_url": r.receipt_url}  # fmt: skip


def summary_json(summary: Summary) -> dict[str, Any]:
    """The ``--json`` document: totals, one result per file or bulk item, the failure."""
    results = [
        {"file": e.file, "index": e.index, "line": e.line, "ok": e.error is None,
         "reports": [_receipt_json(r) for r in e.reports],
         "error": None if e.error is None else asdict(e.error)}
        for e in summary.entries
    ]  # fmt: skip
    failure = summary.failure
    return {
        "server": summary.server,
        "exit_code": summary.exit_code(),
        "totals": summary.totals(),
        "results": results,
        "error": None if failure is None else {"code": failure.code, "message": failure.message},
        "not_submitted": [{"file": f, "answered_items": n} for f, n in summary.not_submitted],
    }


def _table(rows: list[list[str]], right: int = 0) -> str:
    """Columns padded to their widest cell; the last ``right`` columns right-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    first_right = len(widths) - right
    lines = [
        "  ".join(c.rjust(w) if i >= first_right else c.ljust(w)
                  for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
        for row in rows
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def summary_table(summary: Summary) -> str:
    """The human summary: counts per file, accepted reports (when few), rejections."""
    keys = CATEGORIES
    per_file: dict[str, dict[str, int]] = {}
    for e in summary.entries:
        counts = per_file.setdefault(e.file, dict.fromkeys(keys, 0))
        counts["rejected"] += e.error is not None
        for r in e.reports:
            counts[category(r)] += 1
    rows = [["FILE", "ACCEPTED", "UNROUTED", "DUPLICATE", "ALREADY PUBLIC", "REJECTED"]]
    rows += [[name, *(str(c[k]) for k in keys)] for name, c in per_file.items()]
    totals = summary.totals()
    rows.append(["TOTAL", *(str(v) for v in totals.values())])
    parts = [_table(rows, right=5) if summary.entries else ""]
    if totals["unrouted"]:
        parts.append(
            f"\n{totals['unrouted']} report(s) name a package Akrites does not know (or "
            "none): accepted, waiting for the SIRT to route them to a project.\n"
        )
    reports = [(e, r) for e in summary.entries for r in e.reports]
    if 0 < len(reports) <= MAX_LISTED_REPORTS:
        rows = [["FILE", "ITEM", "REPORT", "STATUS", "CASE", "RECEIPT"]]
        rows += [[e.file, _item(e), r.id, r.status, r.duplicate_of or r.case or "-",
                  r.receipt_url] for e, r in reports]  # fmt: skip
        parts.append("\nReports:\n" + _table(rows))
    rejected = [e for e in summary.entries if e.error is not None]
    if rejected:
        rows = [["FILE", "ITEM", "LINE", "FIELD", "CODE", "MESSAGE"]]
        rows += [[e.file, _item(e), "-" if e.line is None else str(e.line),
                  e.error.field or "-", e.error.code, e.error.message]
                 for e in rejected if e.error is not None]  # fmt: skip
        parts.append("\nRejected:\n" + _table(rows))
    if summary.not_submitted:
        names = [f"{f} (items 0-{n - 1} answered)" if n else f for f, n in summary.not_submitted]
        parts.append("\nNot (completely) submitted: " + ", ".join(names) + "\n")
    return "".join(parts).lstrip("\n")


def _item(entry: Entry) -> str:
    return "-" if entry.index is None else str(entry.index)
