"""Hand-written reports for engine tests (fictional packages; no benchmark text)."""

from __future__ import annotations

from akrites.dedup.engine import Doc, InMemoryStore, features

ACME_FLOW_BOILERPLATE = (
    "AcmeFlow is an open source workflow engine for scheduling data pipelines. "
    "In affected versions "
)

# (key, package, text, fixed versions)
BACKGROUND: list[tuple[str, str, str, tuple[str, ...]]] = [
    (
        "img-1",
        "acme-imaging",
        "Heap buffer overflow in decode_tile() in acme/tiff.py of acme-imaging before 3.2.1 "
        "allows attackers to corrupt memory with a crafted TIFF file.",
        ("3.2.1",),
    ),
    (
        "img-2",
        "acme-imaging",
        "acme-imaging before 3.0.4 allows a denial of service through unbounded memory use "
        "when parsing the ICC profile of a PNG image.",
        ("3.0.4",),
    ),
    (
        "img-3",
        "acme-imaging",
        "The GIF loader in acme-imaging before 2.9.0 enters an infinite loop on a frame "
        "with a zero-length LZW code table.",
        ("2.9.0",),
    ),
    (
        "img-4",
        "acme-imaging",
        "Path traversal in save_archive() of acme-imaging before 3.1.0 lets a crafted file "
        "name write outside the output directory.",
        ("3.1.0",),
    ),
    (
        "web-1",
        "quillweb",
        "Cross-site scripting in the comment preview of quillweb before 1.4.2 allows "
        "injecting script through the author name.",
        ("1.4.2",),
    ),
    (
        "web-2",
        "quillweb",
        "quillweb before 1.5.0 does not validate the redirect target of the login form, an "
        "open redirect.",
        ("1.5.0",),
    ),
]

ACME_FLOW = [
    (
        "flow-1",
        "the `ParseSchedule` operator divides by zero when the interval list is empty.",
        "4.1.0",
    ),
    (
        "flow-2",
        "the `MergeBatches` operator reads out of bounds when a batch is truncated.",
        "4.0.2",
    ),
    (
        "flow-3",
        "the `ExportCsv` task writes temporary files with world-readable permissions.",
        "3.9.1",
    ),
    ("flow-4", "the `WebhookSink` task follows redirects to internal addresses (SSRF).", "4.0.1"),
]


def doc(
    key: str, package: str | None, text: str, fixed: tuple[str, ...] = (), **extra: object
) -> Doc:
    return Doc(key=key, package=package, ecosystem="PyPI", text=text, fixed_versions=fixed, **extra)  # type: ignore[arg-type]


def corpus() -> InMemoryStore:
    """A store holding the background reports and the AcmeFlow family with shared boilerplate."""
    store = InMemoryStore()
    for key, package, text, fixed in BACKGROUND:
        store.add(key, features(doc(key, package, text, fixed)))
    for key, sentence, fixed_version in ACME_FLOW:
        text = ACME_FLOW_BOILERPLATE + sentence
        store.add(key, features(doc(key, "acmeflow", text, (fixed_version,))))
    return store
