"""Deterministic feature extraction: ``features(doc) -> Features``.

``Features`` is everything the engine needs to compare a report later, so a store can keep it
(``to_json``/``from_json``) instead of the report text. It also names the index tokens the
store posts the report under (``index_tokens``) and the tokens whose document frequencies the
store counts (``counted_tokens``). All sizes are capped, so a hostile report yields a bounded
``Features``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass

from akrites.dedup.engine import stacktrace, text
from akrites.dedup.engine.doc import Doc
from akrites.dedup.engine.packages import package_family, package_key
from akrites.dedup.engine.versions import Range, fixed_set

# The version of what ``features`` extracts. Bump it whenever a change to this package alters
# the ``Features`` of some report (tokenising, stemming, flaw classes, sketches, versions):
# stored entries of an older version no longer meet new reports' tokens, and
# ``akrites dedup-reindex`` re-extracts them. 1: until 2026-11-25; 2: Snowball stems, XEE.
FEATURES_VERSION = 2

MAX_TERMS = 600  # distinct unigrams + bigrams kept per report
MAX_SPECIFIC = 80
MAX_REFERENCES = 64
MAX_IDS = 32
MAX_FINGERPRINTS = 32
MAX_VERSIONS = 64
SKETCH_SIZE = 8  # bottom-k sketch of word 4-shingles: near-identical texts share most of it
SHINGLE = 4
GLOBAL = "*"  # scope of index tokens that are looked up across every package


@dataclass(frozen=True, slots=True)
class Features:
    """The comparable, serialisable form of a report (see module docstring)."""

    package: str | None
    family: str | None
    terms: dict[str, int]  # "w:<stem>" and "b:<stem> <stem>" -> term frequency
    specific: tuple[str, ...]
    identifiers: tuple[str, ...]
    fingerprints: tuple[str, ...]
    references: tuple[str, ...]
    stack: str | None
    fixed: tuple[str, ...]
    ranges: tuple[Range, ...]
    cwes: tuple[str, ...]
    sketch: tuple[str, ...]
    mentioned: tuple[str, ...]  # version strings named in the prose
    dependency_notice: bool  # see text.is_dependency_notice
    classes: tuple[str, ...]  # flaw classes named (text.FLAW_CLASSES)
    bounds: tuple[str, ...]  # fixed and last-affected versions: where the bug stops

    @property
    def block(self) -> str:
        """Blocking scope: the package family, or the global scope for package-less reports."""
        return self.family or GLOBAL

    def counted_tokens(self) -> list[str]:
        """Tokens whose document frequency the store maintains (for IDF and boilerplate)."""
        out = list(self.terms)
        out += ["s:" + s for s in self.specific]
        out += ["r:" + r for r in self.references]
        out += ["f:" + v for v in self.bounds]
        return out

    def index_tokens(self) -> list[tuple[str, str]]:
        """``(scope, token)`` postings: block-scoped content tokens and global identity tokens.

        Identity tokens (advisory ids, fingerprints, fix commits/issues, crash signatures,
        text sketches) are global so that cross-package copies surface as *related*.
        """
        scoped = [t for t in self.terms if t.startswith("w:")]
        scoped += ["s:" + s for s in self.specific]
        scoped += ["f:" + v for v in self.bounds]
        scoped += ["r:" + r for r in self.references if not text.is_specific_reference(r)]
        global_ = ["i:" + i for i in self.identifiers]
        global_ += ["p:" + p for p in self.fingerprints]
        global_ += ["r:" + r for r in self.references if text.is_specific_reference(r)]
        global_ += ["k:" + k for k in self.sketch]
        if self.stack:
            global_.append("t:" + self.stack)
        pairs = [(self.block, t) for t in scoped] + [(GLOBAL, t) for t in global_]
        return list(dict.fromkeys(pairs))

    def to_json(self) -> str:
        """Canonical JSON (sorted keys); ``Features.from_json(f.to_json()) == f``."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str) -> Features:
        raw = json.loads(data)
        return cls(
            package=raw["package"],
            family=raw["family"],
            terms={str(k): int(v) for k, v in raw["terms"].items()},
            specific=tuple(raw["specific"]),
            identifiers=tuple(raw["identifiers"]),
            fingerprints=tuple(raw["fingerprints"]),
            references=tuple(raw["references"]),
            stack=raw["stack"],
            fixed=tuple(raw["fixed"]),
            ranges=tuple((r[0], r[1], r[2]) for r in raw["ranges"]),
            cwes=tuple(raw["cwes"]),
            sketch=tuple(raw["sketch"]),
            mentioned=tuple(raw["mentioned"]),
            dependency_notice=bool(raw["dependency_notice"]),
            classes=tuple(raw["classes"]),
            bounds=tuple(raw["bounds"]),
        )


def _terms(words: list[str]) -> dict[str, int]:
    """Unigram (``w:``) and bigram (``b:``) frequencies; new terms stop at ``MAX_TERMS``."""
    terms: dict[str, int] = {}
    for i, word in enumerate(words):
        pair = [f"w:{word}"] + ([f"b:{word} {words[i + 1]}"] if i + 1 < len(words) else [])
        for term in pair:
            if term in terms:
                terms[term] += 1
            elif len(terms) < MAX_TERMS:
                terms[term] = 1
    return terms


def _sketch(words: list[str]) -> tuple[str, ...]:
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(max(0, len(words) - SHINGLE + 1))}
    hashes = sorted(hashlib.blake2b(s.encode(), digest_size=6).hexdigest() for s in shingles)
    return tuple(hashes[:SKETCH_SIZE])


def _cwes(values: tuple[str, ...]) -> tuple[str, ...]:
    out = set()
    for value in values[:16]:
        match = re.search(r"\d+", value)
        if match:
            out.add("CWE-" + match.group())
    return tuple(sorted(out))


def _bounds(doc: Doc) -> tuple[str, ...]:
    ends = list(doc.fixed_versions[:MAX_VERSIONS])
    ends += [v for r in doc.affected[:MAX_VERSIONS] for v in (r[1], r[2]) if v]
    return fixed_set(ends)


def features(doc: Doc) -> Features:
    """Extract ``Features`` from ``doc``; pure, deterministic, bounded, never raises on content."""
    body = text.clip(f"{doc.title}\n{doc.text}" if doc.title else doc.text)
    words = text.words(body)
    specific = text.specific_tokens(body)
    specific.update(loc.lower() for loc in doc.locations[:MAX_SPECIFIC] if 4 <= len(loc) <= 200)
    ids = text.identifiers_in(body) | {
        i.strip().upper() for i in doc.identifiers[:MAX_IDS] if i.strip()
    }
    refs: dict[str, None] = {}
    for url in list(doc.references[:MAX_REFERENCES]) + text.urls_in(body):
        key = text.reference_key(url)
        if key and len(refs) < MAX_REFERENCES:
            refs[key] = None
    frames = doc.stack_frames[: stacktrace.MAX_FRAMES_SCANNED]
    stack = stacktrace.signature(frames) if frames else stacktrace.signature_from_text(body)
    key = package_key(doc.package, doc.ecosystem)
    return Features(
        package=key,
        family=package_family(key),
        terms=_terms(words),
        specific=tuple(sorted(specific)[:MAX_SPECIFIC]),
        identifiers=tuple(sorted(ids)[:MAX_IDS]),
        fingerprints=tuple(
            sorted({f.strip() for f in doc.fingerprints[:MAX_FINGERPRINTS] if f.strip()})
        ),
        references=tuple(refs),
        stack=stack,
        fixed=fixed_set(doc.fixed_versions) or fixed_set(r[1] for r in doc.affected if r[1]),
        ranges=tuple(doc.affected[:64]),
        cwes=_cwes(doc.cwes),
        sketch=_sketch(words),
        mentioned=fixed_set(sorted(text.versions_in(body))[:MAX_VERSIONS]),
        dependency_notice=text.is_dependency_notice(body, len(words)),
        classes=text.flaw_classes(words),
        bounds=_bounds(doc),
    )
