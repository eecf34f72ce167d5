"""Parsing proposed patches with ``unidiff`` and checking them against the project's
repository with ``git apply --check`` in a temporary shallow clone.

No database here. Errors are ``InvalidInput("diff", …)`` with a message that names the
problem (and the offending paths, which the proposer wrote themselves) — never logged.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from akrites.core.errors import InvalidInput, TooLarge
from akrites.remediation.models import ApplyCheck
from akrites.remediation.services._common import logger

DEV_NULL = "/dev/null"


@dataclass(frozen=True)
class ParsedDiff:
    """What a valid diff touches: paths that must already exist, every path, line counts."""

    existing: tuple[str, ...]
    paths: tuple[str, ...]
    added: int
    removed: int


def _strip(path: str, prefix: str) -> str:
    if not path.startswith(prefix):
        raise InvalidInput(
            "diff", "use git-style paths (a/… and b/…), as written by `git diff` or `diff -u`"
        )
    return _safe(path[len(prefix) :])


def _safe(path: str) -> str:
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or ".." in parts or ".git" in parts:
        raise InvalidInput("diff", f"unsafe path in the diff: {path[:200]}")
    return path


def parse_diff(text: str, *, max_bytes: int) -> ParsedDiff:
    """Validate ``text`` as a unified diff of text files with git-style paths.

    Raises InvalidInput when it is empty, not a diff, malformed, binary or has unsafe paths,
    and TooLarge beyond ``max_bytes``.
    """
    if not text.strip():
        raise InvalidInput("diff", "required: a unified diff")
    if len(text.encode("utf-8")) > max_bytes:
        raise TooLarge("diff", f"at most {max_bytes} bytes")
    try:
        patch = PatchSet(text)
    except UnidiffParseError as exc:
        raise InvalidInput("diff", f"not a valid unified diff: {exc}") from None
    if len(patch) == 0:
        raise InvalidInput(
            "diff",
            "not a unified diff: no file changes found (expected ---/+++ headers and @@ hunks)",
        )
    existing: list[str] = []
    paths: list[str] = []
    for changed in patch:
        if changed.is_binary_file:
            raise InvalidInput("diff", "binary changes are not supported; send a text diff")
        if not len(changed):
            raise InvalidInput("diff", "a file in the diff has no hunks")
        source = None if changed.source_file == DEV_NULL else _strip(changed.source_file, "a/")
        target = None if changed.target_file == DEV_NULL else _strip(changed.target_file, "b/")
        if source is not None:
            existing.append(source)
        paths.extend(p for p in (source, target) if p is not None and p not in paths)
    return ParsedDiff(tuple(existing), tuple(paths), patch.added, patch.removed)


def _git(args: list[str], *, cwd: Path | None, timeout: int, stdin: str | None = None) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd or tempfile.gettempdir()),
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "LC_ALL": "C",
    }
    result = subprocess.run(  # noqa: S603 - fixed git invocation, arguments are not a shell
        ["git", *args],  # noqa: S607 - git from PATH, like every developer tool
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise _GitFailed(result.stderr.strip())
    return result.stdout


class _GitFailed(Exception):
    pass


def check_against_repository(
    *, repository: str, diff: str, parsed: ParsedDiff, timeout: int
) -> tuple[str, str]:
    """Clone ``repository`` (depth 1) to a temporary directory and check the diff there.

    Returns ``(ApplyCheck, git's message)``. Raises InvalidInput when the diff changes files
    that do not exist in the repository. A repository that cannot be cloned is a platform
    problem, not the proposer's: the patch is kept as ``unchecked``.
    """
    url = repository if "://" in repository else Path(repository).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="akrites-patch-") as tmp:
        clone = Path(tmp) / "repo"
        try:
            _git(
                ["clone", "--quiet", "--depth", "1", "--no-tags", "--", url, str(clone)],
                cwd=Path(tmp),
                timeout=timeout,
            )
        except (_GitFailed, subprocess.TimeoutExpired):
            logger.warning("patch check: repository could not be cloned")
            return ApplyCheck.UNCHECKED, "the project's repository could not be cloned"
        missing = [p for p in parsed.existing if not (clone / p).is_file()]
        if missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise InvalidInput(
                "diff", f"the diff changes files that do not exist in the repository: {shown}"
            )
        try:
            _git(["apply", "--check", "-"], cwd=clone, timeout=timeout, stdin=diff)
        except _GitFailed as exc:
            return ApplyCheck.DOES_NOT_APPLY, str(exc)[:2000]
        except subprocess.TimeoutExpired:
            return ApplyCheck.UNCHECKED, "git apply --check timed out"
    return ApplyCheck.APPLIES, ""
