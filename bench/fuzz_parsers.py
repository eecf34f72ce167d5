"""Coverage-guided fuzzing (atheris / libFuzzer) of every parser of untrusted input.

    python -m bench.fuzz_parsers --seconds 60            # every target, 60 s each
    python -m bench.fuzz_parsers --seconds 300 --target report

Contract under test, as in tests/proof/test_parser_properties.py: any bytes give a result or
``InvalidInput`` (``TooLarge`` included) — any other exception is a finding. A finding stops
the target and libFuzzer writes the input to ``var/fuzz/crash-*``; the exit code is non-zero.
atheris is a benchmark-time tool (``pip install atheris``), not a dependency of the app.
Each target runs in its own process, since atheris can be set up once per process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "akrites/intake/tests/fixtures"
FORMATS = [None, "akrites", "osv", "sarif", "text"]
TYPES = [None, "application/json", "text/plain", "application/sarif+json", "application/x-ndjson"]


def _targets() -> dict[str, Callable[[bytes], object]]:
    """name → function of the fuzzer's bytes, with every loaded module instrumented."""
    import atheris

    from akrites.confidentiality.services.sbom import parse_cyclonedx
    from akrites.intake.openpgp import is_armored_message
    from akrites.intake.parsers import common, parse_report
    from akrites.intake.services.submit import split_stream
    from akrites.projects.contacts import parse_security_md, parse_security_txt
    from akrites.remediation.services.diffs import parse_diff

    # The libraries were instrumented on import (``_run_one``); our own entry points that
    # Django loaded first are instrumented function by function (instrument_all() would take
    # minutes on this code base).
    for fn in (parse_cyclonedx, is_armored_message, parse_report, split_stream,
               parse_security_md, parse_security_txt, parse_diff):  # fmt: skip
        atheris.instrument_func(fn)

    def text(data: bytes) -> str:
        # Plain UTF-8, so the seeds below are meaningful to the mutator.
        return data.decode("utf-8", "replace")

    def report(data: bytes) -> object:
        fdp = atheris.FuzzedDataProvider(data)
        fmt, ctype = fdp.PickValueInList(FORMATS), fdp.PickValueInList(TYPES[:4])
        body = fdp.ConsumeBytes(fdp.remaining_bytes())
        return parse_report(body, content_type=ctype, declared_format=fmt, max_bytes=100_000,
                            max_attachment_bytes=1_000, default_purl="pkg:pypi/x")  # fmt: skip

    def stream(data: bytes) -> object:
        fdp = atheris.FuzzedDataProvider(data)
        ctype = fdp.PickValueInList(TYPES)
        return split_stream(fdp.ConsumeBytes(fdp.remaining_bytes()), ctype)

    at = datetime(2026, 1, 1, tzinfo=UTC)
    return {
        "report": report,
        "stream": stream,
        "cvss": lambda d: common.normalise_cvss(text(d), "f"),
        "purl": lambda d: common.normalise_purl(text(d), "f"),
        "vers": lambda d: common.normalise_vers(text(d), "f", package_type="pypi"),
        "cwe": lambda d: common.normalise_cwe(text(d), "f"),
        "url": lambda d: common.normalise_url(text(d), "f"),
        "armour": is_armored_message,
        "sbom": parse_cyclonedx,
        "diff": lambda d: parse_diff(text(d), max_bytes=100_000),
        "security_txt": lambda d: parse_security_txt(d, at=at),
        "security_md": parse_security_md,
    }


SEEDS: dict[str, list[bytes]] = {
    "cvss": [b"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
             b"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"],
    "purl": [b"pkg:maven/org.apache/log4j-core@2.14?type=jar#sub", b"pkg:npm/%40s/x@1"],
    "vers": [b"vers:pypi/>=1.0|<1.2.3|!=1.1", b"vers:pypi/*"],
    "cwe": [b"CWE-79", b"CWE-1321"],
    "url": [b"https://example.org/a?b=c#d"],
    "stream": [b'{"title": "a"}\n{"title": "b"}\n', b'[{"title": "a"}]'],
    "armour": [b"-----BEGIN PGP MESSAGE-----\n\nhQEMA==\n=abcd\n-----END PGP MESSAGE-----\n"],
    "sbom": [b'{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":'
             b'[{"type":"library","name":"a","version":"1","purl":"pkg:pypi/a@1"}]}'],
    "diff": [b"--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n ctx\n-old\n+new\n"],
    "security_txt": [b"Contact: mailto:s@e.org\nExpires: 2030-01-01T00:00:00Z\n"],
    "security_md": [b"# Security\nMail security@example.org or use "
                    b"https://github.com/o/r/security/advisories/new\n"],
}  # fmt: skip
TARGETS = ("report", "stream", "cvss", "purl", "vers", "cwe", "url", "armour", "sbom", "diff",
           "security_txt", "security_md")  # fmt: skip


def _run_one(name: str, seconds: int) -> None:
    """In this process: set Django up on a scratch var dir and fuzz one target (never returns)."""
    os.environ.setdefault("AKRITES_VAR_DIR", tempfile.mkdtemp(prefix="akrites-fuzz-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akrites.settings")
    import atheris

    # Instrumented on first import, before Django loads them: the parsers (pure Python) and
    # the third-party libraries that read hostile input for us.
    libraries = ["akrites.intake.parsers", "packageurl", "univers", "cvss", "cyclonedx",
                 "unidiff", "sectxt"]  # fmt: skip
    with atheris.instrument_imports(include=libraries):
        import cvss  # noqa: F401
        import cyclonedx.model.bom  # noqa: F401
        import packageurl  # noqa: F401
        import sectxt  # noqa: F401
        import unidiff  # noqa: F401
        import univers.version_range  # noqa: F401

        import akrites.intake.parsers  # noqa: F401
    import django

    django.setup()
    from akrites.core.errors import InvalidInput

    fn = _targets()[name]

    def one_input(data: bytes) -> None:
        with contextlib.suppress(InvalidInput):
            fn(data)

    corpus = Path(tempfile.mkdtemp(prefix=f"akrites-fuzz-{name}-"))
    if name == "report":
        for f in FIXTURES.glob("*"):
            shutil.copy(f, corpus)
    for i, seed in enumerate(SEEDS.get(name, [])):
        (corpus / f"seed-{i}").write_bytes(seed)
    artifacts = ROOT / "var" / "fuzz"
    artifacts.mkdir(parents=True, exist_ok=True)
    argv = [sys.argv[0], str(corpus), f"-max_total_time={seconds}", "-max_len=8192",
            f"-artifact_prefix={artifacts}/{name}-", "-print_final_stats=1"]  # fmt: skip
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz_parsers")
    parser.add_argument("--seconds", type=int, default=30, help="per target")
    parser.add_argument("--target", choices=TARGETS, action="append")
    parser.add_argument("--one", choices=TARGETS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        _run_one(args.one, args.seconds)
        return 0
    failed = []
    for name in args.target or TARGETS:
        cmd = [sys.executable, "-m", "bench.fuzz_parsers", "--one", name, "--seconds",
               str(args.seconds)]  # fmt: skip
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        stats = [line for line in out.stderr.splitlines() if line.startswith("stat::")]
        runs = next((s.split()[-1] for s in stats if "number_of_executed_units" in s), "?")
        cov = [line for line in out.stderr.splitlines() if " cov: " in line][-1:]
        status = "ok" if out.returncode == 0 else f"FINDING (exit {out.returncode})"
        print(
            f"{name:<13} {status:<22} runs={runs:<9} {cov[0].split('cov:')[1][:30] if cov else ''}"
        )
        if out.returncode != 0:
            failed.append(name)
            print("\n".join(out.stderr.splitlines()[-40:]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
