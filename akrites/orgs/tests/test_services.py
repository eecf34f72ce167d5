import pytest

from akrites.audit.models import AuditEntry
from akrites.core.errors import Conflict, InvalidInput, PermissionDenied
from akrites.orgs.models import Membership, Organisation
from akrites.orgs.services import membership_add, org_create


def test_unknown_kind_is_refused(system, db):
    with pytest.raises(InvalidInput) as exc:
        org_create(actor=system, name="X", kind="cartel")
    assert exc.value.field == "kind"
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("kind", "role"), [("member", "maintainer"), ("sirt", "reporter"), ("finder", "overlord")]
)
def test_role_must_fit_the_organisation_kind(system, orgs, outsider, kind, role):
    with pytest.raises(InvalidInput) as exc:
        membership_add(actor=system, org=orgs[kind], user=outsider, role=role)
    assert exc.value.field == "role"
    assert not Membership.objects.filter(user=outsider).exists()


def test_duplicate_membership_and_slug_are_conflicts(system, orgs, outsider):
    membership_add(actor=system, org=orgs["member"], user=outsider, role="member_observer")
    with pytest.raises(Conflict):
        membership_add(actor=system, org=orgs["member"], user=outsider, role="member_observer")
    with pytest.raises(Conflict):
        org_create(actor=system, name="again", kind="member", slug="member-org")


def test_only_the_sirt_lead_manages_organisations(coordinator, sirt, db):
    with pytest.raises(PermissionDenied):
        org_create(actor=coordinator, name="Nope", kind="member")
    org = org_create(actor=sirt, name="Yes", kind="member")
    assert AuditEntry.objects.filter(
        action="org.create", object_id=org.slug, actor_label="sirt"
    ).exists()
