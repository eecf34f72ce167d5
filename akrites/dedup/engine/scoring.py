"""Turning signals into a decision: ``decide(features, store) -> Decision``.

The score of a candidate is a text-similarity base in [0, 1] plus a few additive adjustments,
one per independent kind of evidence, read like log-odds: each moves the score by about how
much more often that evidence is seen for true duplicates than for look-alikes. Identity
evidence (same advisory id, same scanner fingerprint) decides on its own.

Precision comes first (a false merge hides a vulnerability), so three guards can only turn a
match into "new" + *related*: a match in another package, an ambiguous match (two stored reports
that are distinct from each other fit equally well), and a dependency-update notice without
identity evidence (unless it is the same update filed again at another release).

Below the threshold, one rule can still match: a notice that says nothing but its release
("Quill 2.4.1 includes a fix for a vulnerability") is the one stored report of the package
whose bug stops at that release, if there is exactly one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from akrites.dedup.engine.features import Features
from akrites.dedup.engine.index import CandidateStore
from akrites.dedup.engine.signals import Signals, Weights, compare, name_terms


@dataclass(frozen=True, slots=True)
class Config:
    """Every threshold and weight of the engine, with the reason for its value."""

    # Candidates compared per decision, best-voted first (votes come from shared rare tokens, so
    # a true duplicate ranks near the top even among thousands of look-alikes). The cost of a
    # decision is linear in it: every candidate's terms need corpus statistics. On the dev
    # split decisions are identical for any limit from 10 to 24; 12 keeps a margin above that
    # (and is 15% faster than 16 at 1 M stored reports).
    candidate_limit: int = 12
    # A report must share at least this many rare-term units (1.0 = one term unique in the
    # corpus) before its coverage by another report counts in full: "fixes an XSS" is covered
    # by every XSS advisory of the package. A report with less text than this in all says
    # little more than its release (see _release_only).
    information_floor: float = 1.5
    # Versions are the most reliable structured field: agreement is common among look-alikes
    # from the same release (weak bonus, further scaled by how rare the shared release is in
    # the package), disagreement is rare among true duplicates (strong). In the dev pairs with
    # some text in common, a conflict is seen for 5% of true duplicates and 40% of look-alikes
    # (fixes in neighbouring release lines are no conflict: versions.fixes_contradict).
    version_agree: float = 0.1
    version_conflict: float = 0.5
    # Agreement on a release that no other stored report of the package is bounded at: a
    # release that fixed one known bug points at it. One more notch than a plain agreement.
    release_unique: float = 0.1
    # Code names (functions, operators, files) say where a bug is: a terse report's code names
    # must be found in the other report. Applied as weight * (2 * coverage - 1).
    specific: float = 0.3
    # A shared fix commit / issue / pull request is strong but not decisive: one commit can fix
    # several bugs.
    fix_reference: float = 0.3
    # Same top crash frames (ClusterFuzz-style signature).
    stack: float = 0.4
    # Different classes of flaw (division by zero versus out-of-bounds read). In the dev pairs
    # with some text in common, seen for 103 look-alikes and no true duplicate: about as strong
    # as the threshold itself.
    flaw_class_conflict: float = 0.7
    # CWE labels are coarse and sources disagree on them: weak evidence either way.
    cwe: float = 0.05
    # No version affected under both reports.
    ranges_disjoint: float = 0.2
    # Decision threshold on the score. On the dev split the score is flat from 0.6 to 0.8; below
    # 0.6 each extra true link costs about one false link, so the precise end was chosen.
    threshold: float = 0.7
    # Two candidates within this margin that are not duplicates of each other make the match
    # ambiguous: decline to merge.
    ambiguity_margin: float = 0.1
    # Texts this similar are one wording (near-verbatim copies score 0.95 to 1.0): used to
    # tell a dependency notice filed again from a notice of another flaw of the component.
    same_wording: float = 0.95
    # Offered as related from this score, and at most this many.
    related_threshold: float = 0.45
    related_limit: int = 5


DEFAULT_CONFIG = Config()


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer for one report. ``evidence`` names the signals behind ``score``."""

    kind: Literal["duplicate", "new"]
    duplicate_of: str | None
    score: float
    evidence: list[str] = field(default_factory=list)
    related: list[tuple[str, float]] = field(default_factory=list)


def text_score(sig: Signals, config: Config) -> float:
    """Similarity base in [0, 1]: cosine, or coverage discounted when little is shared."""
    floor = (
        min(1.0, sig.shared_mass / config.information_floor)
        if config.information_floor > 0
        else 1.0
    )
    return max(sig.cosine, sig.cover * floor)


def score(sig: Signals, config: Config = DEFAULT_CONFIG) -> tuple[float, list[str]]:
    """Score of one candidate and the names of the evidence that moved it."""
    if sig.shared_ids or sig.shared_fingerprints:
        names = [f"identifier:{i}" for i in sig.shared_ids] + [
            f"fingerprint:{f}" for f in sig.shared_fingerprints
        ]
        return 1.0 + config.threshold, names
    base = text_score(sig, config)
    value, evidence = base, [f"text:{base:.2f}"]
    relation = sig.versions
    if relation == "agree":
        value += config.version_agree * sig.version_weight
        evidence.append(f"versions:agree:{sig.version_weight:.2f}")
        if sig.release_reports == 1:
            value += config.release_unique
            evidence.append("release:only-report")
    elif relation == "conflict" and sig.shared_fix_refs:
        # Both cite the same fix: their versions disagree on where it shipped, not on the bug.
        evidence.append("versions:conflict:same-fix")
    elif relation == "conflict":
        value -= config.version_conflict
        evidence.append("versions:conflict")
    if sig.specific_cover is not None:
        value += config.specific * (2.0 * sig.specific_cover - 1.0)
        evidence.append(f"code-names:{sig.specific_cover:.2f}")
        if sig.shared_specific:
            evidence.append("shared:" + ",".join(sig.shared_specific[:3]))
    if sig.shared_fix_refs:
        value += config.fix_reference
        evidence.append("fix-reference:" + sig.shared_fix_refs[0])
    if sig.same_stack:
        value += config.stack
        evidence.append("stack-signature")
    if sig.classes_conflict:
        value -= config.flaw_class_conflict
        evidence.append("flaw-classes:conflict")
    if sig.cwe != "unknown":
        value += config.cwe if sig.cwe == "same" else -config.cwe
        evidence.append(f"cwe:{sig.cwe}")
    if sig.ranges == "disjoint":
        value -= config.ranges_disjoint
        evidence.append("ranges:disjoint")
    return value, evidence


def _identity(sig: Signals) -> bool:
    # A fix commit or issue is not identity for dependency notices: one bump fixes many flaws.
    return bool(sig.shared_ids or sig.shared_fingerprints)


@dataclass(slots=True)
class _Scored:
    key: str
    features: Features
    signals: Signals
    value: float
    evidence: list[str]


Compared = list[tuple[str, Features, Signals]]


def gather(
    doc_features: Features, store: CandidateStore, *, limit: int
) -> tuple[Compared, Weights]:
    """Candidates from ``store`` with their signals against ``doc_features`` (no decision yet)."""
    candidates = store.candidates(doc_features, limit)
    tokens = set(doc_features.counted_tokens())
    for _, cand in candidates:
        tokens.update(cand.counted_tokens())
    weights = Weights(
        store.stats(tokens, block=doc_features.block), silent=name_terms(doc_features.package)
    )
    return [(key, cand, compare(doc_features, cand, weights)) for key, cand in candidates], weights


def decide(
    doc_features: Features, store: CandidateStore, *, config: Config = DEFAULT_CONFIG
) -> Decision:
    """Decide whether ``doc_features`` duplicates a stored report; does not add it to ``store``.

    Guarantees: never raises on any ``Features``; reads at most ``config.candidate_limit``
    candidates; a duplicate is always in the same package (same package key).
    """
    compared, weights = gather(doc_features, store, limit=config.candidate_limit)
    return choose(doc_features, compared, weights, config=config)


def choose(
    doc_features: Features, compared: Compared, weights: Weights, *, config: Config = DEFAULT_CONFIG
) -> Decision:
    """The decision over already compared candidates (split from ``decide`` for evaluation)."""
    if not compared:
        return Decision(kind="new", duplicate_of=None, score=0.0, evidence=["no-candidates"])
    scored = [_Scored(key, cand, sig, *score(sig, config)) for key, cand, sig in compared]
    scored.sort(key=lambda s: (-s.value, s.key))
    same = [s for s in scored if s.signals.same_package]
    related = [(s.key, round(s.value, 3)) for s in scored if s.value >= config.related_threshold]

    best = same[0] if same else None
    if best is not None and best.value < config.threshold:
        only = _release_only(doc_features, same, weights, config)
        if only is not None:
            return Decision(
                kind="duplicate",
                duplicate_of=only.key,
                score=round(config.threshold, 3),
                evidence=["release-only", *only.evidence],
                related=[(k, v) for k, v in related if k != only.key][: config.related_limit],
            )
    if best is None or best.value < config.threshold:
        top = best.value if best else 0.0
        return _new(top, ["below-threshold"] + (best.evidence if best else []), related, config)
    if (
        (doc_features.dependency_notice or best.features.dependency_notice)
        and not _identity(best.signals)
        and not _same_update(doc_features, best, config)
    ):
        return _new(best.value, ["dependency-notice", *best.evidence], related, config)
    runner = same[1] if len(same) > 1 else None
    # Ambiguous: a runner-up that scores about as well, explains the report's words about as
    # well and names its release if the best does, and is not a duplicate of the best itself.
    if (
        runner is not None
        and runner.value >= max(config.threshold, best.value - config.ambiguity_margin)
        and runner.signals.query_cover >= best.signals.query_cover - config.ambiguity_margin
        and (runner.signals.versions == "agree" or best.signals.versions != "agree")
    ):
        between = compare(best.features, runner.features, weights)
        if score(between, config)[0] < config.threshold:
            return _new(best.value, ["ambiguous", *best.evidence], related, config)
    others = [(k, v) for k, v in related if k != best.key]
    return Decision(
        kind="duplicate",
        duplicate_of=best.key,
        score=round(best.value, 3),
        evidence=best.evidence,
        related=others[: config.related_limit],
    )


def _same_update(doc_features: Features, best: _Scored, config: Config) -> bool:
    """Whether two dependency notices announce one update, filed again at another release.

    "Quill 0.9.1 updates 'left-pad' to 2.0.1" and "Quill 1.0.0 updates 'left-pad' to 2.0.1" are
    one fix announced twice. Notices of one release that bump a component to one version are
    not: that is how a database files each flaw the update fixes.
    """
    cand, sig = best.features, best.signals
    target = set(doc_features.mentioned) - set(doc_features.bounds)
    return (
        doc_features.dependency_notice
        and cand.dependency_notice
        and text_score(sig, config) >= config.same_wording
        and bool(doc_features.specific)
        and set(doc_features.specific) == set(cand.specific)
        and bool(target)
        and target == set(cand.mentioned) - set(cand.bounds)
        and bool(doc_features.fixed and cand.fixed)
        and not set(doc_features.fixed) & set(cand.fixed)
    )


def _release_only(
    doc_features: Features, same: list[_Scored], weights: Weights, config: Config
) -> _Scored | None:
    """The one stored report a content-free release notice can only mean, if there is one.

    "Quill 2.4.1 includes a fix for a vulnerability" says no more than its release. When the
    package's history knows exactly one report whose bug stops at that release, and the notice
    neither names a different class of flaw nor an updated dependency, it is that report.
    """
    if doc_features.dependency_notice:
        return None
    mass = sum(weights.of(t) for t in doc_features.terms if t[0] == "w")
    if mass > config.information_floor:
        return None
    hits = [
        s
        for s in same
        if s.signals.versions == "agree"
        and s.signals.release_reports == 1
        and not s.signals.classes_conflict
        and not s.features.dependency_notice
    ]
    return hits[0] if len(hits) == 1 else None


def _new(
    top: float, evidence: list[str], related: list[tuple[str, float]], config: Config
) -> Decision:
    return Decision(
        kind="new",
        duplicate_of=None,
        score=round(top, 3),
        evidence=evidence,
        related=related[: config.related_limit],
    )
