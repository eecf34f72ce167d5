"""Crash signatures from stack traces, in the manner of ClusterFuzz.

Two reports of one crash rarely share addresses, line numbers or frame numbers (different
builds, ASLR), but they share the *names* of the first few meaningful frames. The signature is
therefore the top ``TOP_FRAMES`` function names after dropping noise and skipping allocator,
sanitizer and runtime frames. Work is bounded: at most ``MAX_FRAMES_SCANNED`` frames are read.
"""

from __future__ import annotations

import re

TOP_FRAMES = 3
MAX_FRAMES_SCANNED = 200
MAX_LINES_SCANNED = 5_000

# One pattern per common trace shape; each captures the function name.
_FRAME_PATTERNS = (
    # sanitizer / gdb:  #3 0x4f5a2c in png_read_row /src/png.c:123:4
    re.compile(
        r"^\s*#\d+\s+(?:0x[0-9a-f]+\s+)?(?:in\s+)?(?P<fn>[^\s(]+(?:\([^)]*\))?)", re.IGNORECASE
    ),
    # Python:  File "x/y.py", line 12, in parse_header
    re.compile(r'^\s*File "(?P<file>[^"]+)", line \d+, in (?P<fn>[\w<>.]+)'),
    # Java / JVM:  at com.example.Parser.parse(Parser.java:42)
    re.compile(r"^\s*at (?P<fn>[\w$.<>]+)\("),
    # Go:  main.parseHeader(0xc000010000)   Rust:  3: core::panicking::panic
    re.compile(
        r"^\s*(?:\d+:\s+)?(?P<fn>[A-Za-z_][\w.:<>]*(?:::|\.)[A-Za-z_][\w<>]*)(?:\(.*\))?\s*$"
    ),
)

# Frames that say where memory was managed or the runtime unwound, not where the bug is.
_NOISE = re.compile(
    r"^(?:__asan|__msan|__ubsan|__tsan|__sanitizer|__interceptor|__libc|__GI_|_start$|start_thread"
    r"|clone$|abort$|raise$|malloc$|calloc$|realloc$|free$|operator new|operator delete|memcpy$"
    r"|memmove$|memset$|strlen$|std::|core::panicking|core::result|std::panicking|rust_begin_unwind"
    r"|java\.lang\.Thread\.run|sun\.reflect|java\.lang\.reflect|runtime\.|testing\.|<module>$"
    r"|llvmfuzzertestoneinput$|fuzzer::|_pytest|pluggy)",
    re.IGNORECASE,
)


def normalise_frame(name: str) -> str:
    """Function name without arguments, template parameters, addresses or crate hashes."""
    name = re.sub(r"\(.*\)$", "", name)
    name = re.sub(r"<[^<>]*>", "", name)
    name = re.sub(r"::h[0-9a-f]{16}$", "", name)  # Rust symbol hash
    name = re.sub(r"0x[0-9a-f]+", "", name, flags=re.IGNORECASE)
    return name.strip(" .:").lower()


def frames_from_text(text: str) -> list[str]:
    """Function names of stack frames found in free text, top of stack first, bounded."""
    frames: list[str] = []
    for line_no, line in enumerate(text.splitlines()):
        # Lines, not frames, are capped here: a Python traceback puts the crashing frame last.
        if line_no >= MAX_LINES_SCANNED:
            break
        if len(line) > 500:
            continue
        for pattern in _FRAME_PATTERNS:
            match = pattern.match(line)
            if match:
                frames.append(match.group("fn"))
                break
    return frames


def signature(frames: tuple[str, ...] | list[str], *, python_order: bool = False) -> str | None:
    """The crash signature: top ``TOP_FRAMES`` meaningful frame names joined by ``|``.

    ``python_order`` means the innermost frame is listed last (Python tracebacks); those are
    reversed first so that every format has the crashing frame on top.
    """
    scanned = list(frames[-MAX_FRAMES_SCANNED:] if python_order else frames[:MAX_FRAMES_SCANNED])
    if python_order:
        scanned.reverse()
    top: list[str] = []
    for raw in scanned:
        name = normalise_frame(raw)
        if not name or _NOISE.match(name):
            continue
        top.append(name)
        if len(top) == TOP_FRAMES:
            break
    return "|".join(top) if top else None


def signature_from_text(text: str) -> str | None:
    """Signature of the first stack trace in ``text`` (``None`` when there is none)."""
    frames = frames_from_text(text)
    if not frames:
        return None
    return signature(frames, python_order="Traceback (most recent call last)" in text)
