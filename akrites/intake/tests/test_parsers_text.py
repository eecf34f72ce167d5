"""Plain-text reports: recognising purls, ranges, CWE, CVSS, ids, URLs and stack frames."""

import time

import pytest

from akrites.core.errors import InvalidInput, TooLarge
from akrites.intake.parsers import PackageRef, parse_report


def parse(text, default_purl=None, max_bytes=5_000_000):
    body = text.encode() if isinstance(text, str) else text
    [report] = parse_report(
        body,
        content_type="text/plain",
        declared_format=None,
        max_bytes=max_bytes,
        max_attachment_bytes=1_000,
        default_purl=default_purl,
    )
    return report


REPORT = """

  Heap   overflow in libfoo parse_header\r
Affects pkg:pypi/Foo_Bar (all versions before 1.4.2); fixed in version 1.4.2.
Weakness: CWE-787 (also cwe-99999, which does not exist).
Score: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H. Bogus: CVSS:3.1/AV:Q.
Tracked as CVE-2024-1234 and GHSA-2xr9-pxmw-jg8q; see https://example.org/wiki/Foo_(bar).
"""


def test_recognises_what_prose_contains():
    report = parse(REPORT)
    assert report.source_format == "text"
    assert report.title == "Heap overflow in libfoo parse_header"
    assert report.description.startswith("Heap   overflow")
    assert "\r" not in report.description
    assert report.package == PackageRef(
        purl="pkg:pypi/foo-bar", affected="vers:pypi/<1.4.2", fixed=("1.4.2",)
    )
    assert report.cwe == ("CWE-787",)
    assert report.cvss == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    assert report.identifiers == ("CVE-2024-1234", "GHSA-2xr9-pxmw-jg8q")
    assert report.references == ("https://example.org/wiki/Foo_(bar)",)


def test_explicit_vers_wins_and_must_match_the_package_type():
    text = "t\npkg:npm/left-pad vers:pypi/<2 vers:npm/>=1.0.0|<1.3.0 before 9"
    assert parse(text).package.affected == "vers:npm/>=1.0.0|<1.3.0"


def test_default_purl_is_used_when_the_text_names_none():
    assert parse("t\nbroken < 2.0", default_purl="pkg:cargo/regex").package == PackageRef(
        purl="pkg:cargo/regex",
        affected="vers:cargo/<2.0.0",  # univers canonicalises
    )


def test_no_purl_means_no_package():
    assert parse("just a title\nbefore 1.0").package is None


def test_invalid_things_in_prose_are_ignored():
    report = parse("t\npkg:nosuchtype/x CVSS:4.0/AV:N CWE-0 https://user:pw@host/ http://")
    assert (report.package, report.cvss, report.cwe, report.references) == (None, None, (), ())


@pytest.mark.parametrize(
    ("trace", "frames"),
    [
        (
            'Traceback (most recent call last):\n  File "app/x.py", line 12, in handler\n    f()\n'
            '  File "<string>", line 1, in <module>',
            ["app/x.py:12 in handler", "<string>:1 in <module>"],
        ),
        (
            "==1==ERROR: AddressSanitizer: heap-buffer-overflow\n"
            "    #0 0x4f5e2d in parse_header /src/libfoo/hdr.c:120:7\n"
            "    #1 0x4f5e2d in main (/bin/x+0x123)",
            ["/src/libfoo/hdr.c:120 in parse_header", "main"],
        ),
        (
            "#0  main () at test.c:10\n"
            "#1  0x00007ffff7a05b97 in __libc_start_main (x=1) at ../csu/libc-start.c:310",
            ["test.c:10 in main", "../csu/libc-start.c:310 in __libc_start_main"],
        ),
        (
            'Exception in thread "main" java.lang.NullPointerException\n'
            "\tat com.example.Foo.bar(Foo.java:42)\n"
            "\tat java.base/java.lang.Thread.run(Native Method)",
            ["Foo.java:42 in com.example.Foo.bar", "java.base/java.lang.Thread.run"],
        ),
        (
            "panic: runtime error: index out of range\n\ngoroutine 1 [running]:\n"
            "main.parse(0xc000010000, 0x3)\n\t/src/main.go:12 +0x1d\n"
            "main.main()\n\t/src/main.go:5 +0x25",
            ["/src/main.go:12 in main.parse", "/src/main.go:5 in main.main"],
        ),
        (
            "thread 'main' panicked at src/main.rs:5:9:\nindex out of bounds\nstack backtrace:\n"
            "   0: mycrate::parse\n             at ./src/lib.rs:12:5",
            ["src/main.rs:5", "./src/lib.rs:12 in mycrate::parse"],
        ),
        ("thread 'main' panicked at 'boom', src/main.rs:7:5", ["src/main.rs:7"]),
        # Unindented "file.go:1" lines are prose, not Go frames.
        ("f(x)\nmain.go:12", []),
    ],
)
def test_stack_frames_in_a_common_form(trace, frames):
    assert list(parse("crash\n" + trace).stack_trace) == frames


def test_frames_are_capped_keeping_head_and_tail():
    trace = "\n".join(f'  File "m{i}.py", line {i + 1}, in f{i}' for i in range(1000))
    report = parse("deep recursion\n" + trace)
    assert len(report.stack_trace) == 200
    assert report.stack_trace[-1] == "m999.py:1000 in f999"
    assert report.extra["truncated"]["stack_trace"] == 800


def test_title_loses_terminal_escapes_and_bidi_overrides():
    assert parse("\x1b[31mred\u202e alert\x07\nbody").title == "[31mred alert"


def test_long_title_is_capped():
    assert len(parse("x" * 5000).title) == 300


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        ("", InvalidInput, "body"),
        ("\n \n\t", InvalidInput, "body"),
        ("x" * 1_000_001, TooLarge, "body"),
    ],
)
def test_rejects_empty_or_oversize_text(body, error, field):
    with pytest.raises(error) as exc:
        parse(body)
    assert exc.value.field == field


@pytest.mark.parametrize(
    "hostile",
    [
        "#0 f" + " " * 3990 + "(",
        "#0 " + "a" * 3000 + " " * 900 + "x",
        "before " * 100_000,
        "<" * 500_000,
        "https://" * 100_000,
        "pkg:a/" * 100_000,
        "CVSS:3.1/" + "A:" * 200_000,
        ('  File "' + "x" * 900) * 500,
        "at " + "a." * 200_000,
        ("main.f(" + "x" * 400 + "\n\t/" + "y" * 900 + ".go:1 +0x1\n") * 500,
    ],
)
def test_hostile_text_is_parsed_quickly(hostile):
    start = time.perf_counter()
    parse("title\n" + hostile)
    assert time.perf_counter() - start < 2.0
