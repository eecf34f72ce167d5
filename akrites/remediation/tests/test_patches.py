import pytest
from django.db import IntegrityError, transaction

from akrites.audit.models import AuditEntry
from akrites.cases.models import Status, TimelineEntry
from akrites.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from akrites.core.stateguard import transitioning
from akrites.remediation.models import PatchProposal, PatchReview
from akrites.remediation.selectors import patch_list
from akrites.remediation.services import (
    fix_mark_ready,
    patch_choose,
    patch_propose,
    patch_review,
    terms_update,
)
from akrites.remediation.tests.conftest import GOOD_DIFF, OTHER_DIFF, STALE_DIFF, WRONG_FILES_DIFF


def _with_repo(sirt, project, repo, **extra):
    args = {"accepts_patches": True, "accepts_ai_patches": False, **extra}
    terms_update(
        actor=sirt,
        project=project,
        contact_channels=[],
        embargo_max_days=None,
        repository=str(repo),
        **args,
    )


def test_reporter_proposes_and_maintainer_sees_it(acknowledged, reporter, maintainer):
    patch = patch_propose(
        actor=reporter, case=acknowledged, title="Disable entities", diff=GOOD_DIFF
    )
    assert (patch.author_role, patch.files_changed, patch.lines_added) == ("contributor", 1, 1)
    assert patch.apply_check == "unchecked"
    assert patch_list(viewer=maintainer, case=acknowledged) == [patch]
    assert AuditEntry.objects.get(action="patch.propose").data["forwarded"] is True


@pytest.mark.parametrize(
    "text",
    ["", "just some words\n", "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n", "diff --git a/x b/x\n"],
)
def test_not_a_diff_is_refused(acknowledged, reporter, text):
    with pytest.raises(InvalidInput) as exc:
        patch_propose(actor=reporter, case=acknowledged, title="t", diff=text)
    assert exc.value.field == "diff"
    assert not PatchProposal.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "--- x.py\n+++ x.py\n@@ -1 +1 @@\n-a\n+b\n",
        "--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-a\n+b\n",
    ],
)
def test_unsafe_or_prefixless_paths_are_refused(acknowledged, reporter, text):
    with pytest.raises(InvalidInput):
        patch_propose(actor=reporter, case=acknowledged, title="t", diff=text)


def test_diff_against_wrong_files_is_refused(acknowledged, reporter, sirt, repo, project):
    _with_repo(sirt, project, repo)
    before = TimelineEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        patch_propose(actor=reporter, case=acknowledged, title="t", diff=WRONG_FILES_DIFF)
    assert "do not exist in the repository: src/missing.py" in exc.value.message
    assert not PatchProposal.objects.exists() and TimelineEntry.objects.count() == before


def test_git_apply_check_in_a_temporary_clone(acknowledged, reporter, sirt, repo, project):
    _with_repo(sirt, project, repo)
    good = patch_propose(actor=reporter, case=acknowledged, title="good", diff=GOOD_DIFF)
    stale = patch_propose(actor=reporter, case=acknowledged, title="stale", diff=STALE_DIFF)
    assert good.apply_check == "applies"
    assert stale.apply_check == "does_not_apply" and "patch does not apply" in stale.apply_output


def test_unclonable_repository_leaves_the_patch_unchecked(
    acknowledged, reporter, sirt, project, tmp_path
):
    _with_repo(sirt, project, tmp_path / "nothing-here")
    patch = patch_propose(actor=reporter, case=acknowledged, title="t", diff=GOOD_DIFF)
    assert patch.apply_check == "unchecked"


def test_ai_patches_are_never_forwarded_when_refused(acknowledged, reporter, maintainer, sirt):
    patch = patch_propose(
        actor=reporter, case=acknowledged, title="AI fix", diff=GOOD_DIFF, ai_generated=True
    )
    assert patch_list(viewer=maintainer, case=acknowledged) == []
    assert patch_list(viewer=sirt, case=acknowledged) == [patch]
    assert patch_list(viewer=reporter, case=acknowledged) == [patch]  # the author's own
    with pytest.raises(NotFound):
        patch_choose(actor=maintainer, case=acknowledged, patch_id=patch.public_id)
    entry = TimelineEntry.objects.get(kind="patch_proposed")
    assert entry.visibility == "sirt"


def test_ai_patches_reach_maintainers_who_accept_them(acknowledged, reporter, maintainer):
    terms_update(
        actor=maintainer,
        project=acknowledged.project,
        contact_channels=[],
        embargo_max_days=None,
        accepts_patches=True,
        accepts_ai_patches=True,
    )
    patch = patch_propose(
        actor=reporter, case=acknowledged, title="AI fix", diff=GOOD_DIFF, ai_generated=True
    )
    assert patch_list(viewer=maintainer, case=acknowledged) == [patch]


def test_outside_patches_withheld_when_maintainers_take_none(acknowledged, reporter, maintainer):
    terms_update(
        actor=maintainer,
        project=acknowledged.project,
        contact_channels=[],
        embargo_max_days=None,
        accepts_patches=False,
        accepts_ai_patches=False,
    )
    outside = patch_propose(actor=reporter, case=acknowledged, title="r", diff=GOOD_DIFF)
    own = patch_propose(actor=maintainer, case=acknowledged, title="m", diff=OTHER_DIFF)
    assert patch_list(viewer=maintainer, case=acknowledged) == [own]
    assert outside.author_role == "contributor"


def test_reporter_sees_only_own_patches(acknowledged, reporter, maintainer):
    patch_propose(actor=maintainer, case=acknowledged, title="m", diff=OTHER_DIFF)
    assert patch_list(viewer=reporter, case=acknowledged) == []


def test_reviews(acknowledged, reporter, maintainer):
    patch = patch_propose(actor=reporter, case=acknowledged, title="r", diff=GOOD_DIFF)
    patch_review(actor=maintainer, case=acknowledged, patch_id=patch.public_id, verdict="approve")
    with pytest.raises(InvalidInput):
        patch_review(
            actor=maintainer, case=acknowledged, patch_id=patch.public_id, verdict="comment"
        )
    with pytest.raises(InvalidInput):
        patch_review(actor=maintainer, case=acknowledged, patch_id=patch.public_id, verdict="meh")
    assert PatchReview.objects.count() == 1


def test_exactly_one_canonical_fix(acknowledged, reporter, maintainer):
    first = patch_propose(actor=reporter, case=acknowledged, title="r", diff=GOOD_DIFF)
    second = patch_propose(actor=maintainer, case=acknowledged, title="m", diff=OTHER_DIFF)
    with pytest.raises(PermissionDenied):
        patch_choose(actor=reporter, case=acknowledged, patch_id=first.public_id)
    chosen = patch_choose(actor=maintainer, case=acknowledged, patch_id=first.public_id)
    acknowledged.refresh_from_db()
    assert chosen.canonical and acknowledged.status == Status.FIXING
    before = (TimelineEntry.objects.count(), AuditEntry.objects.count())
    with pytest.raises(Conflict) as exc:
        patch_choose(actor=maintainer, case=acknowledged, patch_id=second.public_id)
    assert first.public_id in exc.value.message
    assert (TimelineEntry.objects.count(), AuditEntry.objects.count()) == before
    second.refresh_from_db()
    assert not second.canonical


def test_the_database_refuses_a_second_canonical_fix(acknowledged, reporter):
    a = patch_propose(actor=reporter, case=acknowledged, title="a", diff=GOOD_DIFF)
    b = patch_propose(actor=reporter, case=acknowledged, title="b", diff=OTHER_DIFF)
    # Behind the service on purpose (the index is the backstop), so past the state guard too.
    with transitioning("patch"):
        PatchProposal.objects.filter(pk=a.pk).update(state="canonical")
        with pytest.raises(IntegrityError), transaction.atomic():
            PatchProposal.objects.filter(pk=b.pk).update(state="canonical")


def test_a_patch_that_does_not_apply_cannot_be_canonical(
    acknowledged, reporter, maintainer, sirt, repo, project
):
    _with_repo(sirt, project, repo)
    stale = patch_propose(actor=reporter, case=acknowledged, title="stale", diff=STALE_DIFF)
    with pytest.raises(Conflict):
        patch_choose(actor=maintainer, case=acknowledged, patch_id=stale.public_id)


def test_fix_ready_needs_the_canonical_fix(acknowledged, maintainer, system):
    from akrites.remediation.tests.conftest import move_to

    fixing = move_to(acknowledged, "start_fix", actor=system)
    with pytest.raises(Conflict):
        fix_mark_ready(actor=maintainer, case=fixing)
    patch = patch_propose(actor=maintainer, case=fixing, title="m", diff=GOOD_DIFF)
    patch_choose(actor=maintainer, case=fixing, patch_id=patch.public_id)
    assert fix_mark_ready(actor=maintainer, case=fixing).status == Status.FIX_READY


def test_no_patches_on_a_closed_case(case, reporter, system):
    from akrites.remediation.tests.conftest import move_to

    rejected = move_to(case, "reject", actor=system)
    with pytest.raises(Conflict):
        patch_propose(actor=reporter, case=rejected, title="t", diff=GOOD_DIFF)


def test_co_developers_must_be_name_and_address(acknowledged, reporter):
    with pytest.raises(InvalidInput) as exc:
        patch_propose(
            actor=reporter, case=acknowledged, title="t", diff=GOOD_DIFF, co_developers="Ann"
        )
    assert exc.value.field == "co_developers"
