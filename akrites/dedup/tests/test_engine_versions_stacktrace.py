"""Version relations and crash signatures."""

from __future__ import annotations

from akrites.dedup.engine import stacktrace
from akrites.dedup.engine.versions import ranges_relation, release, version_key


def test_versions_order_pre_releases_before_finals() -> None:
    keys = [version_key(v) for v in ("1.0rc1", "1.0", "1.0.post1", "1.0.1")]
    assert all(k is not None for k in keys)
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert version_key("not-a-version") is None


def test_release_folds_candidates_and_trailing_zeros() -> None:
    assert release("20.3.0rc1") == release("20.3") == "20.3"


def test_ranges_relation() -> None:
    assert ranges_relation([("0", "2.0", None)], [("1.5", "1.9", None)]) == "overlap"
    assert ranges_relation([("0", "2.0", None)], [("2.0", "3.0", None)]) == "disjoint"
    assert ranges_relation([("0", None, None)], [("2.0", "3.0", None)]) == "unknown"
    assert ranges_relation([("x", "y", None)], [("2.0", "3.0", None)]) == "unknown"


def test_signature_skips_noise_and_keeps_top_three() -> None:
    frames = ["malloc", "__asan_memcpy", "png_read_row(png_struct*)", "png_read_image", "main", "x"]
    assert stacktrace.signature(frames) == "png_read_row|png_read_image|main"


def test_python_tracebacks_put_the_crashing_frame_first() -> None:
    trace = (
        "Traceback (most recent call last):\n"
        '  File "app.py", line 3, in <module>\n'
        '  File "lib/parse.py", line 40, in load\n'
        '  File "lib/parse.py", line 12, in read_header\n'
        "ValueError: bad\n"
    )
    assert stacktrace.signature_from_text(trace) == "read_header|load"


def test_no_trace_no_signature() -> None:
    assert stacktrace.signature_from_text("just words") is None
