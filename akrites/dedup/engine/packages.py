"""Package keys and package families.

A *package key* (``"pypi/jw-util"``) names exactly one package: two reports can only be
duplicates when their keys are equal. A *package family* (``"pypi/tensorflow"`` for
``tensorflow-gpu`` and ``tensorflow-cpu``) groups build variants and plug-ins of one project:
it is the blocking key for candidate generation, and a match inside the family but across
keys is reported as *related*, never as a duplicate (each variant gets its own advisory).
"""

from __future__ import annotations

import re

from packageurl import PackageURL


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# OSV ecosystem names -> purl types, so that "PyPI/django" and "pkg:pypi/django" agree.
_ECOSYSTEM_TO_TYPE = {
    "pypi": "pypi",
    "npm": "npm",
    "crates.io": "cargo",
    "cargo": "cargo",
    "go": "golang",
    "golang": "golang",
    "maven": "maven",
    "rubygems": "gem",
    "gem": "gem",
    "nuget": "nuget",
    "packagist": "composer",
    "composer": "composer",
    "hex": "hex",
    "pub": "pub",
}

# Words that name a build flavour or release channel of the same code, not another project.
# This is a rule about how packagers name variants, not a list of packages.
_VARIANT_WORDS = _word_set(
    "cpu gpu nightly cuda rocm headless binary bin lite slim full noarch dev preview"
)
_VARIANT_TOKEN = re.compile(r"^(?:cu\d{2,3}|cuda\d+|py\d+|x86|x64|amd64|arm64|win32|win64|\d+)$")
# "<project>-providers-<x>", "<project>-plugin-<x>": plug-ins shipped by the project itself.
_PLUGIN_INFIX = re.compile(r"^(.+?)-(?:providers?|plugins?|contrib|extensions?)-.+$")


def ecosystem_type(ecosystem: str | None) -> str:
    """purl type for an OSV ecosystem name; unknown names are lower-cased, empty is "generic"."""
    eco = (ecosystem or "").strip().lower().split(":", 1)[0]
    return _ECOSYSTEM_TO_TYPE.get(eco, eco or "generic")


def normalise_name(kind: str, name: str) -> str:
    """Canonical package name: PEP 503 for PyPI, lower-case elsewhere."""
    name = name.strip()
    if kind == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    return name.lower()


def package_key(package: str | None, ecosystem: str | None = None) -> str | None:
    """``"<purl type>/<normalised name>"`` for a purl, ``eco/name`` string or bare name.

    Returns ``None`` when there is no package at all; such reports are compared only through
    identifiers, fingerprints and global text sketches.
    """
    if not package or not package.strip():
        return None
    package = package.strip()
    if package.startswith("pkg:"):
        try:
            purl = PackageURL.from_string(package)
        except ValueError:
            return None
        name = f"{purl.namespace}/{purl.name}" if purl.namespace else purl.name
        return f"{purl.type}/{normalise_name(purl.type, name)}"
    kind = ecosystem_type(ecosystem)
    if ecosystem is None and "/" in package:
        head, rest = package.split("/", 1)
        if head.lower() in _ECOSYSTEM_TO_TYPE:
            kind, package = ecosystem_type(head), rest
    return f"{kind}/{normalise_name(kind, package)}"


def package_family(key: str | None) -> str | None:
    """The family of a package key: variant suffixes and plug-in infixes folded away.

    ``pypi/tensorflow-gpu`` -> ``pypi/tensorflow``; ``pypi/apache-airflow-providers-http`` ->
    ``pypi/apache-airflow``; a name made only of variant words keeps its first word.
    """
    if key is None:
        return None
    kind, _, name = key.partition("/")
    plugin = _PLUGIN_INFIX.match(name)
    if plugin:
        name = plugin.group(1)
    parts = re.split(r"[-_.]", name)
    while len(parts) > 1 and (parts[-1] in _VARIANT_WORDS or _VARIANT_TOKEN.match(parts[-1])):
        parts.pop()
    return f"{kind}/{'-'.join(parts)}"
