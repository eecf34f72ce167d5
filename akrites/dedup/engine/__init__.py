"""Pure-Python duplicate-detection engine for vulnerability reports (no Django imports).

Typical use::

    feats = features(doc)                 # deterministic, bounded
    decision = decide(feats, store)       # "duplicate" of a stored key, or "new" + related
    store.add(doc.key, feats)             # the caller decides when a report joins the corpus
"""

from akrites.dedup.engine.doc import Doc, doc_from_dev_record
from akrites.dedup.engine.features import FEATURES_VERSION, GLOBAL, Features, features
from akrites.dedup.engine.index import CandidateStore, CorpusStats, InMemoryStore
from akrites.dedup.engine.packages import package_family, package_key
from akrites.dedup.engine.scoring import DEFAULT_CONFIG, Config, Decision, choose, decide, gather

__all__ = [
    "DEFAULT_CONFIG",
    "FEATURES_VERSION",
    "GLOBAL",
    "CandidateStore",
    "Config",
    "CorpusStats",
    "Decision",
    "Doc",
    "Features",
    "InMemoryStore",
    "choose",
    "decide",
    "doc_from_dev_record",
    "features",
    "gather",
    "package_family",
    "package_key",
]
