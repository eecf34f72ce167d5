"""Pairwise signals between an incoming report and one stored candidate.

Each signal is a number or a small category with an obvious meaning; ``scoring`` combines
them. Term weights come from the live corpus (``CorpusStats``): a term's weight is its global
IDF times a *boilerplate factor* that falls towards zero as the term appears in more reports of
the same package family ("TensorFlow is an end-to-end open source platform …" says nothing
about which TensorFlow bug). Terms that look like code (API, operator, file names) are boosted:
they say where the bug is.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

from akrites.dedup.engine.features import Features
from akrites.dedup.engine.index import CorpusStats
from akrites.dedup.engine.text import (
    classes_conflict,
    is_specific_reference,
    looks_like_file,
    stem,
    words,
)
from akrites.dedup.engine.versions import contradicts, fixes_contradict, ranges_relation

SPECIFIC_BOOST = 2.0  # a code-like term counts as much as two rare words
BOILERPLATE_PRIOR = 2.0  # pseudo-documents: in a tiny block one shared term is not boilerplate


@dataclass(slots=True)
class Weights:
    """Per-decision term weights, computed once from corpus statistics."""

    stats: CorpusStats
    # Terms naming the package itself: every report of the package names it, so they say
    # nothing about which of its bugs a report describes (see ``name_terms``).
    silent: frozenset[str] = frozenset()
    max_idf: float = 1.0
    cache: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.max_idf = math.log(self.stats.n_docs + 2.0) + 1.0

    def of(self, token: str) -> float:
        """Weight of a counted token in [0, 1]: normalised IDF times the boilerplate factor."""
        cached = self.cache.get(token)
        if cached is not None:
            return cached
        if token in self.silent:
            self.cache[token] = 0.0
            return 0.0
        s = self.stats
        idf = math.log((s.n_docs + 2.0) / (s.df.get(token, 0) + 1.0)) + 1.0
        boiler = 1.0 - s.block_df.get(token, 0) / (s.n_block + BOILERPLATE_PRIOR)
        weight = max(0.0, idf / self.max_idf * boiler)
        self.cache[token] = weight
        return weight


@dataclass(frozen=True, slots=True)
class Signals:
    """What one comparison found. ``mass`` values are in rare-term units (1.0 = one unique term)."""

    same_package: bool
    same_family: bool
    shared_ids: tuple[str, ...]
    shared_fingerprints: tuple[str, ...]
    same_stack: bool
    shared_fix_refs: tuple[str, ...]  # commits, issues, pull requests
    shared_other_refs: int
    cosine: float  # weighted TF-IDF cosine over unigrams and bigrams
    cover: float  # weighted share of the *smaller* report's terms found in the other
    query_cover: float  # weighted share of the incoming report's terms found in the other
    shared_mass: float
    shared_specific: tuple[str, ...]
    specific_cover: (
        float | None
    )  # share of the less specific report's code names found in the other
    versions: str  # "agree" | "conflict" | "unknown", see _version_relation
    version_weight: float  # specificity of an agreement in [0, 1]
    release_reports: int  # stored reports of the family bounded at the rarest shared release
    classes_conflict: bool  # both name flaw classes, none compatible (text.classes_conflict)
    ranges: str  # "overlap" | "disjoint" | "unknown"
    cwe: str  # "same" | "different" | "unknown"


@functools.lru_cache(maxsize=4096)
def name_terms(package: str | None) -> frozenset[str]:
    """Counted tokens made only of the words of a package key's name (``pypi/quill-server``:
    ``w:quill``, ``w:server``, ``b:quill server``, ``s:quill-server``)."""
    if not package:
        return frozenset()
    name = package.partition("/")[2] or package
    parts = words(re.sub(r"[-_./]+", " ", name))
    out = {"w:" + p for p in parts}
    out.update(f"b:{a} {b}" for a in parts for b in parts)
    out.update("s:" + v for v in (name, name.rsplit("/", 1)[-1], *parts))
    return frozenset(out)


def _vector(terms: dict[str, int], boost: set[str], weights: Weights) -> dict[str, float]:
    vec = {}
    for term, tf in terms.items():
        w = weights.of(term) * (SPECIFIC_BOOST if term in boost else 1.0)
        if w > 0.0:
            vec[term] = (1.0 + math.log(tf)) * w
    return vec


def compare(query: Features, cand: Features, weights: Weights) -> Signals:
    """All signals between ``query`` and ``cand``; cost is linear in their (capped) sizes."""
    boost = {"w:" + s for s in query.specific} | {"w:" + s for s in cand.specific}
    qv, cv = _vector(query.terms, boost, weights), _vector(cand.terms, boost, weights)
    dot = sum(v * cv[t] for t, v in qv.items() if t in cv)
    qn, cn = math.sqrt(sum(v * v for v in qv.values())), math.sqrt(sum(v * v for v in cv.values()))
    cosine = dot / (qn * cn) if qn and cn else 0.0

    # Coverage counts each unigram once: rewording changes word order and repetition, not the
    # rare words a report must contain to describe the same bug.
    qu = {
        t: weights.of(t) * (SPECIFIC_BOOST if t in boost else 1.0)
        for t in query.terms
        if t[0] == "w"
    }
    cu = {
        t: weights.of(t) * (SPECIFIC_BOOST if t in boost else 1.0)
        for t in cand.terms
        if t[0] == "w"
    }
    shared_mass = sum(w for t, w in qu.items() if t in cu)
    shared_mass += sum(min(qu[a], cu[b]) for a, b in _misspelt(qu, cu))
    q_total = sum(qu.values())
    smaller = min(q_total, sum(cu.values()))
    cover = shared_mass / smaller if smaller > 0 else 0.0

    q_spec, c_spec = set(query.specific), set(cand.specific)
    shared_specific = tuple(sorted(s for s in q_spec & c_spec if weights.of("s:" + s) > 0.0))
    q_refs, c_refs = set(query.references), set(cand.references)
    shared_refs = q_refs & c_refs
    versions, version_weight, release_reports = _version_relation(query, cand, weights)
    return Signals(
        same_package=query.package is not None and query.package == cand.package,
        same_family=query.family is not None and query.family == cand.family,
        shared_ids=tuple(sorted(set(query.identifiers) & set(cand.identifiers))),
        shared_fingerprints=tuple(sorted(set(query.fingerprints) & set(cand.fingerprints))),
        same_stack=query.stack is not None and query.stack == cand.stack,
        shared_fix_refs=tuple(sorted(r for r in shared_refs if is_specific_reference(r))),
        shared_other_refs=sum(1 for r in shared_refs if not is_specific_reference(r)),
        cosine=cosine,
        cover=min(1.0, cover),
        query_cover=min(1.0, shared_mass / q_total) if q_total > 0 else 0.0,
        shared_mass=shared_mass,
        shared_specific=shared_specific,
        specific_cover=_specific_cover(query, cand, weights),
        versions=versions,
        version_weight=version_weight,
        release_reports=release_reports,
        classes_conflict=classes_conflict(set(query.classes), set(cand.classes)),
        ranges=ranges_relation(query.ranges, cand.ranges),
        cwe=_cwe_relation(query.cwes, cand.cwes),
    )


MISSPELT_MIN = 7  # letters in a stem before a one- or two-letter slip is read as the same word


def _misspelt(qu: dict[str, float], cu: dict[str, float]) -> list[tuple[str, str]]:
    """Pairs of long words, one from each report, that differ by a typo or a spelling
    ("synchronisation" and "synchronization", "authentification" and "authentication"): same
    first four letters, at most two edits apart. Each word pairs at most once."""
    size = MISSPELT_MIN + 2
    # Prose words only: names that differ by a digit or a letter ("conv2d" and "conv3d",
    # "parse_v1" and "parse_v2") are different names.
    unmatched = [
        t for t, w in qu.items() if len(t) >= size and w > 0.0 and t not in cu and t[2:].isalpha()
    ]
    if not unmatched:
        return []
    prefixes = {t[:6] for t in unmatched}
    by_prefix: dict[str, list[str]] = {}
    for term in [t for t in cu if len(t) >= size and t[:6] in prefixes]:
        if term not in qu and term[2:].isalpha():
            by_prefix.setdefault(term[:6], []).append(term)
    pairs, used = [], set()
    for term in unmatched:
        for other in by_prefix.get(term[:6], ()):
            if other not in used and _within_two_edits(term[2:], other[2:]):
                pairs.append((term, other))
                used.add(other)
                break
    return pairs


def _within_two_edits(a: str, b: str) -> bool:
    """Levenshtein distance of ``a`` and ``b`` is at most 2 (banded, so linear in length)."""
    if abs(len(a) - len(b)) > 2:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [3] * len(b)
        for j in range(max(1, i - 2), min(len(b), i + 2) + 1):
            cost = 0 if ca == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if min(current) > 2:
            return False
        previous = current
    return previous[-1] <= 2


def _cwe_relation(a: tuple[str, ...], b: tuple[str, ...]) -> str:
    if not a or not b:
        return "unknown"
    return "same" if set(a) & set(b) else "different"


def _version_relation(query: Features, cand: Features, weights: Weights) -> tuple[str, float, int]:
    """How the versions of two reports relate, and how specific an agreement is.

    ``agree``: a release where one report says the bug stops (fixed or last affected) is named
    by the other, as a bound or in its text; its strength is the weight of the rarest shared
    release in the package (a release that fixed twenty advisories agrees with everything).
    ``conflict``: both state fixed releases and nothing meets, or one report's last affected
    version is already fixed according to the other (``versions.contradicts``). Releases both
    texts merely mention (a bundled library's version, say) are not agreement.
    """
    qb, cb = set(query.bounds), set(cand.bounds)
    shared = (qb & (cb | set(cand.mentioned))) | (cb & set(query.mentioned))
    if shared:
        rarest = max(shared, key=lambda v: (weights.of("f:" + v), v))
        return "agree", weights.of("f:" + rarest), weights.stats.block_df.get("f:" + rarest, 0)
    if fixes_contradict(query.fixed, cand.fixed) or contradicts(query.ranges, cand.ranges):
        return "conflict", 0.0, 0
    return "unknown", 0.0, 0


def _mentions(doc: Features, token: str) -> bool:
    if token in doc.specific:
        return True
    if "." in token and not looks_like_file(token) and _names_module(doc, token.split(".")[:-1]):
        return True
    tail = re.split(r"[./:]", token)[-1]
    if "w:" + stem(tail) not in doc.terms and "w:" + stem(token) not in doc.terms:
        return False
    # The word may only be a part of a longer name ("Merge" in "SparseMergeV2"):
    # another operator, not this one.
    return not any(
        len(name) > len(tail) and tail in name and name.isalnum() for name in doc.specific
    )


def _names_module(doc: Features, enclosing: list[str]) -> bool:
    """Whether ``doc`` names (a dotted run of at least two segments of) the module a dotted
    name lives in: "net.chat.stream" for "quill.net.chat.stream.TlsStarter"."""
    if len(enclosing) < 2:
        return False
    path = "." + ".".join(enclosing) + "."
    return any(
        name.count(".") >= 1 and not looks_like_file(name) and f".{name}." in path
        for name in doc.specific
    )


def _specific_cover(query: Features, cand: Features, weights: Weights) -> float | None:
    """Weighted share of the shorter report's code names that the longer report mentions.

    ``None`` unless both name code, and when the only names checked are file paths the other
    report leaves out (no evidence either way). Asymmetric on purpose: a terse report names one
    function, a full advisory names ten, and the terse one's name must appear in the full one.
    Between two reports of similar length (within a factor of two) both directions must hold.
    """
    q_spec = [s for s in query.specific if weights.of("s:" + s) > 0.0]
    c_spec = [s for s in cand.specific if weights.of("s:" + s) > 0.0]
    if not q_spec or not c_spec:
        return None
    q_len, c_len = len(query.terms), len(cand.terms)
    directions = []
    if q_len <= 2 * c_len:
        directions.append(_names_found(q_spec, cand, weights))
    if c_len <= 2 * q_len:
        directions.append(_names_found(c_spec, query, weights))
    known = [d for d in directions if d is not None]
    return min(known) if known else None


def _names_found(names: list[str], other: Features, weights: Weights) -> float | None:
    # Squared weights, as in a TF-IDF dot product: a rare name outweighs a family-wide one
    # ("SpaceToBatchNd" versus "TFLite").
    # A file path the other report leaves out is no evidence against it: rewordings drop paths,
    # while a differently named function or operator means a different place in the code.
    total = found = 0.0
    for name in names:
        weight = weights.of("s:" + name) ** 2
        if _mentions(other, name):
            total += weight
            found += weight
        elif not _is_path(name):
            total += weight
    # Only paths the other report leaves out: no evidence either way.
    return found / total if total > 0 else None


def _is_path(name: str) -> bool:
    return "/" in name or looks_like_file(name)
