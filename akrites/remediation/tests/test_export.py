import pytest

from akrites.core.errors import Conflict, PermissionDenied
from akrites.remediation.export import ANONYMOUS, finder_credits, fix_export
from akrites.remediation.services import patch_choose, patch_propose, patch_review
from akrites.remediation.tests.conftest import GOOD_DIFF, git


def _canonical(case, author, maintainer, **extra):
    patch = patch_propose(
        actor=author,
        case=case,
        title="yamlkit: disable entity expansion by default",
        diff=GOOD_DIFF,
        message="Entity expansion let a small document allocate gigabytes.",
        **extra,
    )
    patch_review(actor=maintainer, case=case, patch_id=patch.public_id, verdict="approve")
    return patch_choose(actor=maintainer, case=case, patch_id=patch.public_id)


def test_mbox_applies_with_git_am(acknowledged, reporter, maintainer, repo):
    reporter.first_name, reporter.last_name, reporter.email = "Ada", "Finder", "ada@example.org"
    reporter.save()
    _canonical(acknowledged, reporter, maintainer, co_developers="Bo Helper <bo@example.org>")
    export = fix_export(viewer=maintainer, case=acknowledged)
    assert export.patch == GOOD_DIFF
    mbox = repo.parent / "fix.mbox"
    mbox.write_text(export.mbox)
    git("am", "--quiet", str(mbox), cwd=repo)
    log = git("log", "-1", "--format=%an <%ae>%n%s%n%b", cwd=repo)
    assert log.startswith("Ada Finder <ada@example.org>\nyamlkit: disable entity expansion")
    assert "Reported-by: Ada Finder" in log
    assert "Co-developed-by: Bo Helper <bo@example.org>" in log
    assert "Reviewed-by: maintainer" in log
    assert "entities=False" in (repo / "yamlkit" / "loader.py").read_text()


def test_plain_patch_applies_with_git_apply(acknowledged, reporter, maintainer, repo):
    _canonical(acknowledged, reporter, maintainer)
    path = repo.parent / "fix.patch"
    path.write_text(fix_export(viewer=maintainer, case=acknowledged).patch)
    git("apply", str(path), cwd=repo)


def test_credits_first_finder_first_and_anonymous_honoured(acknowledged, reporter, system):
    from akrites.intake.models import Report
    from akrites.intake.services import report_create

    first = acknowledged.reports.get()
    first.credit_name = "Ada Finder"
    first.save()
    later = report_create(actor=system, title="same bug", body="b", purl="pkg:pypi/yamlkit")
    Report.objects.filter(pk=later.pk).update(
        case=acknowledged, credit_rank=2, credit_anonymous=True
    )
    third = report_create(actor=system, title="again", body="b", purl="pkg:pypi/yamlkit")
    Report.objects.filter(pk=third.pk).update(case=acknowledged, credit_rank=3, credit_name="Cy")
    assert finder_credits(acknowledged) == ["Ada Finder", ANONYMOUS, "Cy"]


def test_export_needs_a_canonical_fix_and_a_maintainer(acknowledged, reporter, maintainer):
    with pytest.raises(Conflict):
        fix_export(viewer=maintainer, case=acknowledged)
    _canonical(acknowledged, reporter, maintainer)
    with pytest.raises(PermissionDenied):
        fix_export(viewer=reporter, case=acknowledged)


def test_sirt_authored_fix_carries_the_sirt_identity(acknowledged, sirt, maintainer, repo):
    _canonical(acknowledged, sirt, maintainer)
    mbox = fix_export(viewer=sirt, case=acknowledged).mbox
    assert "From: Akrites SIRT <sirt@akrites.invalid>" in mbox
