"""Security contacts from a project's ``security.txt`` (RFC 9116, via ``sectxt``) and
``SECURITY.md`` (free-form Markdown: e-mail addresses and private-reporting links).

Pure functions, no database, no network. The platform clock decides expiry (``at``), not
the wall clock ``sectxt`` would use, so tests and drills can move time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sectxt import Parser

MAX_FILE_BYTES = 64 * 1024
_CONTACT_SCHEMES = frozenset({"mailto", "https", "tel"})
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# GitHub's private vulnerability reporting, and any link that says it is for reporting.
_REPORT_LINK = re.compile(r"https://[^\s)>\]\"']+/security/advisories/new\b")
# sectxt checks expiry against the wall clock; we check it against ours instead.
_IGNORED = frozenset({"expired"})


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class Contact:
    address: str
    status: str  # valid | invalid | expired (projects.models.FileStatus)
    problem: str = ""


@dataclass(frozen=True)
class ParsedFile:
    kind: str
    status: str
    contacts: tuple[Contact, ...] = ()
    problems: tuple[Problem, ...] = ()
    expires_at: datetime | None = None
    policy_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _status(problems: list[Problem], expired: bool) -> str:
    # Our own expiry finding is the only problem filed under "expires".
    if any(p.field != "expires" for p in problems):
        return "invalid"
    return "expired" if expired else "valid"


def parse_security_txt(content: bytes, *, at: datetime) -> ParsedFile:
    """Parse a security.txt. Status: ``invalid`` when RFC 9116 is violated (every problem
    listed with its line), else ``expired`` when ``Expires`` is before ``at``, else
    ``valid``. Contacts are kept in file order, each flagged with the file's status (or
    ``invalid`` when its own URI is unusable)."""
    if len(content) > MAX_FILE_BYTES:
        return ParsedFile("security_txt", "invalid", problems=(Problem("content", "too large"),))
    if not content.strip():
        return ParsedFile("security_txt", "invalid", problems=(Problem("content", "empty"),))
    try:
        parser = Parser(content, recommend_unknown_fields=False)
    except (OverflowError, ValueError):
        # sectxt hands Expires to dateutil, which overflows on an absurd year (found by
        # bench.fuzz_parsers): such a file is invalid, never a crash.
        return ParsedFile("security_txt", "invalid", problems=(Problem("expires", "unreadable"),))
    problems = [
        Problem(f"line {e['line']}" if e.get("line") else str(e["code"]), str(e["message"]))
        for e in parser.errors
        if e["code"] not in _IGNORED
    ]
    values: dict[str, list[str]] = {}
    for line in parser.lines:
        if line["type"] == "field" and line["field_name"]:
            values.setdefault(str(line["field_name"]), []).append(str(line["value"]))
    expires = _expires(values.get("expires", []))
    expired = expires is not None and expires < at
    if expired and expires is not None:
        problems.append(Problem("expires", f"expired on {expires:%Y-%m-%d %H:%M} UTC"))
    status = _status(problems, expired)
    contacts = tuple(_contact(value, status) for value in values.get("contact", []))
    policy = next(iter(values.get("policy", [])), "")
    return ParsedFile(
        "security_txt",
        status,
        contacts=contacts,
        problems=tuple(problems),
        expires_at=expires,
        policy_url=policy if policy.startswith("https://") else "",
    )


def _expires(values: list[str]) -> datetime | None:
    if len(values) != 1:
        return None  # missing or repeated: sectxt reports it
    try:
        moment = datetime.fromisoformat(values[0].strip())
    except ValueError:
        return None  # malformed: sectxt reports it
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _contact(value: str, file_status: str) -> Contact:
    value = value.strip()
    scheme = urlsplit(value).scheme.lower()
    if scheme not in _CONTACT_SCHEMES:
        return Contact(value[:500], "invalid", "a contact must be a mailto:, https: or tel: URI")
    if scheme == "mailto" and not _EMAIL.fullmatch(value[len("mailto:") :]):
        return Contact(value[:500], "invalid", "not an e-mail address")
    problem = {"expired": "the file has expired", "invalid": "the file is invalid"}
    return Contact(value[:500], file_status, problem.get(file_status, ""))


def parse_security_md(content: bytes) -> ParsedFile:
    """Find the reporting contacts in a SECURITY.md: e-mail addresses (as ``mailto:``) and
    private-reporting links (``…/security/advisories/new``), in order, without repeats.

    Status ``invalid`` when the file is empty, too large, not UTF-8 or names no contact.
    """
    if len(content) > MAX_FILE_BYTES:
        return ParsedFile("security_md", "invalid", problems=(Problem("content", "too large"),))
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return ParsedFile("security_md", "invalid", problems=(Problem("content", "not UTF-8"),))
    if not text.strip():
        return ParsedFile("security_md", "invalid", problems=(Problem("content", "empty"),))
    found: list[tuple[int, str]] = [(m.start(), m.group(0)) for m in _REPORT_LINK.finditer(text)]
    found += [(m.start(), f"mailto:{m.group(1)}") for m in _EMAIL.finditer(text)]
    seen: dict[str, None] = {}
    for _, address in sorted(found):
        seen.setdefault(address, None)
    if not seen:
        return ParsedFile(
            "security_md",
            "invalid",
            problems=(Problem("contact", "no e-mail address or private reporting link found"),),
        )
    return ParsedFile("security_md", "valid", contacts=tuple(Contact(a, "valid") for a in seen))
