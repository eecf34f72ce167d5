"""SARIF 2.1.0 logs → one ``ParsedReport`` per result.

Validation is structural and by hand (the official schema is ~3,000 lines of draft-04 that
would cost more than the parse and still not check references between objects): every member
we read must have the right shape, every index must point at something, and errors name the
SARIF path (``runs[0].results[3].ruleIndex``). Members we do not read are ignored, as SARIF
consumers are expected to.

SARIF has no standard member for the scanned package, so it comes from ``runs[i].properties
.purl`` or, failing that, from the submitter's ``default_purl``.
"""

from __future__ import annotations

import re
from typing import NamedTuple, cast

from akrites.core.errors import InvalidInput

from . import jsonutil as j
from .akrites_json import cap_frames
from .common import (
    MAX_DESCRIPTION_CHARS,
    MAX_FINGERPRINTS,
    MAX_FRAME_CHARS,
    MAX_LOCATIONS,
    MAX_SHORT_CHARS,
    clip,
    cwe_or_none,
    derive_title,
    identifier_or_none,
    normalise_purl,
    unique,
)
from .model import JSONValue, Location, PackageRef, ParsedReport, Tool

MAX_RUNS = 100
MAX_RESULTS = 1_000  # each result becomes a report; more than this is a scan dump, not a report
MAX_RULES = 20_000
_TEXT_MAX = MAX_DESCRIPTION_CHARS
# CodeQL writes "external/cwe/cwe-079", others "CWE-79" or "CWE-79: Improper …".
_CWE_TAG_RE = re.compile(r"(?i)^(?:external/cwe/)?cwe-([0-9]{1,7})\b")
_PLACEHOLDER_RE = re.compile(r"\{([0-9]{1,3})\}")
# Results that record a check passing or not applying are not findings.
_NOT_FINDINGS = frozenset({"pass", "notApplicable"})


class _Rule(NamedTuple):
    id: str
    obj: dict[str, object]
    path: str


class _Run:
    """What the results of one run share: its rules, artifacts, tool and package."""

    def __init__(self, run: dict[str, object], ri: int, default_purl: str | None) -> None:
        path = j.index("runs", ri)
        self.index, self.path = ri, path
        tool = j.as_object(run.get("tool"), j.join(path, "tool"))
        tpath = j.join(path, "tool")
        driver = j.as_object(tool.get("driver"), j.join(tpath, "driver"))
        self.components = [driver] + [
            j.as_object(v, j.index(j.join(tpath, "extensions"), i))
            for i, v in enumerate(j.opt_list(tool, "extensions", tpath, max_items=100))
        ]
        self.rules = [self._rules(c, i) for i, c in enumerate(self.components)]
        # First definition wins when a tool repeats an id.
        self.rules_by_id = [{r.id: r for r in reversed(rules)} for rules in self.rules]
        dpath = j.join(tpath, "driver")
        name = j.req_str(driver, "name", dpath, max_len=MAX_SHORT_CHARS).strip()
        version = j.opt_str(driver, "semanticVersion", dpath, max_len=100) or j.opt_str(
            driver, "version", dpath, max_len=100
        )
        self.tool = Tool(name=name, version=version)
        self.artifacts = j.opt_list(run, "artifacts", path, max_items=100_000)
        self.logical = j.opt_list(run, "logicalLocations", path, max_items=100_000)
        self.taxonomies = j.opt_list(run, "taxonomies", path, max_items=100)
        props = j.opt_object(run, "properties", path) or {}
        own = j.opt_str(props, "purl", j.join(path, "properties"), max_len=1000)
        purl_path = j.join(j.join(path, "properties"), "purl")
        self.purl = normalise_purl(own, purl_path) if own is not None else default_purl

    def _rules(self, component: dict[str, object], ci: int) -> list[_Rule]:
        cpath = self._component_path(ci)
        rules: list[_Rule] = []
        for i, value in enumerate(j.opt_list(component, "rules", cpath, max_items=MAX_RULES)):
            rpath = j.index(j.join(cpath, "rules"), i)
            rule = j.as_object(value, rpath)
            rule_id = j.req_str(rule, "id", rpath, max_len=MAX_SHORT_CHARS)
            rules.append(_Rule(rule_id, rule, rpath))
        return rules

    def _component_path(self, ci: int) -> str:
        tpath = j.join(self.path, "tool")
        return j.join(tpath, "driver") if ci == 0 else j.index(j.join(tpath, "extensions"), ci - 1)

    def rule_for(self, res: dict[str, object], path: str) -> _Rule | None:
        """Resolve ``ruleIndex`` / ``rule`` / ``ruleId`` to a rule, in that order of trust."""
        ci, rule_id = 0, None
        index, index_path = j.opt_index(res, "ruleIndex", path), j.join(path, "ruleIndex")
        ref = j.opt_object(res, "rule", path)
        if ref is not None:
            rpath = j.join(path, "rule")
            rule_id = j.opt_str(ref, "id", rpath, max_len=MAX_SHORT_CHARS)
            if index is None:
                index, index_path = j.opt_index(ref, "index", rpath), j.join(rpath, "index")
            comp = j.opt_object(ref, "toolComponent", rpath)
            cindex = j.opt_index(comp, "index", j.join(rpath, "toolComponent")) if comp else None
            if cindex is not None:
                ci = cindex + 1  # toolComponent indices count run.tool.extensions
                if ci >= len(self.components):
                    raise InvalidInput(j.join(rpath, "toolComponent"), "names no extension")
        rules = self.rules[ci]
        if index is not None:
            if index >= len(rules):
                raise InvalidInput(index_path, "names no rule")
            return rules[index]
        rule_id = rule_id or j.opt_str(res, "ruleId", path, max_len=MAX_SHORT_CHARS)
        if rule_id is None:
            return None
        by_id = self.rules_by_id[ci]
        # Hierarchical ids ("CA2000/1") fall back to their base rule.
        return by_id.get(rule_id) or by_id.get(rule_id.split("/", 1)[0])


def parse_sarif(doc: object, *, default_purl: str | None) -> list[ParsedReport]:
    """Validate a SARIF 2.1.0 log; return one report per finding (results of kind ``pass``
    and ``notApplicable`` are skipped). ``default_purl`` must already be normalised.

    Raises ``InvalidInput`` with the SARIF path of the first bad member, ``("runs", …)`` when
    the log holds no findings or more than ``MAX_RESULTS`` results, and ``("package.purl", …)``
    when a run with findings has no package and no ``default_purl`` was given.
    """
    obj = j.as_object(doc, "")
    if obj.get("version") != "2.1.0":
        raise InvalidInput("version", "must be 2.1.0")
    if "runs" not in obj:
        raise InvalidInput("runs", "is required")
    reports: list[ParsedReport] = []
    seen = 0
    for ri, value in enumerate(j.as_list(obj["runs"], "runs", max_items=MAX_RUNS)):
        path = j.index("runs", ri)
        run_obj = j.as_object(value, path)
        run = _Run(run_obj, ri, default_purl)
        results = j.opt_list(run_obj, "results", path, max_items=MAX_RESULTS)
        seen += len(results)
        if seen > MAX_RESULTS:
            raise InvalidInput("runs", f"must hold at most {MAX_RESULTS} results")
        for i, rvalue in enumerate(results):
            rpath = j.index(j.join(path, "results"), i)
            report = _result(run, j.as_object(rvalue, rpath), rpath)
            if report is not None:
                reports.append(report)
    if not reports:
        raise InvalidInput("runs", "contain no results to report")
    return reports


def _result(run: _Run, res: dict[str, object], path: str) -> ParsedReport | None:
    kind = j.opt_str(res, "kind", path, max_len=40) or "fail"
    if kind in _NOT_FINDINGS:
        return None
    rule = run.rule_for(res, path)
    rule_id = j.opt_str(res, "ruleId", path, max_len=MAX_SHORT_CHARS) or (rule.id if rule else None)
    message = _message(res, rule, j.join(path, "message"))
    if run.purl is None:
        raise InvalidInput("package.purl", "the SARIF log names no package; give default_purl")
    rule_text = [_text(rule.obj, key) for key in ("fullDescription", "help")] if rule else []
    description = "\n\n".join(t for t in [message, *rule_text] if t)
    title = (
        derive_title(_text(rule.obj, "shortDescription") if rule else "")
        or derive_title(message)
        or derive_title(rule_id or "")
        or "SARIF result"
    )
    frames, omitted = cap_frames(_frames(run, res, path))
    extra: dict[str, JSONValue] = {
        "rule_id": rule_id,
        "level": j.opt_str(res, "level", path, max_len=40) or "warning",
        "kind": kind,
        "run_index": run.index,
    }
    rule_props = (j.opt_object(rule.obj, "properties", rule.path) if rule else None) or {}
    if isinstance(rule_props.get("security-severity"), str | int | float):
        extra["security_severity"] = cast(JSONValue, rule_props["security-severity"])
    if j.opt_list(res, "suppressions", path):
        extra["suppressed"] = True
    if omitted:
        extra["truncated"] = {"stack_trace": omitted}
    ident = identifier_or_none(rule_id or "")
    return ParsedReport(
        title=title,
        source_format="sarif",
        description=clip(description, MAX_DESCRIPTION_CHARS),
        package=PackageRef(purl=run.purl),
        cwe=tuple(_cwes(run, res, rule, path)),
        locations=tuple(
            loc
            for i, v in enumerate(j.opt_list(res, "locations", path)[:MAX_LOCATIONS])
            if (loc := _location(run, v, j.index(j.join(path, "locations"), i))) is not None
        ),
        stack_trace=frames,
        identifiers=(ident,) if ident and ident.startswith(("CVE-", "GHSA-")) else (),
        fingerprints=_fingerprints(res, path),
        tool=run.tool,
        extra=extra,
    )


def _text(obj: dict[str, object] | None, key: str) -> str:
    """``obj[key].text`` of a multiformatMessageString, or ""."""
    if obj is None or not isinstance(obj.get(key), dict):
        return ""
    text = cast(dict[str, object], obj[key]).get("text")
    return text if isinstance(text, str) else ""


def _message(res: dict[str, object], rule: _Rule | None, path: str) -> str:
    """The message text, looked up in the rule's ``messageStrings`` when only an id is given,
    with ``{n}`` placeholders replaced by ``arguments``."""
    msg = j.as_object(res.get("message"), path)
    text = j.opt_str(msg, "text", path, max_len=_TEXT_MAX, allow_empty=True)
    if text is None:
        msg_id = j.opt_str(msg, "id", path, max_len=MAX_SHORT_CHARS)
        strings = (j.opt_object(rule.obj, "messageStrings", rule.path) if rule else None) or {}
        text = _text(strings, msg_id) if msg_id else ""
        if not text:
            raise InvalidInput(path, "needs text, or an id the rule defines")
    args = [a for a, _ in j.each_str(msg, "arguments", path, max_items=100, max_len=_TEXT_MAX)]

    def fill(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return args[n] if n < len(args) else match.group(0)

    return _PLACEHOLDER_RE.sub(fill, text) if args else text


def _location(run: _Run, value: object, path: str) -> Location | None:
    loc = j.as_object(value, path)
    file: str | None = None
    line: int | None = None
    phys = j.opt_object(loc, "physicalLocation", path)
    if phys is not None:
        ppath = j.join(path, "physicalLocation")
        art = j.opt_object(phys, "artifactLocation", ppath)
        if art is not None:
            file = _uri(run, art, j.join(ppath, "artifactLocation"))
        region = j.opt_object(phys, "region", ppath)
        if region is not None:
            line = j.opt_int(region, "startLine", j.join(ppath, "region"), minimum=1)
    function = None
    for i, lvalue in enumerate(j.opt_list(loc, "logicalLocations", path, max_items=100)):
        lpath = j.index(j.join(path, "logicalLocations"), i)
        logical = j.as_object(lvalue, lpath)
        lindex = j.opt_index(logical, "index", lpath)
        if lindex is not None:
            if lindex >= len(run.logical):
                raise InvalidInput(j.join(lpath, "index"), "names no logical location")
            logical = j.as_object(run.logical[lindex], j.index("logicalLocations", lindex))
        function = j.opt_str(
            logical, "fullyQualifiedName", lpath, max_len=MAX_SHORT_CHARS
        ) or j.opt_str(logical, "name", lpath, max_len=MAX_SHORT_CHARS)
        if function:
            break
    if file is None and function is None:
        return None
    return Location(file=file, line=line, function=function)


def _uri(run: _Run, art: dict[str, object], path: str) -> str | None:
    uri = j.opt_str(art, "uri", path, max_len=MAX_SHORT_CHARS)
    aindex = j.opt_index(art, "index", path)
    if uri is None and aindex is not None:
        if aindex >= len(run.artifacts):
            raise InvalidInput(j.join(path, "index"), "names no artifact")
        artifact = j.as_object(run.artifacts[aindex], j.index("artifacts", aindex))
        inner = j.opt_object(artifact, "location", j.index("artifacts", aindex)) or {}
        uri = j.opt_str(inner, "uri", j.index("artifacts", aindex), max_len=MAX_SHORT_CHARS)
    return uri


def _frames(run: _Run, res: dict[str, object], path: str) -> list[str]:
    """Code flows, then stacks, as "file:line in function" lines (bounded before capping)."""
    frames: list[str] = []
    for fi, flow in enumerate(j.opt_list(res, "codeFlows", path, max_items=100)):
        fpath = j.index(j.join(path, "codeFlows"), fi)
        flow_obj = j.as_object(flow, fpath)
        for ti, thread in enumerate(j.opt_list(flow_obj, "threadFlows", fpath, max_items=100)):
            tpath = j.index(j.join(fpath, "threadFlows"), ti)
            thread_obj = j.as_object(thread, tpath)
            for li, tfl in enumerate(j.opt_list(thread_obj, "locations", tpath)):
                lpath = j.index(j.join(tpath, "locations"), li)
                inner = j.opt_object(j.as_object(tfl, lpath), "location", lpath)
                frames += _frame(run, inner, j.join(lpath, "location"))
    for si, stack in enumerate(j.opt_list(res, "stacks", path, max_items=100)):
        spath = j.index(j.join(path, "stacks"), si)
        for ki, frame in enumerate(j.opt_list(j.as_object(stack, spath), "frames", spath)):
            kpath = j.index(j.join(spath, "frames"), ki)
            inner = j.opt_object(j.as_object(frame, kpath), "location", kpath)
            frames += _frame(run, inner, j.join(kpath, "location"))
    return frames


def _frame(run: _Run, loc: dict[str, object] | None, path: str) -> list[str]:
    where = _location(run, loc, path) if loc is not None else None
    if where is None:
        return []
    text = f"{where.file or '?'}:{where.line}" if where.line else (where.file or "?")
    if where.function:
        text += f" in {where.function}"
    return [clip(text, MAX_FRAME_CHARS)]


def _cwes(run: _Run, res: dict[str, object], rule: _Rule | None, path: str) -> list[str]:
    """CWE ids from tags and from taxa relationships. These are scanner metadata, so an id the
    catalogue does not know is dropped, not an error (see the format docs)."""
    candidates: list[str] = []
    owners = [(res, path)] + ([(rule.obj, rule.path)] if rule else [])
    for owner, opath in owners:
        props = j.opt_object(owner, "properties", opath) or {}
        ppath = j.join(opath, "properties")
        for tag, _ in j.each_str(props, "tags", ppath, max_items=200, max_len=MAX_SHORT_CHARS):
            if match := _CWE_TAG_RE.match(tag.strip()):
                candidates.append(f"CWE-{match.group(1)}")
    refs = list(j.opt_list(res, "taxa", path, max_items=200))
    if rule is not None:
        rels = j.opt_list(rule.obj, "relationships", rule.path, max_items=200)
        refs += [r.get("target") for r in rels if isinstance(r, dict)]
    for ref in refs:
        if isinstance(ref, dict) and _is_cwe_taxonomy(run, ref.get("toolComponent")):
            target = ref.get("id")
            if isinstance(target, str):
                candidates.append(target if target.upper().startswith("CWE-") else f"CWE-{target}")
    return unique(c for c in (cwe_or_none(x) for x in candidates[:200]) if c)


def _is_cwe_taxonomy(run: _Run, comp: object) -> bool:
    if not isinstance(comp, dict):
        return False
    name = comp.get("name")
    index = comp.get("index")
    if name is None and isinstance(index, int) and 0 <= index < len(run.taxonomies):
        taxonomy = run.taxonomies[index]
        name = taxonomy.get("name") if isinstance(taxonomy, dict) else None
    return isinstance(name, str) and name.upper() == "CWE"


def _fingerprints(res: dict[str, object], path: str) -> tuple[str, ...]:
    """``partialFingerprints`` as sorted "key:value" strings (dedup compares them)."""
    fps = j.opt_object(res, "partialFingerprints", path) or {}
    fpath = j.join(path, "partialFingerprints")
    return tuple(
        f"{key}:{j.as_str(fps[key], fpath, max_len=MAX_SHORT_CHARS)}"
        for key in sorted(fps)[:MAX_FINGERPRINTS]
    )
