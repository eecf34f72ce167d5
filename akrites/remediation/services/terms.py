"""The maintainers' terms per project, the project's status, and screening reports against
the threat model before they reach the maintainers: at intake, before a case is opened
(``scope_screen``, intake's hook), and on demand for a case in triage (``screen_report``).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from akrites.access.policy import is_sirt, require
from akrites.accounts.actors import user_or_none
from akrites.audit.services import audit_append
from akrites.cases.models import Case, Status
from akrites.cases.services import case_transition
from akrites.core.actors import Actor, SystemActor
from akrites.core.clock import now
from akrites.core.errors import InvalidInput
from akrites.intake.hooks import ScopeAnswer, ScopeQuery
from akrites.intake.models import Report, ReportStatus
from akrites.intake.parsers import ParsedReport
from akrites.projects.models import Project
from akrites.remediation.models import ProjectStatus, ProjectTerms, RuleKind, ScopeRule
from akrites.remediation.services._common import logger
from akrites.remediation.vers import canonical_vers

CHANNEL_KINDS = ("platform", "email", "url", "github")
MAX_RULES = 200
_CWE = re.compile(r"CWE-[1-9][0-9]{0,5}")
# Screening answers as the platform, applying rules the maintainers published themselves.
SCREENER = SystemActor("remediation.screen")


@dataclass(frozen=True)
class RuleIn:
    kind: str
    pattern: str
    reason: str


@transaction.atomic
def terms_update(
    *,
    actor: Actor,
    project: Project,
    contact_channels: list[dict[str, str]],
    embargo_max_days: int | None,
    accepts_patches: bool,
    accepts_ai_patches: bool,
    supported_versions: str = "",
    repository: str = "",
    last_release_on: date | None = None,
    rules: list[RuleIn] | None = None,
) -> ProjectTerms:
    """Replace the project's terms (and, when ``rules`` is given, its threat model).

    All-or-nothing: every channel, the ``vers`` range, the repository and every rule are
    validated before anything is written. Local repository paths are for the SIRT only, so a
    maintainer cannot make the platform read the host's files.
    """
    require(actor, "terms.edit", project)
    channels = _channels(contact_channels)
    if embargo_max_days is not None and not 1 <= embargo_max_days <= 365:
        raise InvalidInput("embargo_max_days", "between 1 and 365 days")
    supported = _vers_or_blank(supported_versions)
    repo = _repository(actor, repository)
    if last_release_on is not None and last_release_on > now().date():
        raise InvalidInput("last_release_on", "must not be in the future")
    new_rules = _rules(rules) if rules is not None else None
    terms, _ = ProjectTerms.objects.get_or_create(project=project)
    terms.contact_channels = json.dumps(channels)
    terms.embargo_max_days = embargo_max_days
    terms.accepts_patches = accepts_patches
    terms.accepts_ai_patches = accepts_ai_patches
    terms.supported_versions = supported
    terms.repository = repo
    terms.last_release_on = last_release_on
    terms.updated_by = user_or_none(actor)
    terms.updated_at = now()
    terms.save()
    if new_rules is not None:
        terms.rules.all().delete()
        ScopeRule.objects.bulk_create(
            ScopeRule(terms=terms, kind=r.kind, pattern=r.pattern, reason=r.reason)
            for r in new_rules
        )
    audit_append(
        actor=actor,
        action="terms.edit",
        object_type="project",
        object_id=project.slug,
        data={
            "channels": [c["kind"] for c in channels],
            "embargo_max_days": embargo_max_days,
            "accepts_patches": accepts_patches,
            "accepts_ai_patches": accepts_ai_patches,
            "rules": len(new_rules) if new_rules is not None else None,
        },
    )
    return terms


def _channels(raw: list[dict[str, str]]) -> list[dict[str, str]]:
    channels = []
    for index, item in enumerate(raw):
        kind = str(item.get("kind", "")).strip()
        address = str(item.get("address", "")).strip()
        field = f"contact_channels.{index}"
        if kind not in CHANNEL_KINDS:
            raise InvalidInput(field, f"kind must be one of {', '.join(CHANNEL_KINDS)}")
        if kind == "email":
            try:
                validate_email(address)
            except ValidationError:
                raise InvalidInput(field, "not an e-mail address") from None
        elif kind in ("url", "github") and not address.startswith("https://"):
            raise InvalidInput(field, "an https:// address")
        channels.append({"kind": kind, "address": address[:300]})
    return channels


def _vers_or_blank(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    return canonical_vers(value, field="supported_versions")


def _repository(actor: Actor, value: str) -> str:
    value = value.strip()
    if not value or value.startswith("https://"):
        return value
    if value.startswith(("/", "file://")):
        if not (isinstance(actor, SystemActor) or is_sirt(actor)):
            raise InvalidInput("repository", "local repositories are configured by the SIRT")
        return value
    raise InvalidInput("repository", "an https:// URL (or, for the SIRT, a local path)")


def _rules(rules: list[RuleIn]) -> list[RuleIn]:
    if len(rules) > MAX_RULES:
        raise InvalidInput("rules", f"at most {MAX_RULES} rules")
    clean: list[RuleIn] = []
    seen: set[tuple[str, str]] = set()
    for index, rule in enumerate(rules):
        field = f"rules.{index}"
        pattern, reason = rule.pattern.strip(), rule.reason.strip()
        if rule.kind not in RuleKind.values:
            raise InvalidInput(field, f"kind must be one of {', '.join(RuleKind.values)}")
        if rule.kind == RuleKind.CWE:
            pattern = pattern.upper()
            if not _CWE.fullmatch(pattern):
                raise InvalidInput(field, "a CWE id such as CWE-400")
        if not pattern or len(pattern) > 300:
            raise InvalidInput(field, "a pattern of 1 to 300 characters")
        if not reason or len(reason) > 2000:
            raise InvalidInput(field, "a reason (told to the reporter) of 1 to 2000 characters")
        if (rule.kind, pattern) in seen:
            raise InvalidInput(field, "the same rule twice")
        seen.add((rule.kind, pattern))
        clean.append(RuleIn(rule.kind, pattern, reason))
    return clean


@transaction.atomic
def project_mark_status(
    *, actor: Actor, project: Project, status: str, reason: str
) -> ProjectTerms:
    """Mark the project active, archived or abandoned (the SIRT's call).

    An archived or abandoned critical project sends its unanswered cases straight to SIRT
    stewardship on the ladder's next tick.
    """
    require(actor, "project.mark_status", project)
    if status not in ProjectStatus.values:
        raise InvalidInput("status", f"one of {', '.join(ProjectStatus.values)}")
    if not reason.strip():
        raise InvalidInput("reason", "say why (e.g. the repository is archived)")
    terms, _ = ProjectTerms.objects.get_or_create(project=project)
    old = terms.status
    terms.status = status
    terms.updated_at = now()
    terms.save(update_fields=["status", "updated_at"])
    audit_append(
        actor=actor,
        action="project.mark_status",
        object_type="project",
        object_id=project.slug,
        data={"from": old, "to": status},
    )
    return terms


@dataclass(frozen=True)
class ScopeFacts:
    """What scope rules look at in a report: CWE ids, lower-cased text, file paths."""

    cwes: frozenset[str]
    text: str
    paths: tuple[str, ...]


def _facts(parsed: ParsedReport) -> ScopeFacts:
    return ScopeFacts(
        cwes=frozenset(c.upper() for c in parsed.cwe),
        text=f"{parsed.title}\n{parsed.description}".lower(),
        paths=tuple(loc.file for loc in parsed.locations if loc.file),
    )


def _stored_facts(report: Report) -> ScopeFacts:
    """The facts of a stored report, from its normalised details (title and body as stored)."""
    try:
        details = json.loads(report.details or "{}")
    except ValueError:
        details = {}
    return ScopeFacts(
        cwes=frozenset(str(c).upper() for c in details.get("cwe") or []),
        text=f"{report.title}\n{report.body}".lower(),
        paths=tuple(
            str(loc["file"])
            for loc in details.get("locations") or []
            if isinstance(loc, dict) and loc.get("file")
        ),
    )


def rule_matches(rule: ScopeRule, facts: ScopeFacts) -> bool:
    if rule.kind == RuleKind.CWE:
        return rule.pattern in facts.cwes
    if rule.kind == RuleKind.KEYWORD:
        return rule.pattern.lower() in facts.text
    if rule.kind == RuleKind.PATH:
        return any(fnmatch.fnmatchcase(p.lstrip("./"), rule.pattern) for p in facts.paths)
    return False


def _first_match(rules: list[ScopeRule], reports: list[ScopeFacts]) -> ScopeRule | None:
    """The rule answering a case: every report must match one (the first report's wins);
    None for a case without reports."""
    matched: ScopeRule | None = None
    for facts in reports:
        rule = next((r for r in rules if rule_matches(r, facts)), None)
        if rule is None:
            return None
        matched = matched or rule
    return matched


def _reason(project: Project, rule: ScopeRule) -> str:
    return (
        f"Out of scope for {project.name} by the maintainers' published threat model "
        f"({rule.get_kind_display()} {rule.pattern}): {rule.reason}"
    )


def scope_screen(*, queries: Sequence[ScopeQuery]) -> list[ScopeAnswer | None]:
    """Intake's question (``intake.hooks.scope_screen``), asked before it opens any case:
    which cases-to-be the maintainers' threat model puts out of scope.

    One query finds the rules of every project asked about, so a batch costs the same
    whatever its size (none for an empty batch). Writes nothing: intake records the answer on
    the reports (``rejected``, with the rule's reason for the reporter) and opens no case.
    """
    if not queries:
        return []
    rules: dict[int, list[ScopeRule]] = {}
    project_ids = {q.project_id for q in queries}
    for rule in ScopeRule.objects.filter(terms__project_id__in=project_ids).select_related(
        "terms__project"
    ):
        rules.setdefault(rule.terms.project_id, []).append(rule)
    answers: list[ScopeAnswer | None] = []
    for query in queries:
        project_rules = rules.get(query.project_id)
        matched = (
            _first_match(project_rules, [_facts(r) for r in query.reports])
            if project_rules
            else None
        )
        answers.append(
            ScopeAnswer(matched.pk, matched.kind, _reason(matched.terms.project, matched))
            if matched
            else None
        )
    return answers


def screen_report(*, case: Case) -> ScopeRule | None:
    """Screen one case in triage against its project's threat model (for the SIRT's triage).

    A case whose every report matches a rule is rejected (``reject``) by the platform with
    the rule's reason, which the reporter reads in the case timeline; its reports become
    ``rejected``. Returns the rule that answered it, or None when the case goes on to the
    maintainers (or is no longer in triage).
    """
    with transaction.atomic():
        if case.status != Status.TRIAGE:
            return None
        reports = list(Report.objects.filter(case=case).order_by("created_at", "id"))
        rules = list(ScopeRule.objects.filter(terms__project_id=case.project_id))
        matched = _first_match(rules, [_stored_facts(r) for r in reports])
        if matched is None:
            return None
        _reject(case, matched)
        return matched


def _reject(case: Case, rule: ScopeRule) -> None:
    case_transition(actor=SCREENER, case=case, name="reject", reason=_reason(case.project, rule))
    Report.objects.filter(case=case).update(status=ReportStatus.REJECTED, updated_at=now())
    audit_append(
        actor=SCREENER,
        action="remediation.screen",
        object_type="case",
        object_id=case.human_id,
        data={"rule": rule.pk, "kind": rule.kind},
    )
    logger.info("case %s answered from the threat model (rule %s)", case.human_id, rule.pk)
