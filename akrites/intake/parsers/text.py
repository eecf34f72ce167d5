"""Plain-text reports: keep the text, and recognise what can be recognised in it.

Everything found here is a *guess* from prose, so a value that fails validation (a mistyped
CVSS vector, a CWE the catalogue does not know, a purl of an unknown type) is ignored rather
than failing the report; only an empty text is an error.

Every pattern is linear: no nested quantifiers, every repetition bounded, and frame patterns run
line by line on lines of at most ``MAX_SCAN_LINE`` characters, so hostile input costs at most
O(length * bound).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from akrites.core.errors import InvalidInput, TooLarge

from .akrites_json import cap_frames
from .common import (
    MAX_CWES,
    MAX_DESCRIPTION_CHARS,
    MAX_FIXED,
    MAX_FRAME_CHARS,
    MAX_IDENTIFIERS,
    MAX_REFERENCES,
    VERS_SCHEMES,
    VERSION_RE,
    build_vers,
    clip,
    cvss_or_none,
    cwe_or_none,
    derive_title,
    identifier_or_none,
    normalise_purl,
    normalise_vers,
    purl_type,
    unique,
    url_or_none,
)
from .model import JSONValue, PackageRef, ParsedReport

MAX_SCAN_LINE = 4_000
MAX_CANDIDATES = 1_000  # matches examined per kind; the rest of a huge paste adds nothing

_PURL_RE = re.compile(r"\bpkg:[A-Za-z][A-Za-z0-9.+-]{0,30}/[^\s\"'<>`]{1,500}")
_VERS_RE = re.compile(r"\bvers:[A-Za-z0-9]{1,20}/[^\s\"'`]{1,1000}")
_BEFORE_RE = re.compile(
    r"(?i)(?:\b(?:before|prior\s{1,5}to|earlier\s{1,5}than)\s{1,5}|<\s?)"
    r"(?:v(?:ersion)?\s?)?([0-9][A-Za-z0-9.+~_-]{0,63})"
)
_FIXED_RE = re.compile(
    r"(?i)\bfixed\s{1,5}in\s{1,5}(?:v(?:ersion)?\s?)?([0-9][A-Za-z0-9.+~_-]{0,63})"
)
_CWE_RE = re.compile(r"(?i)\bCWE-([0-9]{1,7})\b")
_CVSS_RE = re.compile(r"\bCVSS:(?:3\.1|4\.0)/[A-Za-z:/]{1,300}")
_ID_RE = re.compile(
    r"(?i)\b(?:CVE-[0-9]{4}-[0-9]{4,19}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}"
    r"|(?:PYSEC|RUSTSEC|GO|OSV)-[0-9]{4}-[0-9]{1,7})\b"
)
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"'`]{1,2048}")

# Frame patterns match a line with its surrounding whitespace stripped (``_frames`` notes
# whether it was indented), and separators are bounded, so no two quantifiers compete for
# the same characters.
# Python: `  File "app/x.py", line 12, in handler`
_PY_FRAME = re.compile(r'^File "([^"]{1,1000})", line ([0-9]{1,9})(?:, in (\S{1,500}))?')
# ASan / gdb: `#0 0x4f5e2d in parse /src/x.c:12:3`, `#1 0x0 in f (a=1) at x.c:5`, `#0 f () at x.c:5`
_NATIVE_FRAME = re.compile(
    r"^#[0-9]{1,4} {1,8}(?:0x[0-9A-Fa-f]{1,16} {1,8}in {1,8})?([^\s(]{1,500})"
    r"(?: {0,8}\([^)]{0,500}\))?(?: {1,8}(?:at {1,8})?(\S{1,1000}))?$"
)
# Java: `	at com.example.Foo.bar(Foo.java:42)`
_JAVA_FRAME = re.compile(r"^at {1,8}([\w$.<>/]{1,500})\(([^()]{0,500})\)$")
# Go: `main.parse(0xc000010000)` followed by an indented `/src/main.go:12 +0x1d`
_GO_FUNC = re.compile(r"^([\w./*()-]{1,500})\([^()]{0,500}\)$")
_GO_FILE = re.compile(r"^(\S{1,1000}\.go):([0-9]{1,9})(?: {1,8}\+0x[0-9a-f]{1,16})?$")
# Rust: `3: crate::parse` followed by an indented `at src/lib.rs:12:5`; and the panic line.
_RUST_FUNC = re.compile(r"^[0-9]{1,4}: {1,8}(\S{1,500})$")
_RUST_AT = re.compile(r"^at {1,8}([^\s:]{1,1000}):([0-9]{1,9})(?::[0-9]{1,9})?$")
_RUST_PANIC = re.compile(r"panicked at (?:'[^']{0,500}', )?([^\s:']{1,1000}):([0-9]{1,9}):[0-9]")

_TRAILING = ".,;:!?'\")]}"
_OPENERS = {")": "(", "]": "[", "}": "{"}


def parse_text(text: str, *, default_purl: str | None) -> ParsedReport:
    """Build a report from prose. ``default_purl`` (already normalised) is the package when
    the text names none. Raises ``InvalidInput("body", "empty")`` for blank text and
    ``TooLarge("body", …)`` beyond ``MAX_DESCRIPTION_CHARS``."""
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise TooLarge("body", f"text must be at most {MAX_DESCRIPTION_CHARS} characters")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title = derive_title(text)
    if title is None:
        raise InvalidInput("body", "empty")
    extra: dict[str, JSONValue] = {}
    truncated: dict[str, JSONValue] = {}

    purls = unique(p for p in (_purl_or_none(m) for m in _matches(_PURL_RE, text)) if p)
    purl = purls[0] if purls else default_purl
    if len(purls) > 1:
        extra["other_purls"] = list(purls[1:21])
    package = _package(text, purl) if purl else None

    frames, omitted = cap_frames(list(_frames(text)))
    if omitted:
        truncated["stack_trace"] = omitted
    urls = unique(u for u in (url_or_none(m) for m in _matches(_URL_RE, text)) if u)
    if len(urls) > MAX_REFERENCES:
        truncated["references"] = len(urls) - MAX_REFERENCES
    if truncated:
        extra["truncated"] = truncated
    cvss = next((v for v in map(cvss_or_none, _matches(_CVSS_RE, text, strip="/")) if v), None)
    cwes = unique(c for c in (cwe_or_none(f"CWE-{m}") for m in _groups(_CWE_RE, text)) if c)
    ids = unique(i for i in (identifier_or_none(m) for m in _matches(_ID_RE, text)) if i)
    return ParsedReport(
        title=title,
        source_format="text",
        description=text.strip(),
        package=package,
        cwe=tuple(cwes[:MAX_CWES]),
        cvss=cvss,
        stack_trace=frames,
        references=tuple(urls[:MAX_REFERENCES]),
        identifiers=tuple(ids[:MAX_IDENTIFIERS]),
        extra=extra,
    )


def _matches(pattern: re.Pattern[str], text: str, *, strip: str = _TRAILING) -> Iterator[str]:
    """Whole matches, without the sentence punctuation prose puts after them. A closing
    bracket stays when the value opened one (``https://host/x_(y)``)."""
    for n, match in enumerate(pattern.finditer(text)):
        if n >= MAX_CANDIDATES:
            return
        value = match.group(0)
        while value and value[-1] in strip:
            closer = value[-1]
            opener = _OPENERS.get(closer)
            if opener is not None and value.count(opener) >= value.count(closer):
                break
            value = value[:-1]
        yield value


def _groups(pattern: re.Pattern[str], text: str) -> Iterator[str]:
    for n, match in enumerate(pattern.finditer(text)):
        if n >= MAX_CANDIDATES:
            return
        yield match.group(1).rstrip(".-_+")


def _purl_or_none(value: str) -> str | None:
    try:
        return normalise_purl(value, "package.purl")
    except InvalidInput:
        return None


def _package(text: str, purl: str) -> PackageRef:
    """The first valid ``vers:`` range for this package type wins; otherwise a range is built
    from the first "before X" / "< X" phrase. "fixed in X" phrases give fixed versions."""
    ptype = purl_type(purl)
    affected = None
    for candidate in _matches(_VERS_RE, text):
        try:
            affected = normalise_vers(candidate, "package.affected", package_type=ptype)
            break
        except InvalidInput:
            continue
    if affected is None and ptype in VERS_SCHEMES:
        for version in _groups(_BEFORE_RE, text):
            try:
                affected = build_vers(ptype, [f"<{version}"], "package.affected")
                break
            except InvalidInput:
                continue
    fixed = [v for v in _groups(_FIXED_RE, text) if VERSION_RE.match(v)]
    return PackageRef(purl=purl, affected=affected, fixed=tuple(unique(fixed)[:MAX_FIXED]))


def _frames(text: str) -> Iterator[str]:
    """Stack frames in a common "file:line in function" form, whatever language wrote them,
    so that the same crash pasted as text or sent as SARIF yields comparable frames."""
    previous = ""
    for raw in text.split("\n"):
        if len(raw) > MAX_SCAN_LINE:
            previous = ""
            continue
        line = raw.strip().replace("\t", " ")
        frame = _frame(line, previous, indented=raw[:1].isspace())
        if frame:
            yield clip(frame, MAX_FRAME_CHARS)
        previous = line


def _frame(line: str, previous: str, *, indented: bool) -> str | None:
    if match := _PY_FRAME.match(line):
        file, num, func = match.groups()
        return _fmt(file, num, func)
    if match := _NATIVE_FRAME.match(line):
        func, where = match.groups()
        file, num = _split_file_line(where) if where else (None, None)
        return _fmt(file, num, func)
    if match := _JAVA_FRAME.match(line):
        func, where = match.groups()
        file, num = _split_file_line(where)  # "Native Method", "Unknown Source" → no file
        return _fmt(file, num, func)
    if indented:
        # Go and Rust put the file on an indented line under the function.
        for file_re, func_re in ((_GO_FILE, _GO_FUNC), (_RUST_AT, _RUST_FUNC)):
            if (match := file_re.match(line)) and (func_match := func_re.match(previous)):
                return _fmt(match.group(1), match.group(2), func_match.group(1))
    if match := _RUST_PANIC.search(line):
        return _fmt(match.group(1), match.group(2), None)
    return None


def _split_file_line(where: str) -> tuple[str | None, str | None]:
    """``x.c:12:3`` → (``x.c``, ``12``); ``Foo.java:42`` → (``Foo.java``, ``42``)."""
    parts = where.split(":")
    numeric = [p.isdigit() for p in parts]
    if len(parts) >= 3 and numeric[-1] and numeric[-2]:
        return ":".join(parts[:-2]), parts[-2]
    if len(parts) >= 2 and numeric[-1]:
        return ":".join(parts[:-1]), parts[-1]
    return None, None


def _fmt(file: str | None, line: str | None, func: str | None) -> str | None:
    if not file and not func:
        return None
    where = f"{file or '?'}:{int(line)}" if line else (file or "")
    if func:
        return f"{where} in {func}" if where else func
    return where
