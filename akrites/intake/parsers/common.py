"""Validators shared by every report format: purl, ``vers``, CVSS, CWE, URLs, identifiers.

Each ``normalise_*`` function takes the field path to blame and either returns the canonical
form or raises ``InvalidInput(path, reason)``; each ``*_or_none`` variant is for values found by
heuristics (free text, scanner tags), where a bad value is dropped instead of failing the
report. Standard formats go through the field's own libraries (packageurl-python, univers,
cvss, csaf), never hand-written grammars.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from cvss import CVSS3, CVSS4
from packageurl import PackageURL
from packageurl.validate import DEFINITIONS_BY_TYPE
from univers.version_range import RANGE_CLASS_BY_SCHEMES, VersionRange

from akrites.core.errors import InvalidInput

from .model import MAX_TITLE_CHARS

# Caps. Counts beyond a cap in a *structured* field are rejected (the submitter chose them);
# in *derived* data (frames from a trace, URLs found in prose) the excess is dropped and
# recorded in ``extra["truncated"]``.
MAX_DESCRIPTION_CHARS = 1_000_000
MAX_SHORT_CHARS = 1_000  # names, file paths, function names, tool names
MAX_FRAMES = 200
MAX_FRAME_CHARS = 1_000
MAX_REFERENCES = 100
MAX_URL_CHARS = 2_048
MAX_ATTACHMENTS = 10
MAX_LOCATIONS = 100
MAX_CWES = 20
MAX_IDENTIFIERS = 50
MAX_FINGERPRINTS = 50
MAX_FIXED = 50
MAX_CREDITS = 20
MAX_PURL_CHARS = 1_000
MAX_VERS_CHARS = 2_000
MAX_VERSION_CHARS = 100
MAX_CVSS_CHARS = 300

# The purl spec's registered types, as packageurl-python knows them.
KNOWN_PURL_TYPES: frozenset[str] = frozenset(DEFINITIONS_BY_TYPE)
# Purl types whose ``vers`` scheme univers can compare; the scheme name equals the type name.
VERS_SCHEMES: frozenset[str] = frozenset(RANGE_CLASS_BY_SCHEMES) & KNOWN_PURL_TYPES

# univers is untyped; going through one typed name keeps mypy --strict honest elsewhere.
_vers_from_string: Callable[..., object] = VersionRange.from_string

CWE_RE = re.compile(r"(?i)^cwe-([0-9]{1,7})$")
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+~:_!-]{0,99}$")
_IDENTIFIER_RES: tuple[tuple[re.Pattern[str], Callable[[str], str]], ...] = (
    (re.compile(r"(?i)^cve-[0-9]{4}-[0-9]{4,19}$"), str.upper),
    # GitHub writes GHSA ids with a lower-case body: GHSA-xxxx-xxxx-xxxx.
    (re.compile(r"(?i)^ghsa(-[23456789cfghjmpqrvwx]{4}){3}$"), lambda s: "GHSA" + s[4:].lower()),
    # Other OSV database ids: PYSEC-2021-1, RUSTSEC-2020-0001, GO-2022-0001, OSV-2020-111…
    (re.compile(r"^[A-Z][A-Za-z0-9]{1,15}(-[A-Za-z0-9._]{1,40}){1,3}$"), str),
)


def purl_from_string(value: str, path: str) -> PackageURL:
    """Parse and normalise a purl; its type must be a registered purl type and it must obey
    that type's rules (e.g. Maven needs a namespace)."""
    if len(value) > MAX_PURL_CHARS:
        raise InvalidInput(path, f"must be at most {MAX_PURL_CHARS} characters")
    try:
        purl = PackageURL.from_string(value.strip())
    except Exception:  # ValueError mostly, but this is third-party code on hostile input
        raise InvalidInput(path, "is not a valid package URL") from None
    if purl.type not in KNOWN_PURL_TYPES:
        raise InvalidInput(path, "package URL type is not a known ecosystem")
    try:
        problems = [m for m in purl.validate() if m.severity.name == "ERROR"]
    except Exception:  # the type rules are third-party code run on hostile input
        raise InvalidInput(path, "is not a valid package URL") from None
    if problems:
        raise InvalidInput(path, f"does not follow the {purl.type} package URL rules")
    return purl


def normalise_purl(value: str, path: str) -> str:
    return str(purl_from_string(value, path).to_string())


def purl_type(purl: str) -> str:
    """The type of an already normalised purl."""
    return purl[4:].split("/", 1)[0]


def normalise_vers(value: str, path: str, *, package_type: str | None) -> str:
    """Validate a ``vers`` range with univers (constraints must alternate as the spec says) and
    return its canonical form. When the package type has a ``vers`` scheme, the range must use
    it: comparing npm versions with PyPI rules gives wrong answers silently."""
    if len(value) > MAX_VERS_CHARS:
        raise InvalidInput(path, f"must be at most {MAX_VERS_CHARS} characters")
    try:
        canonical = str(_vers_from_string(value, validate=True))
    except Exception:  # univers raises ValueError, InvalidVersion, TypeError… on bad input
        raise InvalidInput(path, "is not a valid vers range") from None
    scheme = canonical[5:].split("/", 1)[0]
    if package_type in VERS_SCHEMES and scheme != package_type:
        raise InvalidInput(path, f"range scheme must be {package_type} for this package")
    return canonical


def build_vers(scheme: str, constraints: Iterable[str], path: str) -> str:
    """Assemble ``vers:<scheme>/c1|c2…`` from converted constraints (OSV events, prose),
    letting univers merge overlapping intervals before validating."""
    joined = "|".join(constraints) or "*"
    text = f"vers:{scheme}/{joined}"
    if len(text) > MAX_VERS_CHARS:
        raise InvalidInput(path, "describes too many version intervals")
    try:
        return str(_vers_from_string(text, simplify=True, validate=True))
    except Exception:
        raise InvalidInput(path, "does not form a valid version range") from None


def check_version(value: str, path: str) -> str:
    """A single version as it appears in OSV events and ``fixed`` lists. The character set is
    what ``vers`` can carry without escaping (``|``, ``,`` and spaces would break it)."""
    if not VERSION_RE.match(value):
        raise InvalidInput(path, "is not a valid version")
    return value


def normalise_cvss(value: str, path: str) -> str:
    """Accept a CVSS 3.1 or 4.0 base vector and return ``clean_vector()`` (canonical metric
    order, ``X`` metrics dropped). CVSS 2 and 3.0 are refused: advisories we publish carry
    3.1 or 4.0 only."""
    if len(value) > MAX_CVSS_CHARS:
        raise InvalidInput(path, "is not a valid CVSS vector")
    vector = value.strip()
    try:
        if vector.startswith("CVSS:3.1/"):
            return str(CVSS3(vector).clean_vector())
        if vector.startswith("CVSS:4.0/"):
            return str(CVSS4(vector).clean_vector())
    except Exception:  # CVSSError subclasses, plus anything odd from hostile input
        raise InvalidInput(path, "is not a valid CVSS vector") from None
    raise InvalidInput(path, "must be a CVSS 3.1 or 4.0 vector")


def cvss_or_none(value: str) -> str | None:
    try:
        return normalise_cvss(value, "cvss")
    except InvalidInput:
        return None


@functools.cache
def _cwe_lookup() -> Callable[[str], object]:
    # Imported lazily: importing csaf costs about 1.5 s, which the text-only paths and most
    # tests never need to pay.
    from csaf import cwe_entry

    return cwe_entry  # type: ignore[no-any-return]


def preload() -> None:
    """Load the CWE catalogue now (servers call this once at start, before forking)."""
    _cwe_lookup()


def normalise_cwe(value: str, path: str) -> str:
    """``"cwe-079"`` → ``"CWE-79"``; the id must exist in the bundled CWE catalogue."""
    match = CWE_RE.match(value.strip())
    if not match:
        raise InvalidInput(path, "must look like CWE-<number>")
    canonical = f"CWE-{int(match.group(1))}"
    try:
        _cwe_lookup()(canonical)
    except ValueError:
        raise InvalidInput(path, "is not in the CWE catalogue") from None
    return canonical


def cwe_or_none(value: str) -> str | None:
    try:
        return normalise_cwe(value, "cwe")
    except InvalidInput:
        return None


def normalise_url(value: str, path: str) -> str:
    """An absolute http(s) URL with a host, no credentials, no whitespace or control chars."""
    url = value.strip()
    if len(url) > MAX_URL_CHARS or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InvalidInput(path, "is not a valid URL")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 — raises ValueError on a malformed port
    except ValueError:
        raise InvalidInput(path, "is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput(path, "must be an http or https URL")
    if not host:
        raise InvalidInput(path, "must name a host")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(path, "must not contain credentials")
    return url


def url_or_none(value: str) -> str | None:
    try:
        return normalise_url(value, "references")
    except InvalidInput:
        return None


def identifier_or_none(value: str) -> str | None:
    """Canonical CVE / GHSA / OSV-database id, or None when ``value`` is none of those."""
    value = value.strip()
    for pattern, canon in _IDENTIFIER_RES:
        if pattern.match(value):
            return canon(value)
    return None


def normalise_identifier(value: str, path: str) -> str:
    ident = identifier_or_none(value)
    if ident is None:
        raise InvalidInput(path, "is not a CVE, GHSA or OSV identifier")
    return ident


def one_line(text: str) -> str:
    """Whitespace runs collapsed to one space; control and format characters (terminal escape
    sequences, bidi overrides that make a title read differently than it sorts) removed. Titles
    are shown in terminals and lists, where such characters are an attack, not content."""
    kept = "".join(
        ch for ch in text if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return " ".join(kept.split())


def derive_title(text: str) -> str | None:
    """First non-empty line (see ``one_line``), capped at the title limit with an ellipsis."""
    for raw in text.splitlines():
        line = one_line(raw)
        if line:
            if len(line) > MAX_TITLE_CHARS:
                return line[: MAX_TITLE_CHARS - 1] + "…"
            return line
    return None


def clip(text: str, limit: int) -> str:
    """Cut derived single values (frames, names) to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unique(items: Iterable[str]) -> list[str]:
    """Order-preserving de-duplication."""
    return list(dict.fromkeys(items))
