"""Text normalisation, tokenisation and identifier extraction for the dedup engine.

Contract: every function here is pure, deterministic and bounded. Input longer than
``MAX_TEXT_CHARS`` is cut before any regular expression runs, and every regular expression is
linear (no nested quantifiers), so hostile input costs at most O(MAX_TEXT_CHARS).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urlsplit

import snowballstemmer


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# A report's distinguishing content is in its first pages; the rest is logs and boilerplate.
MAX_TEXT_CHARS = 20_000
MAX_URLS = 64

_ID_PATTERNS = (
    re.compile(r"\bCVE-\d{4}-\d{4,7}\b", re.IGNORECASE),
    re.compile(r"\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b", re.IGNORECASE),
    re.compile(r"\b(?:PYSEC|OSV|RUSTSEC|GO|GSD|MAL)-\d{4}-\d{1,7}\b", re.IGNORECASE),
)
_URL = re.compile(r"https?://[^\s<>\"'`)\]]{3,500}", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:[_'][a-z0-9]+)*")
_VERSION = re.compile(
    r"(?<![\w.])v?(\d+(?:\.\d+){1,3}(?:[-.]?(?:rc|a|b|alpha|beta|dev|post)\d*)?)(?![\w.])"
)
# Code-like tokens: dotted names (tf.raw_ops.Foo, os.path.join), snake_case, CamelCase with an
# inner capital, calls foo(), file paths with an extension, and --flags.
_DOTTED = re.compile(r"\b[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*){1,6}\b")
_SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b")
_CAMEL = re.compile(r"\b[A-Za-z][a-z0-9]+[A-Z][A-Za-z0-9]*\b|\b[A-Z]{2,}[a-z][A-Za-z0-9]*\b")
_CALL = re.compile(r"\b([A-Za-z_]\w{2,60})\(\)")
_PATH = re.compile(r"(?:[\w.-]+/){1,10}[\w.-]+\.[A-Za-z]{1,5}\b")
_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]{2,40}\b")
_QUOTED = re.compile(r"[`'\"]([A-Za-z_][\w.:/*-]{1,60})[`'\"]")
_FILE_EXT = re.compile(
    r"\.(?:py|pyx|c|cc|cpp|h|hpp|js|ts|rb|go|rs|java|php|html|cfg|ini|json|yaml|yml|xml|toml|txt|md|so)$"
)

# Function words and advisory filler: they carry no identity, and they dominate short texts.
STOPWORDS = _word_set(
    "a an and are as at be been before being but by can could did do does for from had has "
    "have how if in into is it its may might no not of on or other our so such than that the "
    "their them then there these they this those through to via was we were when where which "
    "while who will with within would you your also all any some only more most allows allow "
    "allowed using use used issue issues vulnerability vulnerabilities vulnerable version "
    "versions affected fix fixed fixes attacker attackers remote user users id security prior "
    "earlier later release released see include includes including"
)

# Vulnerability-class synonyms: finders write either form; fold them so rewording still matches.
# Folded tokens that name a *class of flaw* (not a symptom such as "dos" or "crash") are also
# compared as classes: two reports of clearly different classes are rarely the same bug.
_PHRASES = (
    (re.compile(r"\bcross[- ]site scripting\b"), " xss "),
    (re.compile(r"\bcross[- ]site request forgery\b"), " csrf "),
    (re.compile(r"\bserver[- ]side request forgery\b"), " ssrf "),
    (
        re.compile(r"\bregular expression denial[- ]of[- ]service\b|\bcatastrophic backtracking\b"),
        " redos ",
    ),
    (re.compile(r"\bdenial[- ]of[- ]service\b"), " dos "),
    (re.compile(r"\bsql injection\b"), " sqli "),
    (re.compile(r"\b(?:shell|os) (?:command )?injection\b|\bcommand injection\b"), " cmdinj "),
    (re.compile(r"\bremote code execution\b|\barbitrary code execution\b"), " rce "),
    (re.compile(r"\b(?:directory|path) traversal\b"), " pathtraversal "),
    (re.compile(r"\bopen[- ]redirect(?:ion)?\b"), " openredirect "),
    (re.compile(r"\bxml external entit(?:y|ies)\b"), " xxe "),
    (
        re.compile(r"\b(?:xml )?entity expansion\b|\bbillion laughs\b|\bxml bombs?\b"),
        " xee ",
    ),
    (re.compile(r"\bdivi(?:sion|de)[- ]by[- ](?:zero|0)\b"), " divzero "),
    (re.compile(r"\bnull[- ]pointer(?: dereference)?\b|\bnull dereference\b"), " nullptr "),
    (re.compile(r"\buse[- ]after[- ]free\b"), " uaf "),
    (re.compile(r"\binteger (?:overflow|underflow|wraparound)\b"), " intoverflow "),
    (
        re.compile(
            r"\b(?:out[- ]of[- ]bounds?|oob) reads?\b|\bbuffer over-?read\b|\bover-?read\b"
            r"|\breads? outside (?:of )?(?:the )?bounds\b"
        ),
        " oobread oob ",
    ),
    (
        re.compile(
            r"\b(?:out[- ]of[- ]bounds?|oob) writes?\b|\bwrites? outside (?:of )?(?:the )?bounds\b"
        ),
        " oobwrite oob ",
    ),
    (
        re.compile(
            r"\bout[- ]of[- ]bounds?\b|\boutside (?:of )?(?:the )?bounds\b"
            r"|\b(?:heap|stack)[- ]based buffer overflow\b|\bbuffer overflow\b|\bbuffer overrun\b"
        ),
        " oob ",
    ),
    # After the buffer overflows: what is left of "stack overflow" is stack exhaustion.
    (
        re.compile(
            r"\bstack (?:overflow|exhaustion)\b|\b(?:uncontrolled|unbounded|infinite|deep) "
            r"recursion\b|\bmaximum recursion depth\b"
        ),
        " deeprecursion ",
    ),
    (re.compile(r"\bcheck[- ]fail(?:ure|s)?\b|\bassertion failure\b"), " checkfail "),
    (re.compile(r"\btiming (?:attack|side[- ]channel)\b"), " timingattack "),
)
FLAW_CLASSES = _word_set(
    "xss csrf ssrf redos sqli cmdinj pathtraversal openredirect xxe xee divzero nullptr uaf "
    "intoverflow oobread oobwrite oob deeprecursion checkfail timingattack"
)
# "oob" (unspecified out-of-bounds access) is compatible with a specific read or write, and an
# integer overflow is how many out-of-bounds accesses start ("integer overflow leading to a
# heap-based buffer overflow"): reports name either.
_PAIRS = (
    ("oob", "oobread"),
    ("oob", "oobwrite"),
    *(("intoverflow", c) for c in ("oob", "oobread", "oobwrite")),
)
_COMPATIBLE = set(_PAIRS) | {(b, a) for a, b in _PAIRS}


def flaw_classes(words: list[str]) -> tuple[str, ...]:
    """The flaw classes among ``words`` (sorted); the generic "oob" that accompanies a specific
    out-of-bounds read or write is not a class of its own."""
    found = set(FLAW_CLASSES.intersection(words))
    if found & {"oobread", "oobwrite"}:
        found.discard("oob")
    return tuple(sorted(found))


def classes_conflict(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> bool:
    """True when both reports name flaw classes and no class of one is compatible with the other."""
    if not a or not b:
        return False
    return not any(x == y or (x, y) in _COMPATIBLE for x in a for y in b)


# "X 1.2 updates its dependency Y to fix …": the report names a bundled component, not a flaw.
# One such update fixes several flaws of the component at once, so the wording of these notices
# cannot tell those flaws apart; the scorer only merges them on identity evidence.
_DEPENDENCY_NOTICE = re.compile(
    r"\b(?:updates?|upgrades?|bumps?|pins?)\b[^.]{0,60}?\b(?:dependency|dependencies|bundled|vendored"
    r"|images?|components?|requirements?|minimum version)\b"
    r"|\bincludes? an? (?:vulnerable )?version of\b|\bdependency\b",
    re.IGNORECASE,
)


DEPENDENCY_NOTICE_MAX_WORDS = 60


def is_dependency_notice(text: str, n_words: int) -> bool:
    """Whether ``text`` is a short notice of an updated bundled/required component.

    Only short texts qualify: a full advisory that mentions a dependency describes a flaw.
    """
    return n_words <= DEPENDENCY_NOTICE_MAX_WORDS and bool(_DEPENDENCY_NOTICE.search(text[:2_000]))


def clip(text: str | None) -> str:
    """Return ``text`` NFKC-normalised and cut to ``MAX_TEXT_CHARS`` (``""`` for ``None``)."""
    if not text:
        return ""
    return unicodedata.normalize("NFKC", text[:MAX_TEXT_CHARS])[:MAX_TEXT_CHARS]


def stem(word: str) -> str:
    """The Snowball (Porter 2) English stem of a lower-case word: "decompression" and
    "decompressed", "allocation" and "allocating" meet. Flaw-class tokens, digits and words of
    three letters or fewer are kept as they are."""
    if len(word) <= 3 or not word.isalpha() or word in FLAW_CLASSES:
        return word
    return _stem_word(word)


_STEMMER = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=65_536)
def _stem_word(word: str) -> str:
    return str(_STEMMER.stemWord(word))


_CAMEL_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")


def _with_parts(match: re.Match[str]) -> str:
    # "TiffDecode" is written "TIFF decoder" by someone else: keep the name and add its parts.
    parts = [p for p in _CAMEL_PART.findall(match.group()) if len(p) >= 3]
    return " ".join([match.group(), *parts])


def words(text: str) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` in order (stopwords and lone digits dropped).

    URLs are removed first: their parts are references, not prose.
    """
    low = _URL.sub(" ", _CAMEL.sub(_with_parts, text)).lower()
    for pattern, repl in _PHRASES:
        low = pattern.sub(repl, low)
    out = []
    for match in _WORD.finditer(low):
        word = match.group().removesuffix("'s")  # "QuillDB's" is "QuillDB"
        if word in STOPWORDS or word.isdigit() or len(word) < 2:
            continue
        out.append(stem(word))
    return out


def specific_tokens(text: str) -> set[str]:
    """Code-like tokens (API, operator, function, parameter, file names), lower-cased.

    These name *where* a bug is, which boilerplate never does, so scoring weights them high.
    """
    text = _URL.sub(" ", text)
    found: set[str] = set()
    for pattern in (_DOTTED, _SNAKE, _CAMEL, _PATH, _FLAG):
        for match in pattern.finditer(text):
            token = match.group().strip(".").lower()
            if _looks_like_version(token) or len(token) < 4:
                continue
            found.add(token)
    for pattern in (_CALL, _QUOTED):
        for match in pattern.finditer(text):
            token = match.group(1).lower().rstrip("*")
            # A quoted name is deliberate, so short ones count too ('ws', 'six').
            if len(token) >= 2 and token not in STOPWORDS and not _looks_like_version(token):
                found.add(token)
    # A dotted name also counts by its last segment (tf.raw_ops.Foo and Foo are the same op),
    # and a path by its file name (repositories move files between directories).
    for token in list(found):
        tail = (
            re.split(r"[./:]", token)[-1]
            if not _FILE_EXT.search(token)
            else token.rsplit("/", 1)[-1]
        )
        if len(tail) >= 4 and tail not in STOPWORDS:
            found.add(tail)
    return found


def looks_like_file(token: str) -> bool:
    """Whether a code-like token is a file name (``tiff.py``) rather than an API name."""
    return bool(_FILE_EXT.search(token))


def _looks_like_version(token: str) -> bool:
    return bool(re.fullmatch(r"v?\d+(?:[.\-_]\w+)*", token))


def versions_in(text: str) -> set[str]:
    """Version-like strings mentioned in prose (``2.2.13``, ``v1.0rc1``), normalised."""
    return {normalise_version(m.group(1)) for m in _VERSION.finditer(text)}


def normalise_version(version: str) -> str:
    """Canonical spelling: lower-case, no leading ``v``, trailing ``.0`` components dropped."""
    v = version.strip().lower().lstrip("v")
    while v.endswith(".0") and v.count(".") > 1:
        v = v[:-2]
    return v


def identifiers_in(text: str) -> set[str]:
    """Advisory identifiers (CVE, GHSA, PYSEC, OSV, RUSTSEC, GO …) in ``text``, upper-cased."""
    found: set[str] = set()
    for pattern in _ID_PATTERNS:
        found.update(m.group().upper() for m in pattern.finditer(text))
    return found


def urls_in(text: str) -> list[str]:
    """At most ``MAX_URLS`` URLs found in ``text``, trailing punctuation removed."""
    out = []
    for match in _URL.finditer(text):
        out.append(match.group().rstrip(".,;:!?"))
        if len(out) >= MAX_URLS:
            break
    return out


_GH = re.compile(
    r"^/([\w.-]+)/([\w.-]+)/(commit|commits|pull|issues|merge_requests|-/commit|-/issues)/([0-9a-f]{7,40}|\d+)"
)
_HEX_COMMIT = re.compile(r"/commit/([0-9a-f]{7,40})")


def reference_key(url: str) -> str | None:
    """A stable key for a reference URL, or ``None`` when it is unusable.

    Fix commits are keyed by their first 12 hex digits (a commit id names one change wherever
    it is mirrored); issues and pull requests by ``repo-name#number`` *without* the owner, because
    projects move between organisations (``google/protobuf`` became ``protocolbuffers/protobuf``)
    and GitHub shares one number space between issues and pull requests. Other URLs keep
    host and path without scheme, ``www.``, query noise or trailing slash.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    path = parts.path.rstrip("/")
    match = _GH.match(path)
    if match and host in ("github.com", "gitlab.com", "bitbucket.org"):
        repo, kind, ref = (
            match.group(2).lower().removesuffix(".git"),
            match.group(3),
            match.group(4),
        )
        if "commit" in kind:
            return "commit:" + ref[:12].lower()
        return f"issue:{repo}#{ref}"
    commit = _HEX_COMMIT.search(path)
    if commit:
        return "commit:" + commit.group(1)[:12].lower()
    query = f"?{parts.query}" if parts.query and len(parts.query) <= 80 else ""
    return f"url:{host}{path.lower()}{query}"


def is_specific_reference(key: str) -> bool:
    """Whether a reference names one change (commit, issue, PR) rather than a general page."""
    return key.startswith(("commit:", "issue:"))
