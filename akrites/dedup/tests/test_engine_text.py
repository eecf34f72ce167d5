"""Normalisation, tokenisation and identifier extraction."""

from __future__ import annotations

from akrites.dedup.engine import text


def test_identifiers_are_found_and_upper_cased() -> None:
    found = text.identifiers_in("see cve-2021-12345, GHSA-jfh8-c2jp-5v3q and PYSEC-2020-7")
    assert found == {"CVE-2021-12345", "GHSA-JFH8-C2JP-5V3Q", "PYSEC-2020-7"}


def test_code_like_tokens_are_specific() -> None:
    found = text.specific_tokens(
        "Crash in `tf.raw_ops.SparseAdd` via parse_header() in src/io/reader.cc, 'ws'"
    )
    assert {
        "tf.raw_ops.sparseadd",
        "sparseadd",
        "parse_header",
        "src/io/reader.cc",
        "reader.cc",
        "ws",
    } <= found


def test_versions_are_not_code_names() -> None:
    assert not text.specific_tokens("fixed in 2.2.13 and v3.0.7")
    assert text.versions_in("fixed in 2.2.13 and v3.0.0") == {"2.2.13", "3.0"}


def test_flaw_class_synonyms_fold_together() -> None:
    assert "xss" in text.words("A cross-site scripting flaw")
    assert "oobread" in text.words("a heap buffer over-read")
    assert text.classes_conflict({"divzero"}, {"oobread"})
    assert not text.classes_conflict({"oob"}, {"oobwrite"})
    assert not text.classes_conflict(set(), {"xss"})


def test_entity_expansion_is_not_an_external_entity() -> None:
    # Two different XML flaws (CWE-776 and CWE-611) that share most of their words.
    expansion = text.flaw_classes(text.words("a denial of service via XML Entity Expansion"))
    external = text.flaw_classes(text.words("read files via an XML external entity"))
    assert (expansion, external) == (("xee",), ("xxe",))
    assert text.classes_conflict(set(expansion), set(external))


def test_integer_overflows_lead_to_out_of_bounds_access() -> None:
    assert not text.classes_conflict({"intoverflow"}, {"oob"})
    assert not text.classes_conflict({"oobwrite"}, {"intoverflow"})
    assert text.classes_conflict({"intoverflow"}, {"divzero"})


def test_reads_and_writes_out_of_bounds_share_the_generic_word_not_the_class() -> None:
    read = text.words("a heap buffer over-read in PCX unpacking")
    assert "oob" in text.words("PCX unpack buffer overrun") and "oob" in read
    assert text.flaw_classes(read) == ("oobread",)
    assert text.classes_conflict({"oobread"}, {"oobwrite"})


def test_stemming_meets_derived_forms() -> None:
    assert text.words("PNG decompression") == text.words("png decompressed")
    assert text.words("memory allocation") == text.words("memory allocating")
    assert text.words("division by zero") == ["divzero"]  # class tokens are never stemmed


def test_camel_case_names_add_their_parts() -> None:
    assert {text.stem("tiffdecode"), "tiff", text.stem("decode")} <= set(
        text.words("TiffDecode overflows")
    )


def test_reference_keys_survive_renames_and_mirrors() -> None:
    a = text.reference_key("https://github.com/google/protobuf/issues/760")
    b = text.reference_key("https://github.com/protocolbuffers/protobuf/issues/760/")
    assert a == b == "issue:protobuf#760"
    commit = "https://github.com/x/y/commit/4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    assert text.reference_key(commit) == "commit:4b825dc642cb"
    assert text.reference_key("not a url") is None


def test_dependency_notices_are_short_and_about_components() -> None:
    notice = "Foo 1.2 updates its dependency 'bar' to v3.4 to include a security fix."
    assert text.is_dependency_notice(notice, len(text.words(notice)))
    assert not text.is_dependency_notice("Heap overflow in parse().", 3)


def test_possessives_are_the_word_itself() -> None:
    assert text.words("TKLite's convolution") == text.words("TKLite convolution")


def test_stack_exhaustion_is_its_own_class_but_a_stack_buffer_overflow_is_not() -> None:
    assert text.flaw_classes(text.words("a stack overflow due to a looping graph")) == (
        "deeprecursion",
    )
    assert text.flaw_classes(text.words("a stack-based buffer overflow in parse()")) == ("oob",)
    assert text.classes_conflict({"deeprecursion"}, {"intoverflow"})


def test_advisory_filler_and_plural_accesses() -> None:
    assert text.words("Quill 2.5.0 includes a fix. See the changelog.") == ["quill", "changelog"]
    assert text.flaw_classes(text.words("several out-of-bounds reads exist")) == ("oobread",)


def test_class_tokens_are_not_plain_words() -> None:
    # A "tree traversal" is no path traversal.
    assert text.flaw_classes(text.words("results of a tree traversal")) == ()
    assert text.flaw_classes(text.words("a directory traversal in save()")) == ("pathtraversal",)
