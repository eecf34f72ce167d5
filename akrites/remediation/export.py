"""The accepted fix, exported for the originating project.

``fix_export`` builds a ``git format-patch``-style mailbox (``git am`` applies it) and a plain
patch file. The commit message credits the finders — first finder first (``credit_rank``,
then arrival), anonymous credit honoured — with ``Reported-by`` trailers, the proposer's
co-developers with ``Co-developed-by`` and approving reviewers with ``Reviewed-by``.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.header import Header
from email.utils import format_datetime, formataddr

from django.db.models import F, Q
from unidiff.patch import PatchSet

from akrites.access.policy import require
from akrites.cases.models import Case
from akrites.core.actors import Actor
from akrites.core.errors import Conflict
from akrites.intake.models import Report
from akrites.remediation.conf import remediation_policy
from akrites.remediation.models import PatchProposal, ReviewVerdict
from akrites.remediation.selectors import canonical_patch

ANONYMOUS = "an anonymous finder"
ZERO_SHA = "0" * 40


@dataclass(frozen=True)
class FixExport:
    case_id: str
    patch_id: str
    mbox: str
    patch: str

    @property
    def basename(self) -> str:
        return f"{self.case_id}-{self.patch_id}".lower()


def finder_credits(case: Case) -> list[str]:
    """Finders of ``case`` and of its duplicates, first finder first, anonymous honoured."""
    reports = (
        Report.objects.filter(Q(case=case) | Q(case__duplicate_of=case))
        .select_related("reporter")
        .order_by(F("credit_rank").asc(nulls_last=True), "created_at", "id")
    )
    names: list[str] = []
    for report in reports:
        if report.credit_anonymous:
            name = ANONYMOUS
        elif report.credit_name:
            name = report.credit_name
        elif report.reporter is not None:
            name = report.reporter.get_full_name() or report.reporter.get_username()
        else:
            name = ANONYMOUS
        name = " ".join(name.split())  # one line, whatever the reporter typed
        if name and name not in names:
            names.append(name)
    return names


def _author(patch: PatchProposal) -> tuple[str, str]:
    policy = remediation_policy()
    if patch.author_role == "sirt" or patch.author is None:
        return policy.sirt_author_name, policy.sirt_author_email
    user = patch.author
    name = user.get_full_name() or user.get_username()
    email = user.email or f"{user.get_username()}@users.noreply.akrites.invalid"
    return name, email


def _trailers(case: Case, patch: PatchProposal) -> list[str]:
    lines = [f"Reported-by: {name}" for name in finder_credits(case)]
    lines += [f"Co-developed-by: {c}" for c in patch.co_developers.splitlines() if c.strip()]
    reviewers = []
    for review in patch.reviews.filter(verdict=ReviewVerdict.APPROVE):
        if review.reviewer_label not in reviewers:
            reviewers.append(review.reviewer_label)
    lines += [f"Reviewed-by: {r}" for r in reviewers]
    return lines


def _diffstat(diff: str) -> str:
    files = list(PatchSet(diff))
    width = max((len(f.path) for f in files), default=0)
    rows = [
        f" {f.path.ljust(width)} | {f.added + f.removed} {'+' * f.added}{'-' * f.removed}"
        for f in files
    ]
    added = sum(f.added for f in files)
    removed = sum(f.removed for f in files)
    summary = f" {len(files)} file{'s' if len(files) != 1 else ''} changed"
    if added:
        summary += f", {added} insertion{'s' if added != 1 else ''}(+)"
    if removed:
        summary += f", {removed} deletion{'s' if removed != 1 else ''}(-)"
    return "\n".join([*rows, summary])


def _header(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def build_mbox(case: Case, patch: PatchProposal) -> str:
    name, email = _author(patch)
    body = patch.message.strip()
    trailers = "\n".join(_trailers(case, patch))
    message = "\n\n".join(part for part in (body, trailers) if part)
    return (
        f"From {ZERO_SHA} Mon Sep 17 00:00:00 2001\n"
        f"From: {formataddr((name, email))}\n"
        f"Date: {format_datetime(patch.created_at)}\n"
        f"Subject: {_header('[PATCH] ' + patch.title)}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        f"{message}\n"
        "---\n"
        f"{_diffstat(patch.diff)}\n"
        "\n"
        f"{patch.diff}"
        "-- \n"
        "Akrites\n"
        "\n"
    )


def fix_export(*, viewer: Actor, case: Case) -> FixExport:
    """The canonical fix of ``case`` as a mailbox and a patch file (maintainers and SIRT).

    Raises NotFound/PermissionDenied (policy) and Conflict when no fix has been chosen.
    """
    require(viewer, "fix.export", case)
    patch = canonical_patch(case)
    if patch is None:
        raise Conflict("no canonical fix has been chosen for this case")
    return FixExport(
        case_id=case.human_id,
        patch_id=patch.public_id,
        mbox=build_mbox(case, patch),
        patch=patch.diff,
    )
