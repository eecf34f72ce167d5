"""The OSV query language (https://google.github.io/osv.dev/post-v1-query/) over published
advisories only.

A query names a package — ``{ecosystem, name}`` or ``{purl}`` — with an optional version (in
``version`` or inside the purl, not both), or a ``commit``. Packages are compared by canonical
purl, so ``{"ecosystem": "PyPI", "name": "YamlKit"}`` and ``pkg:pypi/yamlkit`` are the same
package; versions are compared with univers against the advisory's ``vers`` range. Commits
match the commits an advisory names as affected (the ``introduced``/``last_affected`` events
of its GIT ranges): we do not clone repositories to walk history, as osv.dev does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from akrites.core.errors import InvalidInput
from akrites.disclosure.models import PublicAdvisory, PublicAffected, PublicCommit
from akrites.disclosure.ranges import check_version_for, purl_for, version_affected
from akrites.intake.parsers.common import VERS_SCHEMES, VERSION_RE, purl_from_string
from akrites.intake.parsers.osv import ECOSYSTEM_PURL

MAX_BATCH = 1000
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Query:
    purl: str | None = None  # canonical, without version
    version: str | None = None
    commit: str | None = None


def _str(obj: dict[str, Any], key: str, path: str) -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 1000:
        raise InvalidInput(f"{path}{key}", "must be a string")
    return value.strip()


def parse_query(data: Any, path: str = "") -> Query:
    """Validate one OSV query; raises InvalidInput with the offending field's path."""
    if not isinstance(data, dict):
        raise InvalidInput(path or "query", "must be an object")
    commit = _str(data, "commit", path)
    version = _str(data, "version", path)
    package = data.get("package")
    if commit is not None:
        if version is not None or package:
            raise InvalidInput(f"{path}commit", "a commit query takes no package or version")
        commit = commit.lower()
        if not _COMMIT.match(commit):
            raise InvalidInput(f"{path}commit", "must be a full 40-hex commit hash")
        return Query(commit=commit)
    if not isinstance(package, dict):
        raise InvalidInput(f"{path}package", "name a package (ecosystem and name, or purl)")
    purl, purl_version = _package(package, f"{path}package.")
    if purl_version is not None:
        if version is not None:
            raise InvalidInput(f"{path}version", "give the version in the purl or here, not both")
        version = purl_version
    if version is not None:
        _check_version(purl, version, f"{path}version")
    return Query(purl=purl, version=version)


def _package(package: dict[str, Any], path: str) -> tuple[str, str | None]:
    given = _str(package, "purl", path)
    if given is not None:
        if package.get("ecosystem") or package.get("name"):
            raise InvalidInput(f"{path}purl", "give a purl or an ecosystem and name, not both")
        parsed = purl_from_string(given, f"{path}purl")
        version = parsed.version
        bare = parsed._replace(version=None, qualifiers=None, subpath=None)
        return str(bare.to_string()), version
    ecosystem = _str(package, "ecosystem", path)
    name = _str(package, "name", path)
    if ecosystem is None or name is None:
        raise InvalidInput(f"{path}ecosystem", "ecosystem and name are both required")
    if ecosystem.split(":", 1)[0] not in ECOSYSTEM_PURL:
        raise InvalidInput(f"{path}ecosystem", "unknown ecosystem")
    purl = purl_for(ecosystem, name)
    if purl is None:
        raise InvalidInput(f"{path}name", "is not a valid package name for this ecosystem")
    return str(purl_from_string(purl, f"{path}name").to_string()), None


def _check_version(purl: str, version: str, path: str) -> None:
    ptype = purl[4:].split("/", 1)[0]
    if ptype in VERS_SCHEMES:
        try:
            check_version_for(ptype, version)
        except InvalidInput:
            raise InvalidInput(path, "is not a valid version for this ecosystem") from None
    elif not VERSION_RE.match(version):
        raise InvalidInput(path, "is not a valid version")


def run_query(query: Query) -> list[PublicAdvisory]:
    """Published advisories matching ``query``, newest first."""
    if query.commit is not None:
        ids = PublicCommit.objects.filter(commit=query.commit).values_list("public_id", flat=True)
        return list(PublicAdvisory.objects.filter(pk__in=ids).order_by("-published_at"))
    matched: set[int] = set()
    for row in PublicAffected.objects.filter(purl=query.purl):
        if query.version is None or (row.vers and version_affected(row.vers, query.version)):
            matched.add(row.public_id)
    return list(PublicAdvisory.objects.filter(pk__in=matched).order_by("-published_at"))


def parse_batch(data: Any) -> list[Query]:
    if not isinstance(data, dict) or not isinstance(data.get("queries"), list):
        raise InvalidInput("queries", "must be a list of queries")
    queries = data["queries"]
    if len(queries) > MAX_BATCH:
        raise InvalidInput("queries", f"at most {MAX_BATCH} queries per batch")
    return [parse_query(q, f"queries[{i}].") for i, q in enumerate(queries)]
