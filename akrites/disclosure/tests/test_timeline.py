"""Every advisory step appears in the case timeline: the draft, its CVE id and its approvals
for the maintainers, what was published for everyone who may see the case."""

from __future__ import annotations

from datetime import timedelta

import pytest

from akrites.cases.models import TimelineEntry, Visibility
from akrites.cases.selectors import case_timeline
from akrites.core import clock
from akrites.disclosure.lifecycle import MACHINE
from akrites.disclosure.models import PublicAdvisory
from akrites.disclosure.services import (
    advisory_reject_cve,
    advisory_reserve_cve,
    advisory_revise,
    advisory_update,
    advisory_withdraw,
    advisory_withdraw_approval,
)
from akrites.disclosure.services.transitions import TIMELINE
from akrites.disclosure.tests.conftest import approve, publish_now

pytestmark = pytest.mark.django_db

FOR_MAINTAINERS = {"advisory_drafted", "advisory_approved", "advisory_approval_withdrawn"}


def _one(case, kind):
    [entry] = TimelineEntry.objects.filter(case=case, kind=kind)
    return entry


def _seen(viewer, case):
    return {e.kind for e in case_timeline(viewer=viewer, case=case)}


def test_every_advisory_transition_has_a_timeline_entry():
    assert set(TIMELINE) == {t.name for t in MACHINE.transitions}


def test_draft_and_approvals_are_for_the_maintainers(draft, ready_case, sirt, maintainer, reporter):
    approve(ready_case, sirt)
    advisory_withdraw_approval(actor=maintainer, advisory=draft, reason="fix incomplete")
    approve(ready_case, sirt)
    advisory_update(actor=sirt, advisory=draft, changes={"summary": "Alias bomb in load"})
    assert _one(ready_case, "advisory_drafted").actor_id == sirt.pk
    withdrawn = _one(ready_case, "advisory_approval_withdrawn")
    assert withdrawn.reason == "fix incomplete" and withdrawn.actor_id == maintainer.pk
    assert TimelineEntry.objects.filter(case=ready_case, kind="advisory_approved").count() == 2
    kinds = (*FOR_MAINTAINERS, "advisory_approval_void")
    entries = TimelineEntry.objects.filter(case=ready_case, kind__in=kinds)
    assert {e.visibility for e in entries} == {Visibility.MAINTAINERS}
    assert set(kinds) <= _seen(maintainer, ready_case)
    assert not set(kinds) & _seen(reporter, ready_case)


def test_cve_reserved_and_rejected_are_for_the_maintainers(draft, ready_case, sirt, cve_backend):
    reserved = advisory_reserve_cve(actor=sirt, advisory=draft, backend=cve_backend)
    cve_id = reserved.cve_id
    advisory_reject_cve(actor=sirt, advisory=reserved, reason="not a bug", backend=cve_backend)
    for kind in ("cve_reserved", "cve_rejected"):
        entry = _one(ready_case, kind)
        assert (entry.visibility, entry.reason) == (Visibility.MAINTAINERS, cve_id)
    assert cve_id not in {e.kind for e in TimelineEntry.objects.filter(case=ready_case)}


def test_published_revised_and_withdrawn_are_public(draft, ready_case, sirt, reporter):
    public = publish_now(ready_case, sirt)
    later = clock.frozen(PublicAdvisory.objects.get().modified_at + timedelta(minutes=5))
    with later:
        advisory_revise(
            actor=sirt, advisory=draft, changes={"summary": "Alias bomb"}, reason="Clearer."
        )
        advisory_withdraw(actor=sirt, advisory=draft, reason="Not a vulnerability.")
    published = _one(ready_case, "advisory_published")
    assert published.reason == public.public_id
    assert _one(ready_case, "advisory_revised").reason == f"{public.public_id}: Clearer."
    withdrawn = _one(ready_case, "advisory_withdrawn")
    assert withdrawn.reason == f"{public.public_id}: Not a vulnerability."
    kinds = {"advisory_published", "advisory_revised", "advisory_withdrawn"}
    entries = TimelineEntry.objects.filter(case=ready_case, kind__in=kinds)
    assert {e.visibility for e in entries} == {Visibility.PUBLIC}
    assert kinds <= _seen(reporter, ready_case)
    assert not FOR_MAINTAINERS & _seen(reporter, ready_case)
